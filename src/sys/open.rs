//! Every open of a file the library works on, never through a symlink
//! (`O_NOFOLLOW`; guarantee: no symlink followed) and only of a regular
//! file. A file created here gets the configured mode.

use std::fs::{File, Metadata, OpenOptions};
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

impl FileMode {
    /// `0o644` less the umask, like any `open(2)`.
    pub(crate) const DEFAULT: FileMode = FileMode {
        bits: 0o644,
        exact: false,
    };
}

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Write-only, every write at the end (`O_APPEND`): the log file.
    Append,
    /// Read and write: the lock and state files.
    ReadWrite,
}

/// Opens the regular file at `path`, creating it if missing, never through
/// a symlink; returns it with its metadata.
pub(crate) fn open_or_create(
    path: &Path,
    access: Access,
    mode: FileMode,
) -> io::Result<(File, Metadata)> {
    let mut options = OpenOptions::new();
    match access {
        Access::Append => options.append(true),
        Access::ReadWrite => options.read(true).write(true),
    };
    options.custom_flags(libc::O_NOFOLLOW).mode(mode.bits);
    if !mode.exact {
        return regular(options.create(true).open(path)?);
    }
    // The mode must be exact only on the file we create, so find out whether
    // we created it: exclusive create first, then open what exists.
    loop {
        match options.clone().create_new(true).open(path) {
            Ok(file) => {
                file.set_permissions(std::fs::Permissions::from_mode(mode.bits))?;
                return regular(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        match options.open(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue, // removed in between
            other => return regular(other?),
        }
    }
}

/// Opens an existing file for reading, never through a symlink: a backup
/// to compress, or a temporary file whose claim is tested.
pub(crate) fn open_for_reading(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Opens a temporary file for writing, creating it if missing but never
/// emptying it (only its claimant may), never through a symlink.
pub(crate) fn open_temporary(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

fn regular(file: File) -> io::Result<(File, Metadata)> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta))
}
