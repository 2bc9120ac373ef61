//! A name is its bytes (`OsStrExt`).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

pub(super) fn bytes(name: &OsStr) -> &[u8] {
    name.as_bytes()
}

pub(super) fn from_bytes(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}
