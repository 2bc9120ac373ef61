//! [`say!`](crate::say): one line on stderr in one `write(2)`.
//!
//! `eprintln!` writes a formatted line piece by piece, one `write(2)` for
//! each literal and each argument, since std's stderr is unbuffered; the
//! writer processes of one run share their stderr, and two of them failing
//! at once would interleave their messages within a line. A line formatted
//! first and written whole is never cut into by another process's (a pipe
//! keeps a write of up to `PIPE_BUF`, 4 KiB, together).

use std::io::Write;

/// Writes `line` and a newline on stderr with one `write_all`. A failure
/// to write to stderr is ignored, as `eprintln!` cannot report it either
/// (it panics instead; a tool saying why it fails must not).
pub fn line(line: std::fmt::Arguments<'_>) {
    let mut text = line.to_string();
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `eprintln!` that writes its line whole: see [`line()`].
///
/// ```
/// crf_tools::say!("crf: cannot open {}: {}", "app.log", "denied");
/// ```
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stderr::line(format_args!($($arg)*))
    };
}
