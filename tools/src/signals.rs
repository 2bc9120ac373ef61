//! Signals both tools handle the same way: `SIGXFSZ` ignored, and SIGTERM
//! and SIGINT turned into a request to stop that the tool honours at its
//! own pace (`crf` once its input has ended, or its drain timeout passed,
//! leaving a signal it was started ignoring ignored; `crf-stress` by
//! stopping its writers and removing its temporary directory). On Windows
//! the console's control events (Ctrl-C, Ctrl-Break, the console closed)
//! are the stop signals, and there is no file size limit signal.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Ignores `SIGXFSZ`, so that a write past the file size limit
/// (`RLIMIT_FSIZE`, `ulimit -f`) fails with `EFBIG`, which the tool reports
/// as a write error naming the file, instead of killing the process with
/// no word said.
///
/// # Errors
///
/// If `sigaction(2)` fails, which it does not for this signal.
pub fn ignore_file_size_limit_signal() -> io::Result<()> {
    imp::ignore_file_size_limit_signal()
}

static STOP: AtomicBool = AtomicBool::new(false);
/// A second stop signal came: whoever waits on something before stopping
/// (`crf`'s drain) stops waiting.
static STOP_AGAIN: AtomicBool = AtomicBool::new(false);

/// What a stop signal does: asks to stop, and the second time again.
fn on_stop() {
    if STOP.swap(true, Ordering::SeqCst) {
        STOP_AGAIN.store(true, Ordering::SeqCst);
    }
}

/// Makes SIGTERM and SIGINT ask the process to stop ([`stop_asked`])
/// rather than end it. Installed without `SA_RESTART`, so that a blocked
/// `read` returns (`Interrupted`) and the caller sees the request.
///
/// # Errors
///
/// If `sigaction(2)` fails.
pub fn stop_on_term_and_int() -> io::Result<()> {
    imp::ask_to_stop_on_term_and_int(false)
}

/// [`stop_on_term_and_int`], except for a signal the process was started
/// ignoring (`nohup`, `trap '' TERM`), which stays ignored, as the one who
/// started it asked: for `crf`, whose input decides when it ends.
///
/// # Errors
///
/// If `sigaction(2)` fails.
pub fn stop_on_term_and_int_unless_ignored() -> io::Result<()> {
    imp::ask_to_stop_on_term_and_int(true)
}

/// Whether SIGTERM or SIGINT arrived since [`stop_on_term_and_int`].
pub fn stop_asked() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// Whether a second SIGTERM or SIGINT arrived: an impatient Ctrl-C.
pub fn stop_asked_again() -> bool {
    STOP_AGAIN.load(Ordering::SeqCst)
}

/// A point where a long task gives up if a stop was asked ([`stop_asked`]).
///
/// # Errors
///
/// `Interrupted` if SIGTERM or SIGINT arrived.
pub fn unless_stop_asked() -> io::Result<()> {
    if stop_asked() {
        Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "stopped by SIGINT or SIGTERM",
        ))
    } else {
        Ok(())
    }
}
