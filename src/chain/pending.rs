//! [`Pending`]: what a rotation leaves to do once the lock is released.

use std::path::PathBuf;

/// Work a rotation, done under the lock, leaves for after it: deleting the
/// backups retention let go (slow: their blocks are freed) and gzipping the
/// plain backups.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Backups retention let go, moved aside under hidden names.
    pub(crate) pruned: Vec<PathBuf>,
    /// Plain backups to compress, by their names after the rotation.
    pub(crate) to_compress: Vec<PathBuf>,
}
