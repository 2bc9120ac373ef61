//! [`Stats`]: counters of a log's activity.

use std::time::Duration;

/// Counters of a [`RotatingFile`](crate::RotatingFile)'s activity, from
/// [`RotatingFile::stats`](crate::RotatingFile::stats). Apart from
/// `rotations` (shared by every process writing the file), they count this
/// process's work only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Rotations done by all the processes sharing the file, as the shared
    /// state counts them: a fault that starts the state afresh (its file
    /// deleted, or emptied) starts the count again.
    pub rotations: u64,
    /// Rotations this process did, counted in the process: the sum over
    /// every process that wrote the file is the number of rotations,
    /// whatever happened to the shared state.
    pub own_rotations: u64,
    /// Records this process could not write on paths that cannot return an
    /// error; see [`RotatingFile::write_errors`](crate::RotatingFile::write_errors).
    pub write_errors: u64,
    /// Records this process did not write because the
    /// [`filter`](crate::Builder::filter) dropped them.
    pub filtered: u64,
    /// Failures of this process's work around the records that lost none
    /// of them: deleting a backup retention let go, following a lock or
    /// state file that was replaced, starting the compressor. The first is
    /// printed on stderr, saying what failed on which path.
    pub maintenance_failures: u64,
    /// Backups this process gzipped.
    pub compressed: u64,
    /// Backups this process failed to gzip (they stay plain).
    pub compression_failures: u64,
    /// The longest one of this process's compressions took.
    pub longest_compression: Duration,
    /// The longest this process's compressor held the lock (to create its
    /// temporary file or rename the result): writers never wait for the
    /// compression itself (guarantee: gzip off the lock).
    pub longest_compressor_lock_hold: Duration,
    /// Backup names held both plain and gzipped with different data (the
    /// `.gz` was not made from the plain file: an outside tool put one of
    /// them there), as the chain was last listed. Both are kept; the first
    /// such pair is reported on stderr.
    pub twins_kept: u64,
    /// Rotations this process skipped because a program outside the
    /// library held the live file open without leave to rename it (on
    /// Windows, a handle opened without `FILE_SHARE_DELETE`, as editors
    /// and `type` open files; nothing pins a file on Unix). As Python's
    /// handler does, the records went on into the live file past
    /// `max_bytes` rather than be lost, and each next record that does
    /// not fit tries the rotation again. The first is printed on stderr.
    pub pinned_rotations: u64,
    /// How long this process's rotations held the lock, in all: the
    /// renames (with more than 16 numbered backups, only the live file's:
    /// the rest of the shift is done after, in batches) and the opening of
    /// the new live file.
    pub rotation_lock_hold: Duration,
    /// The longest one of this process's rotations held the lock.
    pub longest_rotation_lock_hold: Duration,
    /// The longest one batch of a shift left for after a rotation's lock
    /// (more than 16 numbered backups) held the lock: at most 32 renames.
    pub longest_shift_batch_lock_hold: Duration,
}
