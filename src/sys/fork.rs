//! Fork detection without a syscall per record.
//!
//! `flock` locks belong to the open file description, which a child created
//! by `fork()` shares with its parent: a handle used in the child must reopen
//! its lock file (guarantee: fork-safe). `getpid()` per record would cost a
//! syscall; instead a `pthread_atfork` child handler bumps a counter, and each
//! handle compares the counter it saw when it opened its files.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

static FORKS: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

extern "C" fn in_child_after_fork() {
    // Async-signal-safe: a lock-free atomic increment only.
    FORKS.fetch_add(1, Ordering::Relaxed);
}

/// Installs the fork handler (once per process) and returns the current
/// fork generation.
pub(crate) fn install() -> u64 {
    INSTALL.call_once(|| {
        // SAFETY: `pthread_atfork` only registers function pointers; the child
        // handler is a plain `extern "C" fn` that performs one atomic add, which
        // is async-signal-safe as a handler running after fork must be. The
        // standard library has no fork hook, hence the direct call.
        let rc = unsafe { libc::pthread_atfork(None, None, Some(in_child_after_fork)) };
        // Without the handler, `generation` never changes and a forked child
        // would share its parent's lock: say so rather than fail to open.
        if rc != 0 {
            eprintln!(
                "concurrent-rotating-file: pthread_atfork failed ({rc}); handles must not be used across fork()"
            );
        }
    });
    generation()
}

/// How many times this process's lineage has forked since start-up, as seen
/// from this process. Differs from a value recorded before a `fork()` only in
/// the child.
pub(crate) fn generation() -> u64 {
    FORKS.load(Ordering::Relaxed)
}
