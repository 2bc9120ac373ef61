//! A file pinned by a program outside the library: held open without
//! leave to rename it, so that no rotation can move it until that program
//! closes it. Windows has such holds (a handle opened without
//! `FILE_SHARE_DELETE`, as editors, `type` and many viewers open files;
//! the library's own handles all share delete); Unix has none, a rename
//! there never depends on who has the file open, so [`movable`] costs
//! nothing on Unix.

use std::path::Path;
use std::time::Duration;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Whether the file at `path` can be renamed now, waiting up to
/// `patience` for a program that pins it to let go. A file that is gone,
/// or that cannot be asked, counts as movable: the rename itself then
/// says what is wrong.
#[inline]
pub(crate) fn movable(path: &Path, patience: Duration) -> bool {
    imp::movable(path, patience)
}

/// What pins a file, for the message saying a rotation was skipped.
pub(crate) const PINNED_BY: &str = imp::PINNED_BY;
