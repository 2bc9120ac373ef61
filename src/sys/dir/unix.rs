//! Directories held open by a descriptor and files reached through one
//! (`openat`, `renameat`, `linkat`, `unlinkat`, through rustix).
//!
//! The library's hidden directory is opened with `O_NOFOLLOW |
//! O_DIRECTORY`: a symlink, or anything but a directory, at its name is
//! refused, never followed. A file named by a path ([`At::path`]) is
//! reached from the current directory, as `open(2)` would.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use std::time::{Duration, SystemTime};

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use crate::error::{doing, symlink_refused};
use crate::sys::fs::{FileId, dir_of};

use super::Access;

/// What a `stat` of a name says, as far as the library asks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Meta {
    pub(crate) id: FileId,
    pub(crate) kind: FileType,
    pub(crate) modified: SystemTime,
}

impl Meta {
    // The fields' types differ between targets (and between 32 and 64
    // bits): the casts are identities on some.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &rustix::fs::Stat) -> Meta {
        let since_epoch = Duration::new(stat.st_mtime.max(0) as u64, 0);
        Meta {
            id: FileId::from_raw(stat.st_dev as u64, stat.st_ino as u64),
            kind: FileType::from_raw_mode(stat.st_mode as _),
            modified: SystemTime::UNIX_EPOCH + since_epoch,
        }
    }
}

/// An open directory, and the path it was opened at (for messages).
#[derive(Debug)]
pub(crate) struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

/// A file named relative to an open directory, or to the current one.
#[derive(Debug, Clone)]
pub(crate) struct At<'a> {
    dir: BorrowedFd<'a>,
    /// The directory's path, for messages; empty for the current one.
    dir_path: &'a Path,
    name: PathBuf,
}

impl Dir {
    /// Opens the directory at `path` as the user gave it, symlinks
    /// followed: the log's directory, a `lock_dir`.
    pub(crate) fn open(path: &Path) -> io::Result<Dir> {
        Dir::open_with(path, OFlags::empty())
    }

    /// Opens the directory at `path`, refusing a symlink (the error of a
    /// symlink refused, `error::symlink_refused`, on every system) or
    /// anything but a directory (`ENOTDIR`) at its last component. The
    /// error is unnamed.
    pub(crate) fn open_nofollow(path: &Path) -> io::Result<Dir> {
        match Dir::open_with(path, OFlags::NOFOLLOW) {
            // Each system says it its own way (Linux: not a directory, when
            // both flags are given; FreeBSD: too many links): told as the
            // one error of a symlink refused.
            Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink()) => {
                Err(symlink_refused())
            }
            other => other,
        }
    }

    fn open_with(path: &Path, extra: OFlags) -> io::Result<Dir> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | extra;
        let fd = rustix::fs::open(path, flags, Mode::empty())?;
        Ok(Dir {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The file `name` in this directory.
    pub(crate) fn at(&self, name: impl AsRef<OsStr>) -> At<'_> {
        At {
            dir: self.fd.as_fd(),
            dir_path: &self.path,
            name: PathBuf::from(name.as_ref()),
        }
    }

    /// The names in this directory (without `.` and `..`).
    pub(crate) fn names(&self) -> io::Result<Vec<OsString>> {
        let listing = || -> io::Result<Vec<OsString>> {
            let mut names = Vec::new();
            for entry in rustix::fs::Dir::read_from(&self.fd)? {
                let name = OsStr::from_bytes(entry?.file_name().to_bytes()).to_os_string();
                if name != "." && name != ".." {
                    names.push(name);
                }
            }
            Ok(names)
        };
        listing().map_err(|e| doing(e, format_args!("list `{}`", self.path.display())))
    }
}

