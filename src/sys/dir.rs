//! [`Dir`]: a directory the library works in, and [`At`]: a file named
//! relative to one.
//!
//! On Unix a `Dir` is held open by a descriptor, and every file in it is
//! reached through that descriptor (`openat`, `renameat`, `linkat`,
//! `unlinkat`), so that a directory swapped for a symlink, or removed and
//! made anew, after it was opened redirects nothing done through it
//! (guarantee: no symlink followed). Windows has no such calls: there a
//! `Dir` is its path, checked when opened (a symlink or junction at the
//! hidden directory's name is refused just the same), and files in it are
//! reached by joined paths; a directory swapped after it was opened is
//! followed, which `docs/platforms.md` says.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

pub(crate) use imp::{At, Dir};

/// The flags that open a file for an [`Access`] (`sys/` only).
#[cfg(unix)]
pub(crate) use imp::flags;

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Every write at the end (`O_APPEND`, `FILE_APPEND_DATA`), and read,
    /// to see how the file ends: the log file.
    Append,
    /// Read and write: the lock and state files, temporaries.
    ReadWrite,
}
