//! Blocks for a file before it is mapped. A store into a mapping whose
//! page needs a block the disk does not have is a SIGBUS, not an error;
//! so the state file's blocks are taken when it is opened, where a full
//! disk is an error naming the file (guarantee: errors name the path).
//!
//! Each system reserves blocks its own way (`imp`): `posix_fallocate(3)`,
//! or `fcntl(F_PREALLOCATE)` on macOS, which has no `posix_fallocate`;
//! on Windows, setting the end of the file (`SetEndOfFile`), which takes
//! the blocks up to it on NTFS. A Unix file system may refuse to reserve
//! (ZFS answers `EINVAL`): the blocks are then written instead (`zeros`).
//!
//! A copy-on-write file system (ZFS, btrfs) writes every change of a
//! block to a new one, so nothing done at open covers a later store; a
//! fault that still comes is survived (see `sigbus`).

use std::fs::File;
use std::io;

#[cfg(target_vendor = "apple")]
mod macos;
#[cfg(target_vendor = "apple")]
use macos as imp;
#[cfg(all(unix, not(target_vendor = "apple")))]
mod unix;
#[cfg(all(unix, not(target_vendor = "apple")))]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;
#[cfg(unix)]
mod zeros;

/// Makes `file` at least `len` bytes long with its first `len` bytes'
/// blocks taken, never changing a byte already in it: `Err` (`ENOSPC`,
/// `ERROR_DISK_FULL`) on a full disk.
pub(crate) fn allocate(file: &File, len: u64) -> io::Result<()> {
    imp::allocate(file, len)
}

/// Whether the file `meta` describes is `len` bytes long at least, with
/// their blocks taken (where the system tells: Unix; on Windows the
/// length alone says it, see `allocate`).
pub(crate) fn is_allocated(meta: &std::fs::Metadata, len: u64) -> bool {
    meta.len() >= len && imp::blocks_taken(meta).is_none_or(|bytes| bytes >= len)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEN: u64 = 4096;

    #[test]
    #[cfg_attr(
        windows,
        ignore = "wine cannot judge: its files report no clusters taken by SetEndOfFile; run on real Windows (NTFS) with --include-ignored"
    )]
    fn a_file_is_allocated_whole_and_long_enough() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.path().join("state"))
            .unwrap();
        allocate(&file, LEN).unwrap();
        assert_eq!(file.metadata().unwrap().len(), LEN);
        let taken = imp::allocated_bytes(&file).unwrap();
        assert!(taken >= LEN, "{taken} bytes allocated");
    }
}
