//! No marks, on every system but Linux: every record takes the lock, and
//! whether a holder lives is asked of its pid.
//!
//! **macOS and FreeBSD.** A mark must belong to one open file description
//! and never stand in the way of a `flock`. FreeBSD has no such lock;
//! macOS has open file description locks only as a private interface; and
//! on both, `flock(2)` and `fcntl(2)` locks are kept by one lock
//! manager, so a byte-range mark on the lock file would be a lock every
//! writer's exclusive `flock` waits behind (Python's too). POSIX record locks belong to the process,
//! not to an open file description: they go when the process closes any
//! descriptor of the file (its compressor's, another handle's) and do not
//! see its other descriptors, so they would let two descriptors believe
//! they are alone.
//!
//! The cost: a process alone with its log takes and releases the `flock`
//! for each record, two system calls, where Linux skips them; what a
//! writer among others does is the same everywhere. A holder in another
//! FreeBSD jail is asked of its pid, which the jail may not see: only
//! after its lock file was deleted does a writer ask (see `exclusion`).
//!
//! **Windows.** Its byte-range locks (`LockFileEx`) belong to one handle,
//! as a mark must, but they are mandatory, and the writers' exclusive lock
//! covers the lock file from its first byte to the last one there can be,
//! as Python's handler's lock (portalocker's) must overlap it: a mark
//! anywhere in the file would be a lock every writer waits behind. The
//! cost is the same as on macOS and FreeBSD; Windows has no pid
//! namespaces to hide a holder's pid.

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
