//! Blocks taken by setting the end of the file (`SetEndOfFile`, std's
//! `set_len`): NTFS allocates the clusters up to the new end at once, and
//! a full disk refuses there (`ERROR_DISK_FULL`); the bytes read as zeros
//! until written. A mapped file cannot be shrunk on Windows (error 1224),
//! which is why no fault can come from a state file emptied under the
//! writers (see `sigbus`).

use std::fs::File;
use std::io;

pub(super) fn allocate(file: &File, len: u64) -> io::Result<()> {
    // Every process extends to the same length: a race changes nothing,
    // and a file already that long is left alone (never shrunk).
    if file.metadata()?.len() < len {
        file.set_len(len)?;
    }
    Ok(())
}

/// How many bytes of clusters the file has
/// (`FILE_STANDARD_INFO::AllocationSize`).
#[cfg(test)]
pub(super) fn allocated_bytes(file: &File) -> io::Result<u64> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        FILE_STANDARD_INFO, FileStandardInfo, GetFileInformationByHandleEx,
    };
    // SAFETY: an all-zero FILE_STANDARD_INFO is valid; the call fills it
    // from a handle `file` keeps open, told its exact size.
    let info = unsafe {
        let mut info: FILE_STANDARD_INFO = std::mem::zeroed();
        let ok = GetFileInformationByHandleEx(
            file.as_raw_handle(),
            FileStandardInfo,
            (&raw mut info).cast(),
            size_of::<FILE_STANDARD_INFO>() as u32,
        );
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        info
    };
    Ok(u64::try_from(info.AllocationSize).unwrap_or(0))
}

/// Not told by the metadata; the length says it (see the module).
pub(super) fn blocks_taken(_: &std::fs::Metadata) -> Option<u64> {
    None
}
