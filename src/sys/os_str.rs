//! A file name's bytes, and a file name made of bytes: on Unix a name is
//! any bytes; on Windows the encoding std keeps (WTF-8), which the library
//! only ever splits at ASCII dots and joins again.

use std::ffi::OsStr;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The bytes of `name`.
pub(crate) fn bytes(name: &OsStr) -> &[u8] {
    imp::bytes(name)
}

/// The name made of `bytes`: on Windows, bytes that [`bytes`] gave, split
/// only next to ASCII characters.
pub(crate) fn from_bytes(bytes: &[u8]) -> &OsStr {
    imp::from_bytes(bytes)
}
