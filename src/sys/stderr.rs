//! Messages on stderr, for the failures no caller can be told of (the
//! first of each kind only; the rest are counted).
//!
//! Written with one `write(2)` and no lock: `eprintln!` takes std's stderr
//! lock, which a thread that does not exist in a child after `fork()` may
//! hold for ever.

use std::fmt;

/// Prints `concurrent-rotating-file: <message>` and a newline on stderr.
pub(crate) fn print(message: fmt::Arguments<'_>) {
    let line = format!("concurrent-rotating-file: {message}\n");
    let mut rest = line.as_bytes();
    while !rest.is_empty() {
        // SAFETY: writes `rest.len()` bytes from a live buffer to fd 2; a
        // closed or invalid descriptor only makes write(2) fail. std has no
        // lock-free stderr.
        let n = unsafe { libc::write(2, rest.as_ptr().cast(), rest.len()) };
        match n {
            n if n > 0 => rest = &rest[n as usize..],
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => return,
        }
    }
}
