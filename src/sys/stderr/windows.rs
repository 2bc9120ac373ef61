//! std's stderr: without `fork()`, no thread can hold its lock for ever,
//! and std writes to a console in the console's own encoding.

use std::io::Write;

pub(super) fn write_all(bytes: &[u8]) {
    // No stderr (a service without a console) is no error worth more.
    let _ = std::io::stderr().write_all(bytes);
}
