//! Rotations and writes at the process's exit (see `exit_hook`), each
//! finished within the longest `compression_wait` of the logs this process
//! opened.
//!
//! Once the background writers' queues are written, the exit closes
//! [`ROTATIONS`]: no rotation begins any more in this process, and those
//! under way (a long chain's shift, done in batches after the lock,
//! included) are finished, so that the exit never leaves the newest backup
//! waiting beside the log, nor a gap in the chain (guarantee: an unbroken
//! chain). A record that would need a rotation after that is refused, with
//! an error saying why: the next process to write the log rotates it.
//!
//! Last, it closes [`WRITES`]: the `write(2)` under way in other threads
//! are finished and no other begins, since `exit()` ending a thread inside
//! a large `write(2)` cuts it at a page boundary and leaves its record cut
//! short at the end of the file (guarantee: never torn). Records written
//! after that are refused, with an error saying why.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::sys::exit_gate::Gate;
use crate::sys::exit_hook::{self, Leaving, Stage};
use crate::sys::stderr;

/// Rotations, from the rename of the live file to the end of the shift and
/// of what it left to delete.
pub(crate) static ROTATIONS: Gate = Gate::new();

/// Writes to a live file, each `write(2)` of whole records.
pub(crate) static WRITES: Gate = Gate::new();

/// The longest the exit waits for them, in nanoseconds: the longest
/// `compression_wait` of the logs opened.
static BOUND_NANOS: AtomicU64 = AtomicU64::new(0);

/// Makes the process's exit finish the rotations and the writes under way
/// within `bound` at least (registering the exit stages the first time).
pub(crate) fn finish_at_exit(bound: Duration) {
    let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
    BOUND_NANOS.fetch_max(nanos, Ordering::Relaxed);
    exit_hook::at(Stage::Rotations, finish_rotations);
    exit_hook::at(Stage::Writes, finish_writes);
}

/// The error a record that needs a rotation gets once the exit began.
pub(crate) fn refused() -> std::io::Error {
    std::io::Error::other(
        "the process is exiting, and begins no rotation any more: the next process to write the log rotates it",
    )
}

/// The error a record gets once the exit has finished the writes.
pub(crate) fn refused_write() -> std::io::Error {
    std::io::Error::other(
        "the process is exiting, and begins no write any more: the exit would cut it short",
    )
}

fn bound() -> Duration {
    Duration::from_nanos(BOUND_NANOS.load(Ordering::Relaxed))
}

fn finish_rotations(_: &Leaving) {
    let bound = bound();
    let left = ROTATIONS.close(Instant::now() + bound);
    if left > 0 {
        stderr::print(format_args!(
            "exiting with {left} rotation(s) unfinished after {bound:?}: the next process to open the log finishes them"
        ));
    }
}

fn finish_writes(_: &Leaving) {
    let bound = bound();
    let left = WRITES.close(Instant::now() + bound);
    if left > 0 {
        stderr::print(format_args!(
            "exiting with {left} write(s) unfinished after {bound:?}: a record cut short is ended with a newline by the next process to write the log"
        ));
    }
}
