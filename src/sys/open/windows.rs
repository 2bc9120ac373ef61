//! `CreateFileW` through std, sharing reading, writing and deletion, with
//! `FILE_FLAG_OPEN_REPARSE_POINT`: a symlink at the name is opened as
//! itself, and then refused. The type is checked on the open handle.

use std::fs::{File, FileType, Metadata, OpenOptions};
use std::io;
use std::os::windows::fs::OpenOptionsExt;

use windows_sys::Win32::Storage::FileSystem::{
    FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
};

use crate::error::{is_symlink_refused, symlink_refused};
use crate::sys::dir::{Access, At};

use super::{FileMode, not_regular};

/// Options every open starts from: another process may read, write,
/// rename or delete the file while it is open (a rotation renames the
/// live file under its other writers and its shippers).
fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
    options
}

fn with_access(access: Access) -> OpenOptions {
    let mut options = options();
    options.read(true);
    match access {
        // FILE_APPEND_DATA without FILE_WRITE_DATA: every write goes to
        // the end, whole, whoever else appends.
        Access::Append => options.append(true),
        Access::ReadWrite => options.write(true),
    };
    options
}

/// Opens the regular file at `at`, creating it if missing, never through
/// a symlink; returns it with its metadata. Files are made plainly: a
/// mode or group was refused at `open()`.
pub(crate) fn open_or_create(
    at: &At<'_>,
    access: Access,
    _: FileMode,
) -> io::Result<(File, Metadata)> {
    let file = with_access(access)
        .create(true)
        .open(at.shown())
        .map_err(|e| explain(e, at))?;
    regular(file)
}

/// Opens an existing file for reading, never through a symlink.
pub(crate) fn open_for_reading(at: &At<'_>) -> io::Result<File> {
    let file = options()
        .read(true)
        .open(at.shown())
        .map_err(|e| explain(e, at))?;
    Ok(regular(file)?.0)
}

/// Creates a file at `at` that is not there yet (`AlreadyExists` if
/// anything is), for reading and writing.
pub(crate) fn create_new(at: &At<'_>, _: FileMode) -> io::Result<File> {
    let file = with_access(Access::ReadWrite)
        .create_new(true)
        .open(at.shown())
        .map_err(|e| explain(e, at))?;
    Ok(file)
}

/// A directory at the name fails to open as a file (access denied):
/// say what it is instead.
fn explain(e: io::Error, at: &At<'_>) -> io::Error {
    match std::fs::symlink_metadata(at.shown()) {
        Ok(meta) if meta.file_type().is_symlink() => symlink_refused(),
        Ok(meta) if !meta.is_file() && e.kind() != io::ErrorKind::AlreadyExists => {
            not_regular(meta.file_type())
        }
        _ => e,
    }
}

fn regular(file: File) -> io::Result<(File, Metadata)> {
    let meta = file.metadata()?;
    if meta.file_type().is_symlink() {
        return Err(symlink_refused());
    }
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    Ok((file, meta))
}

/// Whether an open failed because something other than a regular file
/// sits at the name: at one of the library's private names, such a thing
/// is no file of the library's, and is removed.
pub(crate) fn is_not_ours(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidInput || is_symlink_refused(e)
}

/// What a file that is not a regular file is, in words.
pub(crate) fn describe(file_type: FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a device or another special file"
    }
}
