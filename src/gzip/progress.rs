//! [`Progress`]: how many of the compressions queued in a process are not
//! finished yet, which shutting down waits on.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::sys::fork;

/// How many of the compressions queued in this process are not finished,
/// and a way to wait until none is.
#[derive(Debug)]
pub(crate) struct Progress {
    unfinished: Mutex<u64>,
    finished: Condvar,
    /// Set once someone waits for them (a shutdown, a guard, the exit).
    waited_for: AtomicBool,
    /// The log, for messages.
    pub(crate) log: PathBuf,
    /// How long the process's exit waits for them.
    pub(crate) exit_wait: Duration,
    /// The process the thread runs in: a child after `fork()` has no such
    /// thread, and must not wait for it.
    pub(crate) fork_generation: u64,
}

impl Progress {
    pub(crate) fn new(log: &Path, exit_wait: Duration) -> Progress {
        Progress {
            unfinished: Mutex::new(0),
            finished: Condvar::new(),
            waited_for: AtomicBool::new(false),
            log: log.to_path_buf(),
            exit_wait,
            fork_generation: fork::generation(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, u64> {
        self.unfinished
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn queued(&self) {
        *self.lock() += 1;
    }

    pub(crate) fn done(&self) {
        let mut unfinished = self.lock();
        *unfinished = unfinished.saturating_sub(1);
        if *unfinished == 0 {
            self.finished.notify_all();
        }
    }

    /// Whether someone has waited for the compressions: the process is
    /// finishing, and they need not give way to its writers any more.
    pub(crate) fn waited_for(&self) -> bool {
        self.waited_for.load(Ordering::Relaxed)
    }

    /// Waits until every compression queued so far is finished, or until
    /// `deadline`; returns how many are still unfinished.
    pub(crate) fn wait(&self, deadline: Instant) -> u64 {
        self.waited_for.store(true, Ordering::Relaxed);
        let mut unfinished = self.lock();
        while *unfinished > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            unfinished = self
                .finished
                .wait_timeout(unfinished, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *unfinished
    }
}
