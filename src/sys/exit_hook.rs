//! Work done at the process's exit (`atexit`), whether `main` returned or
//! `std::process::exit` was called: a handler registered once, and a list
//! of what it is for, which other threads push to and the handler takes
//! with a bound (a thread may hold it at the exit, or have held it at a
//! `fork()`, for ever in the child).

use std::sync::{Mutex, MutexGuard, Once, TryLockError};
use std::time::{Duration, Instant};

use crate::sys::stderr;

/// The longest the handler waits to take its list, which is held only for
/// a push.
const LIST_WAIT: Duration = Duration::from_millis(100);

/// Registers `handler` to run at exit, the first time `once` is called;
/// if it cannot be, says on stderr what the caller must do instead
/// (`otherwise`).
pub(crate) fn register(once: &'static Once, handler: extern "C" fn(), otherwise: &str) {
    once.call_once(|| {
        // SAFETY: `atexit` only records a function pointer; the handlers
        // are `extern "C" fn`s that cannot unwind (nothing in them panics:
        // every lock is taken poison-tolerant or with a bound). std has no
        // exit hook.
        let rc = unsafe { libc::atexit(handler) };
        if rc != 0 {
            stderr::print(format_args!(
                "cannot register an exit handler ({rc}): {otherwise}"
            ));
        }
    });
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
