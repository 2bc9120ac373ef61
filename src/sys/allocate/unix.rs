//! Blocks reserved with `posix_fallocate(3)` (POSIX: Linux, the BSDs).

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

pub(super) fn allocate(file: &File, len: u64) -> io::Result<()> {
    let length = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
    // SAFETY: posix_fallocate on a descriptor `file` keeps open; it never
    // shrinks the file nor changes a byte already in it. std cannot
    // allocate blocks.
    match unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, length) } {
        0 => Ok(()),
        // The file system does not reserve: ZFS says EINVAL, others
        // EOPNOTSUPP.
        libc::EINVAL | libc::EOPNOTSUPP => super::zeros::append_up_to(file, len),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}

/// How many bytes of blocks the file has.
#[cfg(test)]
pub(super) fn allocated_bytes(file: &File) -> io::Result<u64> {
    use std::os::unix::fs::MetadataExt;
    Ok(file.metadata()?.blocks() * 512)
}

/// The bytes of blocks `stat(2)` says the file has.
pub(super) fn blocks_taken(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.blocks() * 512)
}
