//! Finishing compressions at the process's exit, even when no handle is
//! ever dropped (a subscriber installed globally is not): the way Python's
//! `logging.shutdown` runs at exit.
//!
//! The first compressor a process starts registers an `atexit` handler
//! (once). `exit()` runs it whether `main` returned or
//! `std::process::exit` was called; it waits, for each log, up to that
//! log's `compression_wait` for the compressions this process queued. The
//! compressor threads still run then (`exit()` ends them only afterwards),
//! and they take nothing the exiting thread might hold: their own lock
//! descriptor, their own queue. What is not finished within the bound is
//! left as a plain backup, and a temporary file that the next process to
//! open the log finishes (see `compressor`). Exit never waits longer than
//! the longest `compression_wait`.
//!
//! A child after `fork()` inherits the handler but not the threads: it
//! waits only for the compressors it started itself. The list is taken
//! with a bounded `try_lock`, since a thread of the parent may have held
//! it at the fork, for ever in the child.

use std::sync::{Arc, Mutex, Once, TryLockError, Weak};
use std::time::{Duration, Instant};

use crate::gzip::progress::Progress;
use crate::sys::{fork, stderr};

/// The compressors of this process, as they started.
static COMPRESSORS: Mutex<Vec<Weak<Progress>>> = Mutex::new(Vec::new());
static REGISTER: Once = Once::new();

/// The longest exit waits to take the list, which is held only for a push.
const LIST_WAIT: Duration = Duration::from_millis(100);

/// Makes the process's exit wait for what `progress` counts (registering
/// the exit handler the first time).
pub(crate) fn finish_compressions(progress: &Arc<Progress>) {
    {
        let mut list = COMPRESSORS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        list.retain(|weak| weak.strong_count() > 0);
        list.push(Arc::downgrade(progress));
    }
    REGISTER.call_once(|| {
        // SAFETY: `atexit` only records a function pointer; the handler is
        // an `extern "C" fn` that cannot unwind (nothing in it panics: every
        // lock is taken poison-tolerant, no index can fail). std has no
        // exit hook.
        let rc = unsafe { libc::atexit(at_exit) };
        if rc != 0 {
            stderr::print(format_args!(
                "cannot register the exit handler that finishes compressions ({rc}); drop the handles or call shutdown() before exiting"
            ));
        }
    });
}

extern "C" fn at_exit() {
    let started = Instant::now();
    let list = loop {
        match COMPRESSORS.try_lock() {
            Ok(list) => break list,
            Err(TryLockError::Poisoned(poisoned)) => break poisoned.into_inner(),
            Err(TryLockError::WouldBlock) if started.elapsed() < LIST_WAIT => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => return,
        }
    };
    let this_process = fork::generation();
    let ours: Vec<Arc<Progress>> = list
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|progress| progress.fork_generation == this_process)
        .collect();
    drop(list);
    // Deadlines from one start: exit waits for the longest bound, not
    // for their sum.
    for progress in ours {
        let left = progress.wait(started + progress.exit_wait);
        if left > 0 {
            stderr::print(format_args!(
                "exiting with {left} compression(s) of `{}`'s backups unfinished after {:?}; the next process to open the log finishes them",
                progress.log.display(),
                progress.exit_wait
            ));
        }
    }
}
