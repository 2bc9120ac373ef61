//! The calling thread's id as Python's `threading.get_ident()` gives it
//! (`%(thread)d` in a Python format): `pthread_self()` on Unix,
//! `GetCurrentThreadId()` on Windows (`imp`). std's `ThreadId` is a
//! counter of its own, which no other program knows.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The calling thread's id, as Python numbers it.
pub(crate) fn current() -> u64 {
    imp::current()
}
