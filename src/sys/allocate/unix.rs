//! Blocks reserved with `posix_fallocate(3)` (POSIX: Linux, the BSDs).

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

use super::Reserved;

pub(super) fn reserve(file: &File, len: u64) -> io::Result<Reserved> {
    let len = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
    // SAFETY: posix_fallocate on a descriptor `file` keeps open; it never
    // shrinks the file nor changes a byte already in it. std cannot
    // allocate blocks.
    match unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) } {
        0 => Ok(Reserved::Done),
        // The file system does not reserve: ZFS says EINVAL, others
        // EOPNOTSUPP.
        libc::EINVAL | libc::EOPNOTSUPP => Ok(Reserved::Refused),
        errno => Err(io::Error::from_raw_os_error(errno)),
    }
}
