//! Rotations at the process's exit: once the background writers' queues
//! are written, the exit closes [`ROTATIONS`] (see `exit_hook`): no
//! rotation begins any more in this process, and those under way (a long
//! chain's shift, done in batches after the lock, included) are finished,
//! within the longest `compression_wait` of the logs this process opened,
//! so that the exit never leaves the newest backup waiting beside the log,
//! nor a gap in the chain (guarantee: an unbroken chain). A record that
//! would need a rotation after that is refused, with an error saying why:
//! the next process to write the log rotates it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::sys::exit_gate::Gate;
use crate::sys::exit_hook::{self, Leaving, Stage};
use crate::sys::stderr;

/// Rotations, from the rename of the live file to the end of the shift and
/// of what it left to delete.
pub(crate) static ROTATIONS: Gate = Gate::new();

/// The longest the exit waits for them, in nanoseconds: the longest
/// `compression_wait` of the logs opened.
static BOUND_NANOS: AtomicU64 = AtomicU64::new(0);

/// Makes the process's exit finish the rotations under way within `bound`
/// at least (registering the exit stage the first time).
pub(crate) fn finish_rotations(bound: Duration) {
    let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
    BOUND_NANOS.fetch_max(nanos, Ordering::Relaxed);
    exit_hook::at(Stage::Rotations, at_exit);
}

/// The error a record that needs a rotation gets once the exit began.
pub(crate) fn refused() -> std::io::Error {
    std::io::Error::other(
        "the process is exiting, and begins no rotation any more: the next process to write the log rotates it",
    )
}

fn at_exit(_: &Leaving) {
    let bound = Duration::from_nanos(BOUND_NANOS.load(Ordering::Relaxed));
    let left = ROTATIONS.close(Instant::now() + bound);
    if left > 0 {
        stderr::print(format_args!(
            "exiting with {left} rotation(s) unfinished after {bound:?}: the next process to open the log finishes them"
        ));
    }
}
