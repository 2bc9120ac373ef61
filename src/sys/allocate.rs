//! Blocks for a file before it is mapped. A store into a mapping whose
//! page needs a block the disk does not have is a SIGBUS, not an error;
//! so the state file's blocks are taken when it is opened, where a full
//! disk is an error naming the file (guarantee: errors name the path).
//!
//! Each system reserves blocks its own way (`imp`): `posix_fallocate(3)`,
//! or `fcntl(F_PREALLOCATE)` on macOS, which has no `posix_fallocate`.
//! A file system may refuse to reserve (ZFS answers `EINVAL`): the blocks
//! are then written instead, zeros appended up to the length, which a full
//! disk refuses just the same. Appended, never written over: another
//! process may have mapped the file and stored into it between the look
//! at its length and the write, and an append never touches a byte that
//! is there. Two processes appending at once leave the file longer than
//! asked, which costs a few KiB and nothing else.
//!
//! A copy-on-write file system (ZFS, btrfs) writes every change of a
//! block to a new one, so nothing done at open covers a later store; a
//! fault that still comes is survived (see `sigbus`).

use std::fs::File;
use std::io::{self, Write};

#[cfg(target_vendor = "apple")]
mod macos;
#[cfg(target_vendor = "apple")]
use macos as imp;
#[cfg(not(target_vendor = "apple"))]
mod unix;
#[cfg(not(target_vendor = "apple"))]
use unix as imp;

/// What a system's reservation of blocks came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// The blocks are the file's, and it is at least as long as asked.
    Done,
    /// The file system does not reserve blocks: write them.
    Refused,
}

/// Makes `file` at least `len` bytes long with its first `len` bytes'
/// blocks taken, never changing a byte already in it: `Err` (`ENOSPC`) on
/// a full disk.
pub(crate) fn allocate(file: &File, len: u64) -> io::Result<()> {
    allocate_with(file, len, imp::reserve)
}

fn allocate_with(
    file: &File,
    len: u64,
    reserve: impl FnOnce(&File, u64) -> io::Result<Reserved>,
) -> io::Result<()> {
    match reserve(file, len)? {
        Reserved::Done => Ok(()),
        Reserved::Refused => append_zeros_up_to(file, len),
    }
}

/// Appends zeros until `file` is `len` bytes long: written blocks, where a
/// file system will not reserve them.
fn append_zeros_up_to(file: &File, len: u64) -> io::Result<()> {
    let size = file.metadata()?.len();
    let Some(missing) = len.checked_sub(size).filter(|&n| n > 0) else {
        return Ok(());
    };
    let missing = usize::try_from(missing).map_err(|_| io::ErrorKind::InvalidInput)?;
    let append = Appending::on(file)?;
    // A full disk fails this write, here and now.
    let written = (&*file).write_all(&vec![0; missing]);
    append.end()?;
    written
}

/// `O_APPEND` set on a descriptor for a while, so that its writes go to
/// the file's end as it is at the moment of each write, whoever moved it.
struct Appending<'a> {
    file: &'a File,
    flags: libc::c_int,
}

impl<'a> Appending<'a> {
    fn on(file: &'a File) -> io::Result<Appending<'a>> {
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: F_GETFL and F_SETFL on a descriptor `file` keeps open
        // read and change only the status flags of its open file
        // description, which is this process's alone (it was opened for
        // the caller, not shared). std cannot change the flags of an open
        // file.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_APPEND) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Appending { file, flags })
    }

    /// Restores the flags as they were.
    fn end(self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: as in `on`.
        let rc = unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_SETFL, self.flags) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileExt, MetadataExt};

    const LEN: u64 = 4096;

    fn refused(_: &File, _: u64) -> io::Result<Reserved> {
        Ok(Reserved::Refused)
    }

    fn open(path: &std::path::Path) -> File {
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap()
    }

    #[test]
    fn a_file_is_allocated_whole_and_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let file = open(&dir.path().join("state"));
        allocate(&file, LEN).unwrap();
        let meta = file.metadata().unwrap();
        assert_eq!(meta.len(), LEN);
        assert!(meta.blocks() * 512 >= LEN, "{} blocks", meta.blocks());
    }

    #[test]
    fn a_file_system_refusing_to_reserve_gets_the_blocks_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = open(&dir.path().join("state"));
        allocate_with(&file, LEN, refused).unwrap();
        let meta = file.metadata().unwrap();
        assert_eq!(meta.len(), LEN);
        assert!(
            meta.blocks() * 512 >= LEN,
            "sparse: {} blocks",
            meta.blocks()
        );
        // The descriptor writes where it is told again, not at the end.
        file.write_all_at(b"magic", 0).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("state")).unwrap()[..5],
            *b"magic"
        );
    }

    #[test]
    fn writing_the_blocks_never_changes_a_byte_already_there() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state");
        // Stored by another process, into a file someone shrank.
        std::fs::write(&path, b"stored by another").unwrap();
        let file = open(&path);
        allocate_with(&file, LEN, refused).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, LEN);
        assert_eq!(&bytes[..17], b"stored by another");
        assert!(bytes[17..].iter().all(|&b| b == 0));
        // Long enough already: nothing written, however it is allocated.
        allocate_with(&file, LEN, refused).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    #[ignore = "needs root (mounts a tmpfs to fill); .ci/run runs it as root, with --ignored"]
    fn a_file_system_refusing_to_reserve_and_full_is_an_error_at_once() {
        let base = tempfile::tempdir().unwrap();
        let fs = test_support::SmallFs::mount(&base.path().join("small"));
        fs.fill("ballast");
        let file = open(&fs.path().join("state"));
        let err = allocate_with(&file, LEN, refused).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
        // The reservation of the system (tmpfs reserves) says so too.
        let err = allocate(&file, LEN).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
    }
}
