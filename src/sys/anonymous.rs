//! Files with no name until they are complete: a temporary that no one can
//! open, plant a link at, or find half-written, and that vanishes with
//! its process if it never gets a name.
//!
//! Linux offers them (`O_TMPFILE`, then `linkat` of `/proc/self/fd/N`,
//! which needs no privilege); elsewhere, or on a file system without them,
//! [`create`] says so and the caller makes a named temporary instead.

use std::fs::File;
use std::io;

use rustix::fs::OFlags;

use crate::sys::dir::At;

/// Creates a file with no name in the directory `dir`, opened with
/// `access` (read and write, perhaps append), with `mode` (less the
/// umask); `None` where unnamed files are not to be had.
pub(crate) fn create(dir: &At<'_>, access: OFlags, mode: u32) -> io::Result<Option<File>> {
    #[cfg(test)]
    if WITHOUT.get() {
        return Ok(None);
    }
    imp::create(dir, access, mode)
}

#[cfg(test)]
thread_local! {
    static WITHOUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` as on a system without unnamed files, so that a test on Linux
/// checks the named temporaries too (on this thread only).
#[cfg(test)]
pub(crate) fn without<T>(f: impl FnOnce() -> T) -> T {
    WITHOUT.set(true);
    let result = f();
    WITHOUT.set(false);
    result
}

/// Names a file [`create`] made: `to`, never replacing a file already
/// there (`AlreadyExists`, unnamed, so that the caller can tell it from a
/// failure).
pub(crate) fn link(file: &File, to: &At<'_>) -> io::Result<()> {
    imp::link(file, to)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::sync::OnceLock;

    use rustix::fs::{AtFlags, Mode, OFlags};
    use rustix::io::Errno;

    use crate::error::doing;
    use crate::sys::dir::At;

    pub(super) fn create(dir: &At<'_>, access: OFlags, mode: u32) -> io::Result<Option<File>> {
        if !proc_fd_available() {
            // Without /proc, naming it would need CAP_DAC_READ_SEARCH.
            return Ok(None);
        }
        let (fd, name) = dir.raw();
        let flags = OFlags::TMPFILE | OFlags::CLOEXEC | access;
        match rustix::fs::openat(fd, name, flags, Mode::from_raw_mode(mode)) {
            Ok(fd) => Ok(Some(File::from(fd))),
            // A kernel older than 3.11 (EISDIR: O_TMPFILE includes
            // O_DIRECTORY), or a file system without it.
            Err(Errno::OPNOTSUPP | Errno::ISDIR | Errno::INVAL) => Ok(None),
            Err(e) => Err(doing(
                e.into(),
                format_args!("create a file in `{}`", dir.shown().display()),
            )),
        }
    }

    pub(super) fn link(file: &File, to: &At<'_>) -> io::Result<()> {
        let (dir, name) = to.raw();
        let this = format!("/proc/self/fd/{}", file.as_raw_fd());
        match rustix::fs::linkat(rustix::fs::CWD, &this, dir, name, AtFlags::SYMLINK_FOLLOW) {
            Ok(()) => Ok(()),
            Err(Errno::EXIST) => Err(io::ErrorKind::AlreadyExists.into()),
            Err(e) => Err(doing(
                e.into(),
                format_args!("name the file made for `{}`", to.shown().display()),
            )),
        }
    }

    /// Whether `/proc/self/fd` is there (a container may lack /proc).
    fn proc_fd_available() -> bool {
        static AVAILABLE: OnceLock<bool> = OnceLock::new();
        *AVAILABLE.get_or_init(|| std::fs::metadata("/proc/self/fd").is_ok_and(|m| m.is_dir()))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::fs::File;
    use std::io;

    use rustix::fs::OFlags;

    use crate::sys::dir::At;

    pub(super) fn create(_: &At<'_>, _: OFlags, _: u32) -> io::Result<Option<File>> {
        Ok(None)
    }

    pub(super) fn link(_: &File, _: &At<'_>) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn an_unnamed_file_appears_whole_and_never_over_another() {
        let dir = tempfile::tempdir().unwrap();
        let here = At::path(dir.path());
        let mut file = create(&here, OFlags::RDWR, 0o600)
            .unwrap()
            .expect("O_TMPFILE on a tmpfs or ext4");
        file.write_all(b"complete").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let name = dir.path().join("app.log.1.gz");
        link(&file, &At::path(&name)).unwrap();
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "complete");
        let other = create(&here, OFlags::RDWR, 0o600).unwrap().unwrap();
        let refused = link(&other, &At::path(&name)).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "complete");
    }
}
