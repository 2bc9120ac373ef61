//! Small file-system helpers: a file's identity and what a `stat` says of
//! it ([`Stat`]), reads at an offset, existence, renaming and removal.
//!
//! A file's identity is its device and inode on Unix, read from any
//! `stat`; on Windows its volume's serial number and its file index,
//! which only an open handle tells (`GetFileInformationByHandle`), so a
//! [`stat`] of a path there opens the path (no symlink followed, every
//! sharing allowed, no access asked) and closes it.

use std::fs::{File, Metadata};
use std::io;
use std::path::Path;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The prefix of the private names files are renamed aside to before
/// they are deleted, where deletion keeps the name taken while the file is
/// open (see `windows.rs`).
#[cfg(windows)]
pub(crate) use imp::ASIDE_PREFIX;

/// Device and inode (volume and file index): what a file is, whatever its
/// name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity of an open file, whose metadata `meta` is (read by the
    /// caller, so that Unix asks nothing more).
    pub(crate) fn of(file: &File, meta: &Metadata) -> io::Result<FileId> {
        imp::id_of(file, meta)
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

    /// The identity of what `path` names now (no symlink followed), if
    /// anything.
    pub(crate) fn at(path: &Path) -> io::Result<Option<FileId>> {
        match stat(path) {
            Ok(found) => Ok(found.map(|stat| stat.id)),
            Err(e) => Err(crate::error::doing(
                e,
                format_args!("stat `{}`", path.display()),
            )),
        }
    }
}

/// What a `stat` says of a file, as far as the library asks.
#[derive(Debug, Clone)]
pub(crate) struct Stat {
    pub(crate) meta: Metadata,
    pub(crate) id: FileId,
    /// How many names it has.
    pub(crate) links: u64,
    /// When its metadata or a name of it last changed (the change time),
    /// in seconds since the epoch.
    pub(crate) changed: i64,
}

/// What `path` names now, no symlink followed (a symlink is described, not
/// its target); `None` if nothing. The error is unnamed.
pub(crate) fn stat(path: &Path) -> io::Result<Option<Stat>> {
    match imp::stat(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        other => other.map(Some),
    }
}

/// What an open file is.
pub(crate) fn stat_file(file: &File) -> io::Result<Stat> {
    imp::stat_file(file, file.metadata()?)
}

/// Reads into `buf` from `offset` of `file`, whatever its position:
/// how many bytes were read. On Windows the position moves, which no
/// caller relies on (the log's handle appends wherever it stands).
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    imp::read_at(file, buf, offset)
}

/// [`read_at`] until `buf` is full.
pub(crate) fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match read_at(file, buf, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Whether `path` names anything, a symlink included.
pub(crate) fn exists(path: &Path) -> io::Result<bool> {
    Ok(FileId::at(path)?.is_some())
}

/// Removes `path`; a file already gone is no error. The error names the
/// path.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match imp::remove(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(crate::error::doing(
            e,
            format_args!("remove `{}`", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Renames `from` to `to`; the error names both.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    imp::rename(from, to).map_err(|e| {
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
