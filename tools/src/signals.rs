//! Signals both tools handle the same way.

use std::io;

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