impl<'a> At<'a> {
    /// The file at `path`, reached from the current directory.
    pub(crate) fn path(path: &Path) -> At<'static> {
        At {
            dir: rustix::fs::CWD,
            dir_path: Path::new(""),
            name: path.to_path_buf(),
        }
    }

    /// Another name in the same directory.
    pub(crate) fn sibling(&self, name: impl AsRef<OsStr>) -> At<'a> {
        At {
            dir: self.dir,
            dir_path: self.dir_path,
            name: match self.name.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.join(name.as_ref()),
                _ => PathBuf::from(name.as_ref()),
            },
        }
    }

    /// The directory holding the file.
    pub(crate) fn parent(&self) -> At<'a> {
        At {
            dir: self.dir,
            dir_path: self.dir_path,
            name: dir_of(&self.name).to_path_buf(),
        }
    }

    /// The file's path, for messages.
    pub(crate) fn shown(&self) -> PathBuf {
        self.dir_path.join(&self.name)
    }

    /// The directory the name is relative to, and the name, for the `*at`
    /// calls.
    // Unnamed files use it, where there are any (`anonymous`).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn raw(&self) -> (BorrowedFd<'a>, &Path) {
        (self.dir, &self.name)
    }

    /// Opens the file with `flags`, never through a symlink
    /// (`O_NOFOLLOW`), never blocking on a FIFO (`O_NONBLOCK`); `mode` for
    /// one it creates (less the umask). The error is the system's, unnamed.
    pub(crate) fn open(&self, flags: OFlags, mode: u32) -> io::Result<File> {
        let flags = flags | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(self.dir, &self.name, flags, permissions(mode))?;
        Ok(File::from(fd))
    }

    /// The identity of what the name holds now (no symlink followed), if
    /// anything.
    pub(crate) fn id(&self) -> io::Result<Option<FileId>> {
        Ok(self.stat()?.map(|meta| meta.id))
    }

    /// What the name holds now (no symlink followed), if anything.
    pub(crate) fn stat(&self) -> io::Result<Option<Meta>> {
        match rustix::fs::statat(self.dir, &self.name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(Meta::of(&stat))),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(doing(
                e.into(),
                format_args!("stat `{}`", self.shown().display()),
            )),
        }
    }

    /// Removes the name (of a file, never a directory); one already gone
    /// is no error.
    pub(crate) fn remove(&self) -> io::Result<()> {
        self.unlink(AtFlags::empty())
    }

    /// Removes the name of an empty directory; one already gone is no
    /// error.
    pub(crate) fn remove_dir(&self) -> io::Result<()> {
        self.unlink(AtFlags::REMOVEDIR)
    }

    fn unlink(&self, flags: AtFlags) -> io::Result<()> {
        match rustix::fs::unlinkat(self.dir, &self.name, flags) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(doing(
                e.into(),
                format_args!("remove `{}`", self.shown().display()),
            )),
        }
    }

    /// Renames this name to `to`; the error names both.
    pub(crate) fn rename_to(&self, to: &At<'_>) -> io::Result<()> {
        rustix::fs::renameat(self.dir, &self.name, to.dir, &to.name).map_err(|e| {
            doing(
                e.into(),
                format_args!(
                    "rename `{}` -> `{}`",
                    self.shown().display(),
                    to.shown().display()
                ),
            )
        })
    }

    /// Gives this file (no symlink followed) the name `to` too. Never
    /// replaces a file already there: `AlreadyExists`, unnamed, so that the
    /// caller can tell it from a failure; other errors name both.
    pub(crate) fn link_to(&self, to: &At<'_>) -> io::Result<()> {
        match rustix::fs::linkat(self.dir, &self.name, to.dir, &to.name, AtFlags::empty()) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
            Err(e) => Err(doing(
                e.into(),
                format_args!(
                    "link `{}` -> `{}`",
                    self.shown().display(),
                    to.shown().display()
                ),
            )),
        }
    }
}

/// The flags that open a file for `access`.
pub(crate) fn flags(access: Access) -> OFlags {
    match access {
        Access::Append => OFlags::RDWR | OFlags::APPEND,
        Access::ReadWrite => OFlags::RDWR,
    }
}

/// Permission bits as the system's type of them (`u16` on macOS and the
/// BSDs): they fit, being at most `0o7777`.
// The cast is an identity where the type is `u32` (Linux).
#[allow(clippy::unnecessary_cast)]
fn permissions(bits: u32) -> Mode {
    Mode::from_bits_truncate((bits & 0o7777) as rustix::fs::RawMode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_or_a_file_is_never_opened_as_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (real, link, file) = (
            dir.path().join("real"),
            dir.path().join("link"),
            dir.path().join("file"),
        );
        std::fs::create_dir(&real).unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        std::fs::write(&file, "").unwrap();
        assert!(Dir::open_nofollow(&real).is_ok());
        let refused = Dir::open_nofollow(&link).unwrap_err();
        assert!(crate::error::is_symlink_refused(&refused), "{refused}");
        let refused = Dir::open_nofollow(&file).unwrap_err();
        assert_eq!(refused.raw_os_error(), Some(libc::ENOTDIR), "{refused}");
    }

    #[test]
    fn files_are_reached_through_the_directory_opened_not_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let (own, elsewhere) = (dir.path().join("own"), dir.path().join("elsewhere"));
        std::fs::create_dir(&own).unwrap();
        std::fs::create_dir(&elsewhere).unwrap();
        let opened = Dir::open_nofollow(&own).unwrap();
        // Swapped for a symlink to another directory after it was opened.
        let moved = dir.path().join("moved");
        std::fs::rename(&own, &moved).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &own).unwrap();
        let lock = opened.at("app.log.lock");
        lock.open(OFlags::RDWR | OFlags::CREATE, 0o644).unwrap();
        let live = dir.path().join("app.log");
        std::fs::write(&live, "live").unwrap();
        At::path(&live).rename_to(&opened.at("app.log.1")).unwrap();
        assert_eq!(
            std::fs::read_to_string(moved.join("app.log.1")).unwrap(),
            "live"
        );
        assert!(moved.join("app.log.lock").exists());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
        let mut names = opened.names().unwrap();
        names.sort();
        assert_eq!(names, ["app.log.1", "app.log.lock"]);
        lock.remove().unwrap();
        lock.remove().unwrap();
        assert_eq!(lock.id().unwrap(), None);
        assert_eq!(lock.sibling("x").shown(), own.join("x"));
        assert_eq!(At::path(&live).sibling("x").shown(), dir.path().join("x"));
    }
}
