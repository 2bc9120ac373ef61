//! Opening and creating the library's files without following symlinks.
//!
//! Every file the library opens in the log directory (the log, the lock, the
//! state file) is opened with `O_NOFOLLOW`, so a link planted at its name is
//! refused rather than written through (SPEC invariant 10). A file this call
//! creates gets the configured mode.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The permission bits for files the library creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileMode {
    pub(crate) bits: u32,
    /// Set exactly, whatever the umask (the user asked for this mode), rather
    /// than filtered through the umask like any `open(2)`.
    pub(crate) exact: bool,
}

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Write-only, every write at the end (`O_APPEND`): the log file.
    Append,
    /// Read and write: the lock and state files.
    ReadWrite,
}

/// Opens `path`, creating it if missing, never through a symlink.
pub(crate) fn open_or_create(path: &Path, access: Access, mode: FileMode) -> io::Result<File> {
    let mut options = OpenOptions::new();
    match access {
        Access::Append => options.append(true),
        Access::ReadWrite => options.read(true).write(true),
    };
    options.custom_flags(libc::O_NOFOLLOW).mode(mode.bits);
    if !mode.exact {
        return options.create(true).open(path);
    }
    // The mode must be exact only on the file we create, so find out whether
    // we created it: exclusive create first, then open what exists.
    loop {
        match options.clone().create_new(true).open(path) {
            Ok(file) => {
                file.set_permissions(std::fs::Permissions::from_mode(mode.bits))?;
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        match options.open(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue, // removed in between
            other => return other,
        }
    }
}
