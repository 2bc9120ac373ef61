//! Work done at the process's exit (`atexit`), whether `main` returned or
//! `std::process::exit` was called: one handler, registered once, that runs
//! the [`Stage`]s in their order, each what one part of the library
//! registered for it; and a list helper for them, which other threads push
//! to and a stage takes with a bound (a thread may hold it at the exit, or
//! have held it at a `fork()`, for ever in the child).
//!
//! The order is what leaves nothing half done: the background writers'
//! queues are written first (their rounds may rotate), then the rotations
//! under way are finished and no new one begins, then the compressions are
//! waited for, then the compressions finishing under the lock are
//! finished and no new one begins, and last the writes under way are
//! finished and no new one begins. Threads still running when the
//! handler returns are ended by the exit with nothing of theirs under way.
//! A termination signal's work (`flush_on_termination`) runs the same
//! stages ([`finish`]) before the process dies of the signal.

use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};
use std::time::{Duration, Instant};

use crate::sys::stderr;

/// The longest the handler waits to take a list, which is held only for a
/// push.
const LIST_WAIT: Duration = Duration::from_millis(100);

/// What the exit does, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Write what background writers hold.
    Drain,
    /// Finish the rotations under way (a long chain's shift included), and
    /// begin no more.
    Rotations,
    /// Wait for the compressions queued.
    Compressions,
    /// Finish the compressions being named under the lock, and begin no
    /// more.
    Links,
    /// Finish the writes under way, and begin no more.
    Writes,
}

const STAGES: [Stage; 5] = [
    Stage::Drain,
    Stage::Rotations,
    Stage::Compressions,
    Stage::Links,
    Stage::Writes,
];

/// How the process leaves, for the stages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leaving {
    /// When it began to: each stage's bound counts from then.
    pub(crate) started: Instant,
    /// Of a termination signal, not `exit()`: the background writers write
    /// their last round, and their callers wait from then on.
    pub(crate) signal: bool,
}

/// A stage's work.
pub(crate) type Handler = fn(&Leaving);

/// What each stage runs, in [`STAGES`]' order.
static HANDLERS: [OnceLock<Handler>; STAGES.len()] = [const { OnceLock::new() }; STAGES.len()];
static REGISTERED: OnceLock<()> = OnceLock::new();

/// Makes the process's exit run `handler` at `stage` (registering the exit
/// handler the first time). One handler per stage: the first given.
pub(crate) fn at(stage: Stage, handler: Handler) {
    let index = STAGES.iter().position(|&s| s == stage).unwrap_or(0);
    let _ = HANDLERS[index].set(handler);
    REGISTERED.get_or_init(|| {
        // SAFETY: `atexit` only records a function pointer; the handler is
        // an `extern "C" fn` that cannot unwind (nothing in the stages
        // panics: every lock is taken poison-tolerant or with a bound).
        // std has no exit hook.
        let rc = unsafe { libc::atexit(at_exit) };
        if rc != 0 {
            stderr::print(format_args!(
                "cannot register an exit handler ({rc}): what background writers hold is not written at exit, nor are compressions waited for; drop the guards and the handles before exiting"
            ));
        }
    });
}

extern "C" fn at_exit() {
    finish(&Leaving {
        started: Instant::now(),
        signal: false,
    });
}

/// Runs every stage registered, in order.
pub(crate) fn finish(leaving: &Leaving) {
    for handler in &HANDLERS {
        if let Some(handler) = handler.get() {
            handler(leaving);
        }
    }
}

/// Adds `entry` to `list`, keeping only the entries `keep` says are alive.
pub(crate) fn push<T>(list: &Mutex<Vec<T>>, entry: T, keep: impl FnMut(&T) -> bool) {
    let mut list = list
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    list.retain(keep);
    list.push(entry);
}

/// The handler's list, taken within [`LIST_WAIT`]; `None` if it stayed
/// held.
pub(crate) fn take<T>(list: &Mutex<Vec<T>>) -> Option<MutexGuard<'_, Vec<T>>> {
    let started = Instant::now();
    loop {
        match list.try_lock() {
            Ok(list) => return Some(list),
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) if started.elapsed() < LIST_WAIT => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}
