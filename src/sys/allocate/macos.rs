//! Blocks reserved with `fcntl(F_PREALLOCATE)`, then the length set over
//! them: macOS has no `posix_fallocate(3)`, and this is how programs that
//! map files there (LLVM's linker output among them) take their blocks.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

pub(super) fn allocate(file: &File, len: u64) -> io::Result<()> {
    let length = libc::off_t::try_from(len).map_err(|_| io::ErrorKind::InvalidInput)?;
    // All of it or nothing, from the end of the blocks the file has: more
    // than needed when it has some, never less.
    let mut store = libc::fstore_t {
        fst_flags: libc::F_ALLOCATEALL,
        fst_posmode: libc::F_PEOFPOSMODE,
        fst_offset: 0,
        fst_length: length,
        fst_bytesalloc: 0,
    };
    // SAFETY: F_PREALLOCATE on a descriptor `file` keeps open, with a live
    // `fstore_t` it reads and fills; it changes no byte of the file nor its
    // length. std cannot allocate blocks.
    if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_PREALLOCATE, &mut store) } != 0 {
        let e = io::Error::last_os_error();
        return match e.raw_os_error() {
            // The file system does not preallocate.
            Some(libc::EINVAL | libc::ENOTSUP | libc::EOPNOTSUPP) => {
                super::zeros::append_up_to(file, len)
            }
            _ => Err(e),
        };
    }
    // Every process extends to the same length: a race changes nothing,
    // and a file already that long is left alone.
    if file.metadata()?.len() < len {
        file.set_len(len)?;
    }
    Ok(())
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
