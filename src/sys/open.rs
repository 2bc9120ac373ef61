//! Every open of a file the library works on, never through a symlink
//! (`O_NOFOLLOW`; guarantee: no symlink followed) and only of a regular
//! file. A file created here gets the configured mode.
//!
//! Every open is non-blocking (`O_NONBLOCK`): opening a FIFO planted at
//! one of the library's names would otherwise wait for a peer for ever,
//! with the lock held. The type is checked on the open descriptor, and
//! anything but a regular file is refused with an error saying what it is.
//! On a regular file `O_NONBLOCK` changes nothing, so it stays set.
//!
//! On Windows every file is opened sharing reading, writing and deletion
//! (`FILE_SHARE_DELETE`: another process may rename or delete it while
//! it is open, as a rotation does), with `FILE_FLAG_OPEN_REPARSE_POINT`,
//! so that a symlink is opened as itself and refused, never followed.
//! There is no FIFO to wait on; the type is checked on the handle too.

use std::fs::FileType;
use std::io;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The permission bits and group of files the library creates.
pub(crate) use crate::sys::create::Attributes as FileMode;
pub(crate) use crate::sys::dir::Access;
pub(crate) use imp::{create_new, describe, is_not_ours, open_for_reading, open_or_create};

/// The error for a file of the wrong type, saying what it is.
pub(crate) fn not_regular(file_type: FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", describe(file_type)),
    )
}
