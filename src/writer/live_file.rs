//! The live log file as one process holds it open.
//!
//! Opened by path with `O_APPEND | O_NOFOLLOW`, so every `write(2)` lands at
//! the end of the file whoever else appends, and a symlink at the log path is
//! refused. The file is known by its device and inode, which is how a writer
//! tells whether the path still names it (guarantee: rotated once).
//!
//! Nothing here ever shrinks the file: a shipper may already have read any
//! byte of it. A record cut short (the writer killed inside its `write(2)`,
//! or the disk full part-way) is ended with a newline instead, and stays
//! visible as one torn line, never glued to the next record.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use crate::sys::dir::At;
use crate::sys::fs::{FileId, read_at, stat};
use crate::sys::open::{self, Access, FileMode};

/// The open live file.
#[derive(Debug)]
pub(crate) struct LiveFile {
    file: File,
    id: FileId,
    /// The size the open's `fstat` saw.
    opened_size: u64,
}

/// A `write(2)` that failed after `written` bytes of its record were in.
#[derive(Debug)]
pub(crate) struct ShortWrite {
    pub(crate) written: usize,
    pub(crate) error: io::Error,
}

// === impl LiveFile ===

impl LiveFile {
    /// Opens the log file at `path`, creating it if missing.
    pub(crate) fn open(path: &Path, mode: FileMode) -> io::Result<LiveFile> {
        let (file, meta) = open::open_or_create(&At::path(path), Access::Append, mode)?;
        Ok(LiveFile {
            id: FileId::of(&file, &meta)?,
            opened_size: meta.len(),
            file,
        })
    }

    /// The file's size when opened (no syscall: the open's `fstat` told).
    pub(crate) fn opened_size(&self) -> u64 {
        self.opened_size
    }

    /// The file's device and inode.
    pub(crate) fn id(&self) -> FileId {
        self.id
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
        match stat(path)? {
            Some(found) if found.id == self.id => Ok(Some(found.meta.len())),
            _ => Ok(None),
        }
    }

    /// The file's size now, whoever wrote it (one `lseek`).
    pub(crate) fn end(&self) -> io::Result<u64> {
        (&self.file).seek(SeekFrom::End(0))
    }

    /// Appends `bytes` with one `write(2)` when the kernel takes them whole,
    /// as it does for regular files short of an error; an error part-way
    /// says how much went in.
    pub(crate) fn append(&self, bytes: &[u8]) -> Result<(), ShortWrite> {
        let mut written = 0;
        while written < bytes.len() {
            match (&self.file).write(&bytes[written..]) {
                Ok(0) => {
                    let error = io::ErrorKind::WriteZero.into();
                    return Err(ShortWrite { written, error });
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(ShortWrite { written, error }),
            }
        }
        Ok(())
    }

    /// Ends a record cut short at the end of the file with a newline, unless
    /// the file already ends at a line's end (or is empty); returns the
    /// file's size afterwards. Fails, leaving the file as it is, when even
    /// the newline cannot be written (the disk still full).
    pub(crate) fn end_torn_record(&self) -> io::Result<u64> {
        let end = self.end()?;
        let mut last = [0];
        if end > 0 && read_at(&self.file, &mut last, end - 1)? == 1 && last[0] != b'\n' {
            (&self.file).write_all(b"\n")?;
            return Ok(end + 1);
        }
        Ok(end)
    }

    /// When the file was last written (one `fstat`).
    pub(crate) fn modified(&self) -> io::Result<std::time::SystemTime> {
        self.file.metadata()?.modified()
    }
}
