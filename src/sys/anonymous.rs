//! Files with no name until they are complete: a temporary that no one can
//! open, plant a link at, or find half-written, and that vanishes with
//! its process if it never gets a name.
//!
//! Linux offers them (`O_TMPFILE`, then `linkat` of `/proc/self/fd/N`,
//! which needs no privilege); elsewhere (other Unix systems, Windows), or
//! on a file system without them,
//! [`create`] says so and the caller makes a named temporary instead.

use std::fs::File;
use std::io;

use crate::sys::dir::{Access, At};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;
#[cfg(not(target_os = "linux"))]
mod none;
#[cfg(not(target_os = "linux"))]
use none as imp;

/// Creates a file with no name in the directory `dir`, opened with
/// `access` (read and write, perhaps append), with `mode` (less the
/// umask); `None` where unnamed files are not to be had.
pub(crate) fn create(dir: &At<'_>, access: Access, mode: u32) -> io::Result<Option<File>> {
    #[cfg(test)]
    if WITHOUT.get() {
        return Ok(None);
    }
    imp::create(dir, access, mode)
}

#[cfg(test)]
thread_local! {
    static WITHOUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` as on a system without unnamed files, so that a test on Linux
/// checks the named temporaries too (on this thread only).
#[cfg(all(test, unix))]
pub(crate) fn without<T>(f: impl FnOnce() -> T) -> T {
    WITHOUT.set(true);
    let result = f();
    WITHOUT.set(false);
    result
}

/// Names a file [`create`] made: `to`, never replacing a file already
/// there (`AlreadyExists`, unnamed, so that the caller can tell it from a
/// failure).
pub(crate) fn link(file: &File, to: &At<'_>) -> io::Result<()> {
    imp::link(file, to)
}
