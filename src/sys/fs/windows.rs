//! A file's identity and link count from its handle
//! (`GetFileInformationByHandle`), its change time from its basic
//! information, reads at an offset (`seek_read`); and removal and renaming
//! that leave the name free at once while other processes still have the
//! file open (they all open with `FILE_SHARE_DELETE`, as std does).
//!
//! A file deleted while open stays at its name until the last handle
//! closes, unless it is deleted with POSIX semantics
//! (`FILE_DISPOSITION_FLAG_POSIX_SEMANTICS`, NTFS since Windows 10 1607):
//! a rotation that removes the oldest backup and renames the next one to
//! its name would otherwise fail. Where the system or the file system
//! refuses POSIX semantics (older systems, FAT, wine), the file is first
//! renamed aside, to a private name in its directory, and deleted there.
//! std's `rename` already renames with POSIX semantics where it can; where
//! it cannot, a target in the way is removed as above first.

use std::fs::{File, Metadata};
use std::io;
use std::os::windows::fs::{FileExt, OpenOptionsExt};
use std::os::windows::io::AsRawHandle;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use windows_sys::Win32::Foundation::{
    ERROR_ACCESS_DENIED, ERROR_INVALID_FUNCTION, ERROR_INVALID_PARAMETER, ERROR_NOT_SUPPORTED,
};
use windows_sys::Win32::Storage::FileSystem::{
    BY_HANDLE_FILE_INFORMATION, DELETE, FILE_BASIC_INFO, FILE_DISPOSITION_FLAG_DELETE,
    FILE_DISPOSITION_FLAG_POSIX_SEMANTICS, FILE_DISPOSITION_INFO_EX, FILE_FLAG_BACKUP_SEMANTICS,
    FILE_FLAG_OPEN_REPARSE_POINT, FILE_READ_ATTRIBUTES, FILE_SHARE_DELETE, FILE_SHARE_READ,
    FILE_SHARE_WRITE, FileBasicInfo, FileDispositionInfoEx, GetFileInformationByHandle,
    GetFileInformationByHandleEx, SetFileInformationByHandle,
};

use super::{FileId, Stat};

/// The prefix of the names files are renamed aside to before they are
/// deleted.
pub(crate) const ASIDE_PREFIX: &str = ".crf-gone.";

/// Opens `path` itself (a symlink or junction, not its target; a
/// directory too), sharing everything, asking `access` only.
fn open_itself(path: &Path, access: u32) -> io::Result<File> {
    File::options()
        .access_mode(access)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)
}

fn by_handle(file: &File) -> io::Result<BY_HANDLE_FILE_INFORMATION> {
    // SAFETY: an all-zero BY_HANDLE_FILE_INFORMATION is valid; the call
    // fills it from a handle `file` keeps open. std keeps these fields to
    // itself (unstable `windows_by_handle`).
    unsafe {
        let mut info: BY_HANDLE_FILE_INFORMATION = std::mem::zeroed();
        if GetFileInformationByHandle(file.as_raw_handle(), &mut info) == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(info)
    }
}

fn id(info: &BY_HANDLE_FILE_INFORMATION) -> FileId {
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    FileId::from_raw(u64::from(info.dwVolumeSerialNumber), index)
}

pub(super) fn id_of(file: &File, _: &Metadata) -> io::Result<FileId> {
    Ok(id(&by_handle(file)?))
}

pub(super) fn stat(path: &Path) -> io::Result<Stat> {
    let file = open_itself(path, FILE_READ_ATTRIBUTES)?;
    let meta = file.metadata()?;
    stat_file(&file, meta)
}

pub(super) fn stat_file(file: &File, meta: Metadata) -> io::Result<Stat> {
    let info = by_handle(file)?;
    Ok(Stat {
        id: id(&info),
        links: u64::from(info.nNumberOfLinks),
        changed: changed(file)?,
        meta,
    })
}

/// The change time (`FILE_BASIC_INFO::ChangeTime`), in seconds since the
/// Unix epoch.
fn changed(file: &File) -> io::Result<i64> {
    // SAFETY: an all-zero FILE_BASIC_INFO is valid; the call fills it from
    // a handle `file` keeps open, told its exact size.
    let info = unsafe {
        let mut info: FILE_BASIC_INFO = std::mem::zeroed();
        let ok = GetFileInformationByHandleEx(
            file.as_raw_handle(),
            FileBasicInfo,
            (&raw mut info).cast(),
            size_of::<FILE_BASIC_INFO>() as u32,
        );
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        info
    };
    // 100-nanosecond ticks since 1601.
    const TICKS_PER_SECOND: i64 = 10_000_000;
    const SECONDS_1601_TO_1970: i64 = 11_644_473_600;
    Ok(info.ChangeTime / TICKS_PER_SECOND - SECONDS_1601_TO_1970)
}

pub(super) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.seek_read(buf, offset)
}

/// Whether an error says the system or file system has no POSIX
/// semantics to offer.
fn refused_posix(e: &io::Error) -> bool {
    [
        ERROR_INVALID_PARAMETER,
        ERROR_NOT_SUPPORTED,
        ERROR_INVALID_FUNCTION,
    ]
    .iter()
    .any(|&code| e.raw_os_error() == Some(code as i32))
}

pub(super) fn remove(path: &Path) -> io::Result<()> {
    let file = open_itself(path, DELETE)?;
    let info = FILE_DISPOSITION_INFO_EX {
        Flags: FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS,
    };
    // SAFETY: a handle opened with DELETE access, which `file` keeps open,
    // and a struct of the size given. std deletes without POSIX semantics.
    let ok = unsafe {
        SetFileInformationByHandle(
            file.as_raw_handle(),
            FileDispositionInfoEx,
            (&raw const info).cast(),
            size_of::<FILE_DISPOSITION_INFO_EX>() as u32,
        )
    };
    if ok != 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    drop(file);
    if !refused_posix(&e) {
        return Err(e);
    }
    // The name freed now, the file deleted once no one has it open.
    let aside = aside_of(path);
    std::fs::rename(path, &aside)?;
    std::fs::remove_file(&aside)
}

/// A private name in `path`'s directory, unique on this host.
fn aside_of(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!("{ASIDE_PREFIX}{}.{n}", std::process::id()))
}

pub(super) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::rename(from, to) {
        // A file open elsewhere (or deleted and still open) at `to`, where
        // the rename had no POSIX semantics: moved out of the way first.
        Err(e)
            if e.raw_os_error() == Some(ERROR_ACCESS_DENIED as i32)
                && std::fs::symlink_metadata(to).is_ok() =>
        {
            match remove(to) {
                Ok(()) => std::fs::rename(from, to),
                Err(_) => Err(e),
            }
        }
        other => other,
    }
}
