//! Small file-system helpers: a file's identity, existence, renaming and
//! removal.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Device and inode: what a file is, whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    pub(crate) fn of(meta: &std::fs::Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// From a `stat`'s device and inode numbers.
    pub(crate) fn from_raw(dev: u64, ino: u64) -> FileId {
        FileId { dev, ino }
    }

    pub(crate) fn ino(&self) -> u64 {
        self.ino
    }

    /// `(device, inode)`.
    pub(crate) fn pair(&self) -> (u64, u64) {
        (self.dev, self.ino)
    }

    /// The identity of what `path` names now (one `lstat`), if anything.
    pub(crate) fn at(path: &Path) -> io::Result<Option<FileId>> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) => Ok(Some(FileId::of(&meta))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(crate::error::doing(
                e,
                format_args!("stat `{}`", path.display()),
            )),
        }
    }
}

/// Whether `path` names anything, a symlink included (one `lstat`).
pub(crate) fn exists(path: &Path) -> io::Result<bool> {
    Ok(FileId::at(path)?.is_some())
}

/// Removes `path`; a file already gone is no error. The error names the
/// path.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(crate::error::doing(
            e,
            format_args!("remove `{}`", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Renames `from` to `to`; the error names both.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to).map_err(|e| {
        crate::error::doing(
            e,
            format_args!("rename `{}` -> `{}`", from.display(), to.display()),
        )
    })
}

/// The directory holding `path`: `.` for a bare file name.
pub(crate) fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
