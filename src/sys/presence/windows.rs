//! No marks: every record takes the lock, and whether a holder lives is
//! asked of its pid (Windows has no pid namespaces).
//!
//! Windows' byte-range locks (`LockFileEx`) belong to one handle, as a
//! mark must, but they are mandatory, and the writers' exclusive lock
//! covers the lock file from its first byte to the last one there can be,
//! as Python's handler's lock (portalocker's) must overlap it: a mark
//! anywhere in the file would be a lock every writer waits behind.
//!
//! The cost: a process alone with its log takes and releases the lock for
//! each record, two system calls, as on macOS and FreeBSD.

use std::fs::File;
use std::io;

pub(super) fn mark(_: &File, _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

pub(super) fn unmark(_: &File, _: u64) -> io::Result<()> {
    Ok(())
}

pub(super) fn unmarked(_: &File, _: u64) -> io::Result<bool> {
    Err(io::ErrorKind::Unsupported.into())
}

pub(super) fn unmarked_in(_: &File, _: u64, _: u64) -> io::Result<bool> {
    Err(io::ErrorKind::Unsupported.into())
}
