//! `LockFileEx` and `UnlockFileEx` on the span's bytes, exclusive.
//!
//! std's `File::lock` takes the lock file's range too, but its `unlock`
//! releases twice (for a handle holding both a shared and an exclusive
//! lock, which this library never takes), and counts the second release
//! failing as an error where Windows says `ERROR_NOT_LOCKED` only: wine
//! says `ERROR_LOCK_VIOLATION`. Each span is released once here.

use std::fs::File;
use std::io;
use std::os::windows::io::AsRawHandle;

use windows_sys::Win32::Foundation::ERROR_LOCK_VIOLATION;
use windows_sys::Win32::Storage::FileSystem::{
    LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY, LockFileEx, UnlockFileEx,
};
use windows_sys::Win32::System::IO::OVERLAPPED;

use super::Span;

/// The first byte and the length of a span.
fn range(span: Span) -> (u64, u64) {
    match span {
        Span::LockFile => (0, u64::MAX),
        Span::Claim => (u64::MAX - 1, 1),
    }
}

/// An `OVERLAPPED` that says where a range starts (its only use here: the
/// handle is synchronous, so the call returns once done).
fn at(offset: u64) -> OVERLAPPED {
    // SAFETY: an all-zero OVERLAPPED is valid.
    let mut overlapped: OVERLAPPED = unsafe { std::mem::zeroed() };
    overlapped.Anonymous.Anonymous.Offset = offset as u32;
    overlapped.Anonymous.Anonymous.OffsetHigh = (offset >> 32) as u32;
    overlapped
}

fn lock_range(file: &File, span: Span, flags: u32) -> io::Result<()> {
    let (offset, len) = range(span);
    lock_bytes(file, offset, len, flags)
}

/// `LockFileEx` on `len` bytes from `offset`.
pub(super) fn lock_bytes(file: &File, offset: u64, len: u64, flags: u32) -> io::Result<()> {
    let mut overlapped = at(offset);
    // SAFETY: a handle `file` keeps open, a live OVERLAPPED for the length
    // of the call, which on a synchronous handle returns once the lock is
    // taken or refused. std locks only the whole file.
    let ok = unsafe {
        LockFileEx(
            file.as_raw_handle(),
            flags,
            0,
            len as u32,
            (len >> 32) as u32,
            &mut overlapped,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub(super) fn lock(file: &File, span: Span) -> io::Result<()> {
    lock_range(file, span, LOCKFILE_EXCLUSIVE_LOCK)
}

pub(super) fn try_lock(file: &File, span: Span) -> io::Result<bool> {
    match lock_range(
        file,
        span,
        LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
    ) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(ERROR_LOCK_VIOLATION as i32) => Ok(false),
        Err(e) => Err(e),
    }
}

pub(super) fn unlock(file: &File, span: Span) -> io::Result<()> {
    let (offset, len) = range(span);
    let mut overlapped = at(offset);
    // SAFETY: as in `lock_range`.
    let ok = unsafe {
        UnlockFileEx(
            file.as_raw_handle(),
            0,
            len as u32,
            (len >> 32) as u32,
            &mut overlapped,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
