//! `open(2)` with `O_NOFOLLOW | O_NONBLOCK`, and the type checked on the
//! open descriptor.

use std::fs::{File, FileType, Metadata};
use std::io;
use std::os::unix::fs::FileTypeExt;

use rustix::fs::OFlags;

use crate::error::{is_symlink_refused, symlink_refused};
use crate::sys::create;
use crate::sys::dir::{Access, At, flags};

use super::{FileMode, not_regular};

/// What an open with `O_NOFOLLOW` fails with when the name is a symlink:
/// `ELOOP` as POSIX says, on Linux and macOS; `EMLINK` on FreeBSD and
/// DragonFly, `EFTYPE` on NetBSD. Each is told as one error on every
/// system ([`symlink_refused`]); elsewhere `EMLINK` (too many links) and
/// `EFTYPE` keep their own meaning.
#[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
const SYMLINK_REFUSALS: &[i32] = &[libc::ELOOP, libc::EMLINK];
#[cfg(target_os = "netbsd")]
const SYMLINK_REFUSALS: &[i32] = &[libc::ELOOP, libc::EFTYPE];
#[cfg(not(any(target_os = "freebsd", target_os = "dragonfly", target_os = "netbsd")))]
const SYMLINK_REFUSALS: &[i32] = &[libc::ELOOP];

/// Opens the regular file at `at`, creating it if missing, never through
/// a symlink; returns it with its metadata.
pub(crate) fn open_or_create(
    at: &At<'_>,
    access: Access,
    mode: FileMode,
) -> io::Result<(File, Metadata)> {
    if mode.is_plain() {
        let opened = at.open(flags(access) | OFlags::CREATE, mode.bits);
        return regular(opened.map_err(|e| explain(e, at))?);
    }
    loop {
        match at.open(flags(access), 0) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => return regular(other.map_err(|e| explain(e, at))?),
        }
        // Created holding its exact mode and group from the moment it
        // appears (see `create`).
        match create::file_in_place(at, access, mode) {
            // Created by another process in between: open theirs.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            other => return regular(other?),
        }
    }
}

/// Opens an existing file for reading, never through a symlink: a backup
/// to compress, or a temporary file whose claim is tested.
pub(crate) fn open_for_reading(at: &At<'_>) -> io::Result<File> {
    let file = at.open(OFlags::RDONLY, 0).map_err(|e| explain(e, at))?;
    Ok(regular(file)?.0)
}

/// Creates a file at `at` that is not there yet (`AlreadyExists` if
/// anything is, a link included: nothing is ever written through a name
/// someone else made), with `mode`, for reading and writing.
pub(crate) fn create_new(at: &At<'_>, mode: FileMode) -> io::Result<File> {
    let bits = if mode.exact { 0 } else { mode.bits };
    let file = at
        .open(OFlags::RDWR | OFlags::CREATE | OFlags::EXCL, bits)
        .map_err(|e| explain(e, at))?;
    create::give(&file, &at.shown(), mode)?;
    Ok(file)
}

/// The error of a failed open, saying what the system means by it: a
/// symlink refused is told the same on every system; opening a FIFO for
/// writing without a reader fails with `ENXIO` ("no such device or
/// address"), so say what sits at the path instead.
fn explain(e: io::Error, at: &At<'_>) -> io::Error {
    if e.raw_os_error()
        .is_some_and(|errno| SYMLINK_REFUSALS.contains(&errno))
    {
        return symlink_refused();
    }
    if e.raw_os_error() != Some(libc::ENXIO) {
        return e;
    }
    match std::fs::symlink_metadata(at.shown()) {
        Ok(meta) if !meta.is_file() => not_regular(meta.file_type()),
        _ => e,
    }
}

fn regular(file: File) -> io::Result<(File, Metadata)> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    Ok((file, meta))
}

/// Whether an open failed because something other than a regular file sits
/// at the name (a symlink, refused by `O_NOFOLLOW`; a FIFO without a peer,
/// `ENXIO`; any other type): at one of the library's private names, such a
/// thing is no file of the library's, and is removed.
pub(crate) fn is_not_ours(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidInput
        || is_symlink_refused(e)
        || e.raw_os_error() == Some(libc::ENXIO)
}

/// What a file that is not a regular file is, in words.
pub(crate) fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_is_refused_with_one_error_on_every_system() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("app.log");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &link).unwrap();
        let at = At::path(&link);
        for err in [
            open_or_create(&at, Access::Append, FileMode::DEFAULT).unwrap_err(),
            open_for_reading(&at).unwrap_err(),
        ] {
            assert!(is_symlink_refused(&err), "{err}");
            assert!(is_not_ours(&err));
        }
        assert!(!dir.path().join("elsewhere").exists(), "followed");
        // This system's refusals are all told as one; "too many links"
        // keeps its meaning where it is no refusal.
        for &errno in SYMLINK_REFUSALS {
            let told = explain(io::Error::from_raw_os_error(errno), &at);
            assert!(is_symlink_refused(&told), "{errno}");
        }
        let too_many_links = io::Error::from_raw_os_error(libc::EMLINK);
        assert_eq!(
            is_symlink_refused(&explain(too_many_links, &at)),
            SYMLINK_REFUSALS.contains(&libc::EMLINK)
        );
    }
}
