//! `O_TMPFILE` (Linux 3.11, most local file systems), named with
//! `linkat(2)` of `/proc/self/fd/N` (`AT_SYMLINK_FOLLOW`), which needs no
//! privilege where `AT_EMPTY_PATH` would need `CAP_DAC_READ_SEARCH`.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::OnceLock;

use rustix::fs::{AtFlags, Mode, OFlags};
use rustix::io::Errno;

use crate::error::doing;
use crate::sys::dir::{self, Access, At};

pub(super) fn create(dir: &At<'_>, access: Access, mode: u32) -> io::Result<Option<File>> {
    if !proc_fd_available() {
        // Without /proc, naming it would need CAP_DAC_READ_SEARCH.
        return Ok(None);
    }
    let (fd, name) = dir.raw();
    let flags = OFlags::TMPFILE | OFlags::CLOEXEC | dir::flags(access);
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn an_unnamed_file_appears_whole_and_never_over_another() {
        let dir = tempfile::tempdir().unwrap();
        let here = At::path(dir.path());
        let mut file = create(&here, Access::ReadWrite, 0o600)
            .unwrap()
            .expect("O_TMPFILE on a tmpfs or ext4");
        file.write_all(b"complete").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let name = dir.path().join("app.log.1.gz");
        link(&file, &At::path(&name)).unwrap();
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "complete");
        let other = create(&here, Access::ReadWrite, 0o600).unwrap().unwrap();
        let refused = link(&other, &At::path(&name)).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "complete");
    }
}
