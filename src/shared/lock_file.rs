//! The lock file.
//!
//! Every writer of a log file, in any process, takes an exclusive lock
//! (an `flock`, or what the system has instead: `sys::file_lock`) on one
//! lock file before it checks, rotates or writes the log (how it waits,
//! and how exclusion survives the file being deleted, is `exclusion`'s
//! business). The lock file is never deleted by the library and its
//! contents are never touched (Python's timed handler keeps text in its
//! own). The kernel releases the lock when its holder dies.

use std::fs::File;
use std::io;
use std::path::Path;

use crate::sys::dir::At;
use crate::sys::file_lock::{self, Span};
use crate::sys::fs::FileId;
use crate::sys::open::{self, Access, FileMode};
use crate::sys::presence;

/// An open lock file.
#[derive(Debug)]
pub(crate) struct LockFile {
    file: File,
    id: FileId,
    /// Whether this descriptor says it is present (see `presence`).
    present: presence::Mark,
}

impl LockFile {
    pub(crate) fn open(at: &At<'_>, mode: FileMode) -> io::Result<LockFile> {
        let (file, meta) = open::open_or_create(at, Access::ReadWrite, mode)?;
        let id = FileId::of(&file, &meta)?;
        // Present for as long as this file is open (see `presence`). If it
        // cannot say so, others may take it for absent: then it never
        // finds itself alone either (see `alone`).
        let present = presence::Mark::announce(&file);
        Ok(LockFile { file, id, present })
    }

    /// Whether no other process (nor another descriptor of this one) has
    /// this lock file open: one syscall.
    /// Never while this descriptor is not present itself.
    pub(crate) fn alone(&self) -> bool {
        self.present.alone(&self.file)
    }

    /// Says this descriptor is present (again) or no longer is.
    pub(crate) fn be_present(&mut self, present: bool) -> io::Result<()> {
        self.present.set(&self.file, present)
    }

    /// Which file this is, as `(device, inode)`.
    pub(crate) fn id(&self) -> (u64, u64) {
        self.id.pair()
    }

    /// Which file this is.
    pub(crate) fn file_id(&self) -> FileId {
        self.id
    }

    /// Whether `path` still names this lock file: not if it was deleted, or
    /// its directory removed, since it was opened (one `stat`).
    pub(crate) fn is_at(&self, path: &Path) -> io::Result<bool> {
        Ok(FileId::at(path)? == Some(self.id))
    }

    /// Takes the exclusive lock if it is free; `false` if another holds it.
    pub(crate) fn try_lock(&self) -> io::Result<bool> {
        file_lock::try_lock(&self.file, Span::LockFile)
    }

    /// Lets the lock go.
    pub(crate) fn unlock(&self) {
        // Releasing a lock held through a valid handle cannot fail in
        // practice; if it did, closing the file (on reopen or drop) still
        // releases it.
        let _ = file_lock::unlock(&self.file, Span::LockFile);
    }

    /// Waits until the exclusive lock is ours.
    pub(crate) fn lock(&self) -> io::Result<()> {
        file_lock::lock(&self.file, Span::LockFile)
    }
}
