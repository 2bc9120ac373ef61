//! `stat(2)`'s fields (`MetadataExt`), `pread(2)` (`FileExt`), and std's
//! `rename(2)` and `unlink(2)`.

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;

use super::{FileId, Stat};

pub(super) fn id_of(_: &File, meta: &Metadata) -> io::Result<FileId> {
    Ok(FileId::from_raw(meta.dev(), meta.ino()))
}

pub(super) fn stat(path: &Path) -> io::Result<Stat> {
    Ok(described(std::fs::symlink_metadata(path)?))
}

pub(super) fn stat_file(_: &File, meta: Metadata) -> io::Result<Stat> {
    Ok(described(meta))
}

fn described(meta: Metadata) -> Stat {
    Stat {
        id: FileId::from_raw(meta.dev(), meta.ino()),
        links: meta.nlink(),
        changed: meta.ctime(),
        meta,
    }
}

pub(super) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.read_at(buf, offset)
}

pub(super) fn remove(path: &Path) -> io::Result<()> {
    std::fs::remove_file(path)
}

pub(super) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}
