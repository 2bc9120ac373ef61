//! The lock file and how it is held.
//!
//! Every writer of a log file, in any process, takes an exclusive `flock` on
//! one lock file before it checks, rotates or writes the log. Its name (see
//! `names`) is the one Python's `ConcurrentRotatingFileHandler` uses, so
//! both serialise on the same lock. The lock file is never deleted and its
//! contents are never touched (Python's timed handler keeps text there). The
//! kernel releases the lock when its holder dies.
//!
//! A writer that finds the lock held retries without blocking for a short
//! while (the holder keeps it about a microsecond per record), trying every
//! 20 µs, before it sleeps in `flock`: sleeping and being woken costs more than the wait, and
//! with many writers the hand-offs would otherwise bound the throughput.

use std::fs::{File, TryLockError};
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::sys::fs::FileId;
use crate::sys::open::{self, Access, FileMode};

/// Between two non-blocking tries of a held lock. Shorter pauses measured
/// worse: each try is a syscall that contends with the holder's unlock.
const RETRY_PAUSE: Duration = Duration::from_micros(20);

/// An open lock file.
#[derive(Debug)]
pub(crate) struct LockFile {
    file: File,
    id: FileId,
}

/// Proof that the exclusive lock is held; dropping it unlocks.
#[derive(Debug)]
pub(crate) struct Held<'a> {
    file: &'a File,
}

// === impl LockFile ===

impl LockFile {
    pub(crate) fn open(path: &Path, mode: FileMode) -> io::Result<LockFile> {
        let (file, meta) = open::open_or_create(path, Access::ReadWrite, mode)?;
        Ok(LockFile {
            file,
            id: FileId::of(&meta),
        })
    }

    /// Whether `path` still names this lock file: not if its directory was
    /// removed, or the file deleted, since it was opened (one `stat`).
    pub(crate) fn is_at(&self, path: &Path) -> io::Result<bool> {
        Ok(FileId::at(path)? == Some(self.id))
    }

    /// Blocks until this process holds the exclusive lock, retrying without
    /// blocking every [`RETRY_PAUSE`] for up to `spin` first.
    pub(crate) fn lock(&self, spin: Duration) -> io::Result<Held<'_>> {
        if !spin.is_zero() {
            let deadline = Instant::now() + spin;
            loop {
                match self.file.try_lock() {
                    Ok(()) => return Ok(Held { file: &self.file }),
                    Err(TryLockError::WouldBlock) => {}
                    Err(TryLockError::Error(e)) => return Err(e),
                }
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                let until = (now + RETRY_PAUSE).min(deadline);
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
            }
        }
        loop {
            match self.file.lock() {
                Ok(()) => return Ok(Held { file: &self.file }),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // flock(LOCK_UN) on a valid descriptor cannot fail in practice; if it
        // did, closing the descriptor (on reopen or drop) still releases it.
        let _ = self.file.unlock();
    }
}
