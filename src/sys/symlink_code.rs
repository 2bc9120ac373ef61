//! The system's error code for an open refused because the name is a
//! symlink, which `error::symlink_refused` reports on every path that
//! refuses one (guarantee: no symlink followed). A leaf: it imports
//! nothing of the library, so that `error` may use it.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The code: `ELOOP` on Unix, `ERROR_STOPPED_ON_SYMLINK` on Windows.
pub(crate) const SYMLINK_REFUSED: i32 = imp::SYMLINK_REFUSED;
