//! Waiting for the lock without sleeping blind: a writer that finds the
//! lock held sleeps on a word in the shared state file, and the holder
//! wakes one sleeper when it lets go (`futex(2)` on a shared mapping works
//! across processes). The wait always has a timeout, so a holder that wakes
//! no one (Python's handler, a process killed) costs at most one timeout.
//! Elsewhere than Linux, the wait is a short sleep.

use std::sync::atomic::AtomicU32;
use std::time::Duration;

/// Sleeps while `word` holds `expected`, at most `timeout`; returns early
/// when woken, when the word changed, or on a signal.
pub(crate) fn wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    #[cfg(target_os = "linux")]
    {
        let timeout = libc::timespec {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        // SAFETY: FUTEX_WAIT reads the 32-bit word (which the reference
        // keeps alive and aligned) and sleeps; the timeout is a local. The
        // mapping is shared (not FUTEX_PRIVATE), so other processes' wakes
        // reach us. std exposes no futex.
        unsafe {
            libc::syscall(
                libc::SYS_futex,
                word.as_ptr(),
                libc::FUTEX_WAIT,
                expected,
                &timeout as *const libc::timespec,
            );
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (word, expected);
        std::thread::sleep(timeout.min(Duration::from_micros(200)));
    }
}

/// Wakes one process sleeping on `word`.
pub(crate) fn wake_one(word: &AtomicU32) {
    #[cfg(target_os = "linux")]
    // SAFETY: FUTEX_WAKE only reads the address as a key; the reference
    // keeps it valid.
    unsafe {
        libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = word;
}
