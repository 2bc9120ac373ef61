//! [`Temp`]: where the gzip of one backup is written until it is complete,
//! and how it gets its final name, `app.log.N.gz`, never replacing a file
//! already there.
//!
//! Where the system offers them (Linux: see `sys::anonymous`) it is a file
//! with no name, in the log's directory: no one can open it, plant a link
//! at its name or find it half-written, and a compressor killed or cut
//! short at exit leaves nothing. Elsewhere it is
//! `.concurrent-rotating-file/app.log.<inode>.gz.tmp`, reached through a
//! descriptor of that directory, created only where nothing is (never
//! written through a name someone else made: a hard link planted there
//! would have the library overwrite the file it names), and claimed with a
//! non-blocking `flock` while it is worked on (see `shared::claim`). A
//! named temporary a killed compressor left is finished rather than redone
//! if it holds a complete gzip of its backup and is no other file's name
//! too; otherwise its name is removed and a new one made.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::Path;

use crate::names::Names;
use crate::own_dir;
use crate::shared::claim::claim;
use crate::sys::anonymous;
use crate::sys::create;
use crate::sys::dir::{At, Dir};
use crate::sys::fs::stat_file;
use crate::sys::open::{self, Access, FileMode};

/// A gzip being written.
#[derive(Debug)]
pub(crate) enum Temp {
    /// A file with no name.
    Unnamed(File),
    /// A file in the library's directory, claimed by this compressor.
    Named {
        file: File,
        own: Dir,
        name: OsString,
        /// Left by a compressor killed or cut short: perhaps complete.
        leftover: bool,
    },
}

impl Temp {
    /// A file with no name in the log's directory, if the system offers
    /// them and no named temporary of this backup (inode `ino`) was left
    /// by an earlier compressor (taken up instead: see [`Temp::named`]).
    /// Needs no lock.
    pub(crate) fn unnamed(names: &Names, ino: u64, mode: FileMode) -> io::Result<Option<Temp>> {
        let left = match own_dir::open_existing(names) {
            Ok(Some(own)) => own.at(names.gzip_temp(ino)).id()?.is_some(),
            // No directory: no leftover in it. A symlink there: named
            // temporaries are refused, unnamed ones need none.
            Ok(None) | Err(_) => false,
        };
        if left {
            return Ok(None);
        }
        let bits = if mode.exact { 0 } else { mode.bits };
        let log_dir = At::path(names.dir());
        let Some(file) = anonymous::create(&log_dir, Access::ReadWrite, bits)? else {
            return Ok(None);
        };
        create::give(&file, names.dir(), mode)?;
        Ok(Some(Temp::Unnamed(file)))
    }

    /// The named temporary of the backup of inode `ino`: made where nothing
    /// is, or a dead compressor's leftover, claimed; `None` if a live
    /// compressor claims it. Called with the lock held: an opening removes
    /// unclaimed temporaries.
    pub(crate) fn named(
        names: &Names,
        ino: u64,
        mode: FileMode,
        dir_mode: FileMode,
    ) -> io::Result<Option<Temp>> {
        let own = own_dir::open(names, dir_mode).map_err(|e| own_dir::failed(names, e))?;
        let name = names.gzip_temp(ino);
        Ok(had(&own, &name, mode)?.map(|(file, leftover)| Temp::Named {
            file,
            own,
            name,
            leftover,
        }))
    }

    /// The file to write the gzip into, or to read a leftover from.
    pub(crate) fn file(&self) -> &File {
        match self {
            Temp::Unnamed(file) | Temp::Named { file, .. } => file,
        }
    }

    /// For a dead compressor's leftover (opened for reading only: never
    /// written to), whether it may hold the complete gzip already: not
    /// empty, and its only name, so that linking it moves no one else's
    /// file. `None` for a temporary made by this compressor.
    pub(crate) fn leftover(&self) -> Option<io::Result<bool>> {
        match self {
            Temp::Named {
                file,
                leftover: true,
                ..
            } => Some(stat_file(file).map(|found| found.links == 1 && found.meta.len() > 0)),
            _ => None,
        }
    }

    /// Gives up a leftover that is not a complete gzip of its backup: its
    /// name is removed (never the file it may also name elsewhere) and a
    /// new temporary made in its place. Called with the lock held.
    pub(crate) fn replace(self, mode: FileMode) -> io::Result<Option<Temp>> {
        let Temp::Named { own, name, .. } = self else {
            return Ok(Some(self));
        };
        own.at(&name).remove()?;
        Ok(had(&own, &name, mode)?.map(|(file, leftover)| Temp::Named {
            file,
            own,
            name,
            leftover,
        }))
    }

    /// Names the complete gzip `gz`, never over a file already there:
    /// `Ok(false)` then, and the temporary dropped. Called with the lock
    /// held.
    pub(crate) fn link_to(&self, gz: &Path) -> io::Result<bool> {
        let to = At::path(gz);
        let linked = match self {
            Temp::Unnamed(file) => anonymous::link(file, &to),
            Temp::Named { own, name, .. } => own.at(name).link_to(&to),
        };
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Removes the temporary's name, if it has one.
    pub(crate) fn remove(&self) -> io::Result<()> {
        match self {
            Temp::Unnamed(_) => Ok(()),
            Temp::Named { own, name, .. } => own.at(name).remove(),
        }
    }

    /// Where it is, for messages.
    pub(crate) fn shown(&self, names: &Names) -> std::path::PathBuf {
        match self {
            Temp::Unnamed(_) => names.dir().to_path_buf(),
            Temp::Named { own, name, .. } => own.at(name).shown(),
        }
    }
}

/// Makes the named temporary `name` in `own` where nothing is, or takes
/// over what a dead compressor left there (a symlink or a FIFO planted
/// there is removed, never opened); claims it. Returns it, and whether it
/// is a leftover; `None` if a live compressor claims it.
fn had(own: &Dir, name: &OsString, mode: FileMode) -> io::Result<Option<(File, bool)>> {
    let at = own.at(name);
    let named = |what: &str| {
        let what = format!("{what} `{}`", at.shown().display());
        move |e| crate::error::doing(e, what)
    };
    for _ in 0..2 {
        let (file, leftover) = match open::create_new(&at, mode) {
            Ok(file) => (file, false),
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
                return Err(named("create")(e));
            }
            Err(_) => match open::open_for_reading(&at) {
                Ok(file) => (file, true),
                // Gone since, or not a file of ours: made anew.
                Err(e) if e.kind() == io::ErrorKind::NotFound || open::is_not_ours(&e) => {
                    at.remove()?;
                    continue;
                }
                Err(e) => return Err(named("open")(e)),
            },
        };
        // Claimed before anything is written or read: only a dead
        // compressor's leftover is ever taken over.
        return Ok(claim(&file)
            .map_err(named("lock"))?
            .then_some((file, leftover)));
    }
    Err(io::Error::other(format!(
        "`{}` keeps being made by someone else",
        at.shown().display()
    )))
}
