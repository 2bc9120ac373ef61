//! Fork detection without a syscall per record.
//!
//! `flock` locks belong to the open file description, which a child created
//! by `fork()` shares with its parent: a handle used in the child must reopen
//! its lock file (guarantee: fork-safe). `getpid()` per record would cost a
//! syscall; instead a handler the system runs in the child after a fork
//! (`imp`: `pthread_atfork` on Unix) bumps a counter, and each handle
//! compares the counter it saw when it opened its files. Windows has no
//! `fork()`: the counter never moves there.

use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

static FORKS: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

extern "C" fn in_child_after_fork() {
    // Async-signal-safe: a lock-free atomic increment only.
    FORKS.fetch_add(1, Ordering::Relaxed);
}

/// Installs the fork handler (once per process) and returns the current
/// fork generation.
pub(crate) fn install() -> u64 {
    INSTALL.call_once(|| imp::in_child_after_fork(in_child_after_fork));
    generation()
}

/// How many times this process's lineage has forked since start-up, as seen
/// from this process. Differs from a value recorded before a `fork()` only in
/// the child.
pub(crate) fn generation() -> u64 {
    FORKS.load(Ordering::Relaxed)
}

/// A value that belongs to one process: in a child after `fork()`, a fresh
/// one replaces the parent's the first time it is asked for.
///
/// The child is a copy of the parent with only the forking thread in it.
/// Whatever another thread of the parent was holding at that instant (a
/// mutex, a lock file's `flock` through a shared open file description) is
/// held for ever in the child, by a thread that does not exist. So the
/// child never touches the parent's value: it is left alone (leaked, not
/// dropped: it may be half-changed) and a new one is made from scratch
/// (guarantee: fork-safe). Without a fork, a read costs one atomic load.
pub(crate) struct PerProcess<T> {
    current: AtomicPtr<Owned<T>>,
}

struct Owned<T> {
    generation: u64,
    value: T,
}

impl<T> PerProcess<T> {
    pub(crate) fn new(value: T) -> PerProcess<T> {
        let owned = Box::new(Owned {
            generation: install(),
            value,
        });
        PerProcess {
            current: AtomicPtr::new(Box::into_raw(owned)),
        }
    }

    /// This process's value; in a child after `fork()`, the one `renew`
    /// makes (once: concurrent callers agree on one).
    pub(crate) fn get(&self, renew: impl FnOnce() -> std::io::Result<T>) -> std::io::Result<&T> {
        let current = self.current.load(Ordering::Acquire);
        // SAFETY: `current` always points to a live `Owned`: values are
        // only ever replaced (the old one leaked, never freed) until `self`
        // is dropped, which needs `&mut self`.
        let owned = unsafe { &*current };
        let now = generation();
        if owned.generation == now {
            return Ok(&owned.value);
        }
        let fresh = Box::into_raw(Box::new(Owned {
            generation: now,
            value: renew()?,
        }));
        match self
            .current
            .compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            // SAFETY: `fresh` is ours and now published, never freed but by
            // `drop`; the parent's value it replaces is leaked on purpose.
            Ok(_) => Ok(unsafe { &(*fresh).value }),
            Err(winner) => {
                // SAFETY: `fresh` was never published: ours to free.
                drop(unsafe { Box::from_raw(fresh) });
                // SAFETY: as for `current` above.
                Ok(unsafe { &(*winner).value })
            }
        }
    }

    /// The value, if it is this process's (no fork since it was made).
    pub(crate) fn this_process(&self) -> Option<&T> {
        // SAFETY: as in `get`.
        let owned = unsafe { &*self.current.load(Ordering::Acquire) };
        (owned.generation == generation()).then_some(&owned.value)
    }

    /// The value, if it is this process's, for one who has `self` alone.
    pub(crate) fn this_process_mut(&mut self) -> Option<&mut T> {
        // SAFETY: `&mut self` excludes every other access; the pointer is
        // live (see `get`).
        let owned = unsafe { &mut *self.current.load(Ordering::Acquire) };
        (owned.generation == generation()).then_some(&mut owned.value)
    }
}

impl<T> Drop for PerProcess<T> {
    fn drop(&mut self) {
        let current = *self.current.get_mut();
        // SAFETY: live, as in `get`; no other access with `&mut self`.
        if unsafe { (*current).generation } == generation() {
            // SAFETY: ours since it was made in this process: freed once.
            drop(unsafe { Box::from_raw(current) });
        }
        // Else the parent's value, in a child: left alone (see the type).
    }
}

// SAFETY: a `PerProcess<T>` hands out `&T` to every thread and moves its
// `T`s between threads exactly as an `Arc<T>` would.
unsafe impl<T: Send + Sync> Sync for PerProcess<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Send for PerProcess<T> {}

impl<T: std::fmt::Debug> std::fmt::Debug for PerProcess<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerProcess")
            .field("this_process", &self.this_process())
            .finish()
    }
}
