//! The live log file as one process holds it open.
//!
//! Opened by path with `O_APPEND | O_NOFOLLOW`, so every `write(2)` lands at
//! the end of the file whoever else appends, and a symlink at the log path is
//! refused. The file is known by its device and inode, which is how a writer
//! tells whether the path still names it (guarantee: rotated once).

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use crate::sys::fs::FileId;
use crate::sys::open::{self, Access, FileMode};

/// The open live file.
#[derive(Debug)]
pub(crate) struct LiveFile {
    file: File,
    id: FileId,
}

// === impl LiveFile ===

impl LiveFile {
    /// Opens the log file at `path`, creating it if missing.
    pub(crate) fn open(path: &Path, mode: FileMode) -> io::Result<LiveFile> {
        let (file, meta) = open::open_or_create(path, Access::Append, mode)?;
        Ok(LiveFile {
            id: FileId::of(&meta),
            file,
        })
    }

    /// Whether both are the same file.
    pub(crate) fn same_file(&self, other: &LiveFile) -> bool {
        self.id == other.id
    }

    /// Whether `path` still names this file (one `stat` of the path).
    pub(crate) fn is_at(&self, path: &Path) -> io::Result<bool> {
        Ok(self.size_at(path)?.is_some())
    }

    /// The file's size if `path` still names it (one `stat` of the path).
    pub(crate) fn size_at(&self, path: &Path) -> io::Result<Option<u64>> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) if FileId::of(&meta) == self.id => Ok(Some(meta.len())),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The file's size now, whoever wrote it (one `lseek`).
    pub(crate) fn end(&self) -> io::Result<u64> {
        (&self.file).seek(SeekFrom::End(0))
    }

    /// Appends `record` with one `write(2)` when the kernel takes it whole,
    /// as it does for regular files short of an error. If an error stops it
    /// part-way, the part written is cut off again (`size` is the file's size
    /// before, known under the lock), so no torn record stays in the file.
    pub(crate) fn append(&self, record: &[u8], size: u64) -> io::Result<()> {
        let mut rest = record;
        while !rest.is_empty() {
            match (&self.file).write(rest) {
                Ok(0) => return self.undo(size, io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.undo(size, e),
            }
        }
        Ok(())
    }

    /// When the file was last written (one `fstat`).
    pub(crate) fn modified(&self) -> io::Result<std::time::SystemTime> {
        self.file.metadata()?.modified()
    }

    /// Cuts the file back to `size` bytes.
    pub(crate) fn truncate(&self, size: u64) -> io::Result<()> {
        self.file.set_len(size)
    }

    fn undo(&self, size: u64, err: io::Error) -> io::Result<()> {
        // If even the truncate fails, the error that matters is the write's.
        let _ = self.file.set_len(size);
        Err(err)
    }
}
