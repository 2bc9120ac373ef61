//! Signals both tools handle the same way: `SIGXFSZ` ignored, and SIGTERM
//! and SIGINT turned into a request to stop that the tool honours at its
//! own pace (`crf` once its input has ended, or its drain timeout passed,
//! leaving a signal it was started ignoring ignored; `crf-stress` by
//! stopping its writers and removing its temporary directory).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

/// Ignores `SIGXFSZ`, so that a write past the file size limit
/// (`RLIMIT_FSIZE`, `ulimit -f`) fails with `EFBIG`, which the tool reports
/// as a write error naming the file, instead of killing the process with
/// no word said.
///
/// # Errors
///
/// If `sigaction(2)` fails, which it does not for this signal.
pub fn ignore_file_size_limit_signal() -> io::Result<()> {
    // SAFETY: installing SIG_IGN runs no code of ours in a signal context;
    // std offers no way to set a signal's disposition.
    let previous = unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    if previous == libc::SIG_ERR {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

static STOP: AtomicBool = AtomicBool::new(false);
/// A second stop signal came: whoever waits on something before stopping
/// (`crf`'s drain) stops waiting.
static STOP_AGAIN: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
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
    ask_to_stop_on_term_and_int(false)
}

/// [`stop_on_term_and_int`], except for a signal the process was started
/// ignoring (`nohup`, `trap '' TERM`), which stays ignored, as the one who
/// started it asked: for `crf`, whose input decides when it ends.
///
/// # Errors
///
/// If `sigaction(2)` fails.
pub fn stop_on_term_and_int_unless_ignored() -> io::Result<()> {
    ask_to_stop_on_term_and_int(true)
}

fn ask_to_stop_on_term_and_int(keep_ignored: bool) -> io::Result<()> {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction is valid; a null new action only
        // reads the current one. The handler only stores to an atomic,
        // which is async-signal-safe. std has no signal handling.
        let rc = unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) != 0 {
                return Err(io::Error::last_os_error());
            }
            if keep_ignored && current.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction =
                on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
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
