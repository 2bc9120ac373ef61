//! Directories as paths, and files in them reached by joined paths:
//! Windows has no `openat`. A directory is checked when it is opened (a
//! symlink or junction at a name that must hold a directory is refused,
//! as on Unix), and later calls go through its path again.

use std::ffi::{OsStr, OsString};
use std::io;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use crate::error::{doing, symlink_refused};
use crate::sys::fs::{self, FileId};

/// A directory, by its path.
#[derive(Debug)]
pub(crate) struct Dir {
    path: PathBuf,
}

/// A file in a directory, by its path.
#[derive(Debug, Clone)]
pub(crate) struct At<'a> {
    path: PathBuf,
    /// Borrowed from its `Dir`, as on Unix (where it borrows the
    /// descriptor).
    dir: PhantomData<&'a Dir>,
}

impl Dir {
    /// The directory at `path` as the user gave it, symlinks followed.
    pub(crate) fn open(path: &Path) -> io::Result<Dir> {
        if !std::fs::metadata(path)?.is_dir() {
            return Err(io::ErrorKind::NotADirectory.into());
        }
        Ok(Dir {
            path: path.to_path_buf(),
        })
    }

    /// The directory at `path`, refusing a symlink or junction (the error
    /// of a symlink refused) or anything but a directory at its last
    /// component. The error is unnamed.
    pub(crate) fn open_nofollow(path: &Path) -> io::Result<Dir> {
        let meta = std::fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() || is_junction(&meta) {
            return Err(symlink_refused());
        }
        if !meta.is_dir() {
            return Err(io::ErrorKind::NotADirectory.into());
        }
        Ok(Dir {
            path: path.to_path_buf(),
        })
    }

    /// The file `name` in this directory.
    pub(crate) fn at(&self, name: impl AsRef<OsStr>) -> At<'_> {
        At {
            path: self.path.join(name.as_ref()),
            dir: PhantomData,
        }
    }

    /// The names in this directory.
    pub(crate) fn names(&self) -> io::Result<Vec<OsString>> {
        let listing = || -> io::Result<Vec<OsString>> {
            std::fs::read_dir(&self.path)?
                .map(|entry| entry.map(|entry| entry.file_name()))
                .collect()
        };
        listing().map_err(|e| doing(e, format_args!("list `{}`", self.path.display())))
    }
}

/// Whether `meta` (of the name itself) is a reparse point other than a
/// symlink that redirects a directory: a junction (mount point).
fn is_junction(meta: &std::fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
    meta.is_dir() && meta.file_attributes() & FILE_ATTRIBUTE_REPARSE_POINT != 0
}

impl<'a> At<'a> {
    /// The file at `path`.
    pub(crate) fn path(path: &Path) -> At<'static> {
        At {
            path: path.to_path_buf(),
            dir: PhantomData,
        }
    }

    /// The file's path.
    pub(crate) fn shown(&self) -> PathBuf {
        self.path.clone()
    }

    /// The identity of what the name holds now (no symlink followed), if
    /// anything.
    pub(crate) fn id(&self) -> io::Result<Option<FileId>> {
        FileId::at(&self.path)
    }

    /// Removes the name (of a file, never a directory); one already gone
    /// is no error. The name is free at once (see `fs`).
    pub(crate) fn remove(&self) -> io::Result<()> {
        fs::remove_if_present(&self.path)
    }

    /// Renames this name to `to`, replacing a file there even if open
    /// elsewhere (see `fs`); the error names both.
    pub(crate) fn rename_to(&self, to: &At<'_>) -> io::Result<()> {
        fs::rename(&self.path, &to.path)
    }

    /// Gives this file the name `to` too (a hard link). Never replaces a
    /// file already there: `AlreadyExists`, unnamed, so that the caller
    /// can tell it from a failure; other errors name both.
    pub(crate) fn link_to(&self, to: &At<'_>) -> io::Result<()> {
        match std::fs::hard_link(&self.path, &to.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e.kind().into()),
            Err(e) => Err(doing(
                e,
                format_args!("link `{}` -> `{}`", self.path.display(), to.path.display()),
            )),
        }
    }
}
