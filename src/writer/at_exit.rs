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
//! Last, it closes the writes: no `write(2)` begins any more in this
//! process, and those under way in other threads are finished, since
//! `exit()` ending a thread inside a large `write(2)` cuts it at a page
//! boundary and leaves its record cut short at the end of the file
//! (guarantee: never torn). Records written after that are refused, with
//! an error saying why. This costs a record nothing but one relaxed load:
//! each write checks [`writes_closed`] under its log's in-process mutex,
//! which the exit takes and releases once for each log, after closing, so
//! that the write under way ends first and the next sees the writes closed.
//! A thread waiting for the lock holds the mutex too: the exit waits for it
//! within the same bound (another process stopped while holding the lock),
//! then leaves without its record.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

use crate::sys::exit_gate::Gate;
use crate::sys::exit_hook::{self, Leaving, Stage};
use crate::sys::{fork, stderr};

/// Rotations, from the rename of the live file to the end of the shift and
/// of what it left to delete.
pub(crate) static ROTATIONS: Gate = Gate::new();

/// A log's in-process mutex, under which its records are written, as the
/// exit sees it.
pub(crate) trait WriteLock: Send + Sync {
    /// Takes the mutex and releases it at once, waiting until `deadline`
    /// at most; whether it could.
    fn pass(&self, deadline: Instant) -> bool;
}

/// A log opened in this process, until it is closed.
struct Entry {
    lock: Weak<dyn WriteLock>,
    /// The fork generation it was opened in: a child after `fork()` waits
    /// only for its own (the parent's may be held by a thread that does
    /// not exist in it).
    generation: u64,
}

/// The logs this process opened.
static LOGS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// The fork generation in which the exit closed the writes (none:
/// `u64::MAX`): a child after `fork()` writes on.
static WRITES_CLOSED_IN: AtomicU64 = AtomicU64::new(u64::MAX);

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

/// Makes the exit wait for the write under way under `lock`, a log's
/// in-process mutex, before it returns.
pub(crate) fn wait_for_writes_under(lock: Weak<dyn WriteLock>) {
    let entry = Entry {
        lock,
        generation: fork::generation(),
    };
    exit_hook::push(&LOGS, entry, |entry| entry.lock.strong_count() > 0);
}

/// Whether the exit has closed the writes: checked under the log's
/// in-process mutex before each `write(2)`, which must then not begin.
pub(crate) fn writes_closed() -> bool {
    WRITES_CLOSED_IN.load(Ordering::Relaxed) == fork::generation()
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
    let (bound, generation) = (bound(), fork::generation());
    WRITES_CLOSED_IN.store(generation, Ordering::SeqCst);
    let Some(list) = exit_hook::take(&LOGS) else {
        return;
    };
    let logs: Vec<_> = list
        .iter()
        .filter(|entry| entry.generation == generation)
        .filter_map(|entry| entry.lock.upgrade())
        .collect();
    drop(list);
    // Each write under way ends before its mutex is free; the next one
    // takes the mutex after this and sees the writes closed.
    let deadline = Instant::now() + bound;
    let left = logs.iter().filter(|log| !log.pass(deadline)).count();
    if left > 0 {
        stderr::print(format_args!(
            "exiting while another thread still wrote to {left} log(s), or waited for its lock, after {bound:?}: its record is not written, or if cut short, ended with a newline by the next process to write the log"
        ));
    }
}
