//! Gzip of backups: the [`Compression`] option, the compressor thread each
//! process runs off the writers' path ([`compressor`]), the file each gzip
//! is written to until complete ([`temp`]), what is left of its work
//! ([`progress`]), and how the process's exit waits for it ([`at_exit`]).

pub(crate) mod at_exit;
pub(crate) mod compressor;
pub(crate) mod progress;
pub(crate) mod temp;

/// How rotated backups are stored. Set with
/// [`Builder::compression`](crate::Builder::compression).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// Backups stay plain text: `app.log.1`, `app.log.2`, ...
    #[default]
    None,
    /// Backups are gzipped, `app.log.1.gz`, ..., by a thread of each
    /// process, outside the lock; see
    /// [`Builder::compression`](crate::Builder::compression).
    Gzip,
}
