//! Messages on stderr, for the failures no caller can be told of (the
//! first of each kind only; the rest are counted).
//!
//! Written with one write and no lock where the system has `fork()`
//! (`imp`): `eprintln!` takes std's stderr lock, which a thread that does
//! not exist in a child after `fork()` may hold for ever.

use std::fmt;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Prints `concurrent-rotating-file: <message>` and a newline on stderr.
pub(crate) fn print(message: fmt::Arguments<'_>) {
    let line = format!("concurrent-rotating-file: {message}\n");
    imp::write_all(line.as_bytes());
}
