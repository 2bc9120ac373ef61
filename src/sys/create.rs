//! Files and directories that appear at their name with their final mode
//! and group, never otherwise (guarantee: no symlink followed; and what
//! the several-users guide, docs/several-users.md, relies on): how each
//! system does it is in its file. Windows has no mode bits nor groups
//! of this kind: asking for them is refused at `open()` ([`refusal`]),
//! so there every file and directory is made plainly.

use std::io;
use std::path::Path;

use crate::error::{Error, ErrorKind};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Files made with their mode and group in place (Unix only: Windows
/// refuses modes and groups, so its files are made plainly).
#[cfg(unix)]
pub(crate) use imp::file_in_place;
pub(crate) use imp::{give, remove_orphans};

/// How a file or directory the library creates is made: its permission
/// bits and its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attributes {
    pub(crate) bits: u32,
    /// Set exactly, whatever the umask (the user asked for these bits),
    /// rather than filtered through the umask like any `open(2)`.
    pub(crate) exact: bool,
    /// The group to give it, when the user asked for one.
    pub(crate) group: Option<u32>,
}

impl Attributes {
    /// Files: `0o644` less the umask, like any `open(2)`.
    pub(crate) const DEFAULT: Attributes = Attributes {
        bits: 0o644,
        exact: false,
        group: None,
    };

    /// Directories: `0o755` less the umask, like any `mkdir(2)`.
    pub(crate) const DIR_DEFAULT: Attributes = Attributes {
        bits: 0o755,
        exact: false,
        group: None,
    };

    /// Whether the plain `open(2)`/`mkdir(2)` makes it as asked: no exact
    /// mode, no group.
    pub(crate) fn is_plain(&self) -> bool {
        !self.exact && self.group.is_none()
    }
}

/// Why this system cannot make files with `attributes`, if it cannot:
/// `open()` refuses them with that reason rather than ignore them.
pub(crate) fn refusal(attributes: &Attributes) -> Option<&'static str> {
    imp::refusal(attributes)
}

/// Makes sure `dir` exists as a directory, creating it (and its missing
/// parents) with `mode` if `create` allows: with the default, `0o755` less
/// the umask; with an exact mode or a group, each directory appears with
/// them (see `create`).
pub(crate) fn ensure_dir(
    dir: &Path,
    create: bool,
    doing: &'static str,
    mode: Attributes,
) -> Result<(), Error> {
    let refuse = |detail| {
        Err(Error::invalid(
            ErrorKind::CreateDirectory,
            doing,
            dir,
            detail,
        ))
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => return refuse("a file of that name is in the way"),
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(Error::io(ErrorKind::CreateDirectory, doing, dir, e));
        }
        Err(_) if !create => return refuse("it does not exist and create_dirs(false) was set"),
        Err(_) => {}
    }
    imp::make_dirs(dir, mode).map_err(|e| Error::io(ErrorKind::CreateDirectory, doing, dir, e))
}
