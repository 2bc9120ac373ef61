//! Writing what background writers still hold at the process's exit, when
//! their guard was never dropped (`std::process::exit`, a guard leaked or
//! kept in a `static`): what the guard's drop would have written.
//!
//! The first background writer a process starts registers this with the
//! exit handler (see `exit_hook`), which runs it first, whether `main`
//! returned or `std::process::exit` was called; the background threads
//! still run then
//! (`exit()` ends them only afterwards). For each queue still running in
//! this process, it asks the thread to write everything queued at once and
//! waits, up to the writer's `shutdown_timeout` (or [`EXIT_WAIT`]); the
//! rotations and compressions its last rounds began are the next stages'.
//! What it cannot write in time is said on stderr, with how many records. A queue whose
//! guard was dropped, whose thread died (its records already counted as
//! lost), or that a child after `fork()` inherited (its records went
//! straight to the files), has nothing to write.

use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

use crate::sys::exit_hook::{self, Leaving, Stage};
use crate::sys::stderr;

/// How long the exit waits for a background writer without a
/// `shutdown_timeout`: the default bound of the wait for compressions.
pub(crate) const EXIT_WAIT: Duration = Duration::from_secs(10);

/// A background writer's queue, as the exit sees it.
pub(crate) trait Drain: Send + Sync {
    /// Asks the thread to write everything queued, and waits until it has
    /// or until `deadline`; `Err` with how many records are still
    /// unwritten (`None`: unknown) if the deadline came first. What was
    /// sent after it began is not waited for. With `freeze` (the process is
    /// about to die of a signal), that is the thread's last round, and
    /// callers wait from then on.
    fn drain(&self, deadline: Instant, freeze: bool) -> Result<(), Option<u64>>;

    /// What is written to, for messages.
    fn describe(&self) -> String;
}

/// A queue to drain at exit, within `wait`.
struct Entry {
    queue: Weak<dyn Drain>,
    wait: Duration,
}

/// The background writers this process started.
static QUEUES: Mutex<Vec<Entry>> = Mutex::new(Vec::new());

/// Makes the process's exit write what `queue` still holds, within `wait`
/// (registering the exit handler the first time).
pub(crate) fn drain_at_exit(queue: Weak<dyn Drain>, wait: Duration) {
    exit_hook::push(&QUEUES, Entry { queue, wait }, |entry| {
        entry.queue.strong_count() > 0
    });
    exit_hook::at(Stage::Drain, at_exit);
}

/// Drains every background writer still running, within its bound from
/// when the process began to leave; says on stderr what it could not
/// write. For a termination signal (`flush_on_termination`), each writes
/// its last round: callers wait from then on, so that nothing starts a
/// write or a rotation the signal would cut short.
fn at_exit(leaving: &Leaving) {
    let (started, freeze) = (leaving.started, leaving.signal);
    let Some(list) = exit_hook::take(&QUEUES) else {
        return;
    };
    let queues: Vec<_> = list
        .iter()
        .filter_map(|entry| Some((entry.queue.upgrade()?, entry.wait)))
        .collect();
    drop(list);
    // Deadlines from one start: exit waits for the longest bound, not for
    // their sum.
    for (queue, wait) in queues {
        if let Err(left) = queue.drain(started + wait, freeze) {
            let left = left.map_or("its".into(), |n| n.to_string());
            stderr::print(format_args!(
                "exiting with {left} record(s) queued for {} unwritten after {wait:?}: they are lost",
                queue.describe()
            ));
        }
    }
}
