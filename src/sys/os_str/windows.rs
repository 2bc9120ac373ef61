//! A name's bytes are std's encoding of it (WTF-8).

use std::ffi::OsStr;

pub(super) fn bytes(name: &OsStr) -> &[u8] {
    name.as_encoded_bytes()
}

pub(super) fn from_bytes(bytes: &[u8]) -> &OsStr {
    // SAFETY: the library only passes bytes that `bytes` gave, whole or
    // split next to an ASCII character (a dot), or ASCII of its own, which
    // is what `from_encoded_bytes_unchecked` accepts. std converts no
    // bytes to a Windows name otherwise.
    unsafe { OsStr::from_encoded_bytes_unchecked(bytes) }
}
