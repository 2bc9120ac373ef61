//! Blocks written where a file system will not reserve them (ZFS answers
//! `posix_fallocate` with `EINVAL`): zeros appended up to the length,
//! which a full disk refuses just the same. Appended, never written over:
//! another process may have mapped the file and stored into it between
//! the look at its length and the write, and an append never touches a
//! byte that is there. Two processes appending at once leave the file
//! longer than asked, which costs a few KiB and nothing else.

use std::fs::File;
use std::io::{self, Write};

/// Appends zeros until `file` is `len` bytes long: written blocks, where a
/// file system will not reserve them.
pub(super) fn append_up_to(file: &File, len: u64) -> io::Result<()> {
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
    fn a_file_system_refusing_to_reserve_gets_the_blocks_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = open(&dir.path().join("state"));
        append_up_to(&file, LEN).unwrap();
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
        append_up_to(&file, LEN).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, LEN);
        assert_eq!(&bytes[..17], b"stored by another");
        assert!(bytes[17..].iter().all(|&b| b == 0));
        // Long enough already: nothing written, however it is allocated.
        append_up_to(&file, LEN).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }

    #[test]
    #[ignore = "needs root (mounts a tmpfs to fill); .ci/run runs it as root, with --ignored"]
    fn a_file_system_refusing_to_reserve_and_full_is_an_error_at_once() {
        let base = tempfile::tempdir().unwrap();
        let fs = test_support::SmallFs::mount(&base.path().join("small"));
        fs.fill("ballast");
        let file = open(&fs.path().join("state"));
        let err = append_up_to(&file, LEN).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
        // The reservation of the system (tmpfs reserves) says so too.
        let err = super::super::allocate(&file, LEN).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{err}");
    }
}
