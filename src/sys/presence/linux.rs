//! Marks with open file description locks (`F_OFD_SETLK`, Linux 3.15):
//! shared locks on single bytes, which belong to one open file description
//! (not to the process, as POSIX record locks do), are dropped by the
//! kernel when it is closed or its process dies, and are independent of
//! `flock(2)` locks on Linux, so a mark on the lock file never stands in
//! the way of a writer's `flock`.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// Sets a mark on byte `at`.
pub(super) fn mark(file: &File, at: u64) -> io::Result<()> {
    set(file, libc::F_RDLCK, at)
}

/// Removes the mark on byte `at`.
pub(super) fn unmark(file: &File, at: u64) -> io::Result<()> {
    set(file, libc::F_UNLCK, at)
}

/// Whether no other open file description marks byte `at`.
pub(super) fn unmarked(file: &File, at: u64) -> io::Result<bool> {
    unmarked_in(file, at, 1)
}

/// Whether no other open file description marks any of the `len` bytes
/// from `at`.
pub(super) fn unmarked_in(file: &File, at: u64, len: u64) -> io::Result<bool> {
    if len == 0 {
        return Ok(true);
    }
    let mut lock = bytes(libc::F_WRLCK, at, len)?;
    // SAFETY: F_OFD_GETLK reads and fills the struct we own.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_GETLK, &mut lock) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(lock.l_type == libc::F_UNLCK as libc::c_short)
}

fn set(file: &File, kind: libc::c_int, at: u64) -> io::Result<()> {
    let lock = byte(kind, at)?;
    // SAFETY: F_OFD_SETLK on an open descriptor with a valid struct;
    // l_pid must be 0 for OFD locks, which zeroing gives. std has no
    // byte-range locks.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The byte of the file at `at`, as a lock of `kind`.
fn byte(kind: libc::c_int, at: u64) -> io::Result<libc::flock> {
    bytes(kind, at, 1)
}

/// `len` bytes of the file from `at`, as a lock of `kind`.
fn bytes(kind: libc::c_int, at: u64, len: u64) -> io::Result<libc::flock> {
    // SAFETY: flock is a plain C struct; all zeros is a valid value.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = kind as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = libc::off_t::try_from(at).map_err(|_| io::ErrorKind::InvalidInput)?;
    lock.l_len = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
    Ok(lock)
}
