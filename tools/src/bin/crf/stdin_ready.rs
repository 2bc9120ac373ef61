//! Whether a read of standard input would return at once (data, or its
//! end), waiting at most a given time: `poll(2)` on Unix; on Windows, a
//! look at a pipe's contents (`PeekNamedPipe`) every few milliseconds, a
//! wait on a console, and a file always ready.

use std::io;
use std::time::Duration;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Whether a read of `input` would return at once, waiting for at most
/// `wait`; a signal ends the wait early, as `false`.
pub(crate) fn readable_within(input: &io::StdinLock<'_>, wait: Duration) -> io::Result<bool> {
    imp::readable_within(input, wait)
}
