//! [`Pending`]: what a rotation leaves to do once the lock is released.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::sys::exit_gate::Passage;
use crate::sys::fs::FileId;

/// Work a rotation, done under the lock, leaves for after it: deleting the
/// backups retention let go (slow: their blocks are freed), gzipping the
/// plain backups, and shifting a long numbered chain up (see `numbered`).
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Backups retention let go, moved aside: their names in the library's
    /// hidden directory.
    pub(crate) pruned: Vec<OsString>,
    /// Plain backups to compress, by their names after the rotation.
    pub(crate) to_compress: Vec<PathBuf>,
    /// The rotation left the chain's shift to do, in batches, each under
    /// the lock (a long numbered chain).
    pub(crate) shift_left: bool,
    /// Where that shift got to, so that the next batch need not list the
    /// chain.
    pub(crate) shift_from: Option<Resume>,
    /// Shifts left by earlier rotations that this one finished first.
    pub(crate) shifts_finished: u64,
    /// The rotation under way, for the process's exit to wait for: held
    /// until what it left (the shift, the backups to delete) is done.
    pub(crate) rotation: Option<Passage>,
}

/// How far [`Backups::finish_shift`](crate::chain::Backups::finish_shift)
/// got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shift {
    /// No shift was left to do.
    None,
    /// Some of it done; more to do, in the next batch.
    Unfinished(Resume),
    /// Done now: the rotated file is `.1`.
    Finished,
}

/// Where a shift left for after the lock got to, as its last batch left
/// it: a hint for the next batch, used only if the same rotated file still
/// waits (someone else may have finished that shift and started another
/// meanwhile) and the chain agrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    /// The rotated file waiting for the shift.
    pub(crate) waiting: FileId,
    /// The number of the next backup to move.
    pub(crate) next: usize,
}
