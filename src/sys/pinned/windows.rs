//! A file opened elsewhere without `FILE_SHARE_DELETE` refuses to be
//! renamed (`ERROR_SHARING_VIOLATION`) for as long as that handle is open;
//! opening the file with `DELETE` access, as a rename does, is refused the
//! same way, which asks the question without moving anything (so a chain
//! of backups is never shifted half-way for a live file that cannot
//! follow).

use std::fs::File;
use std::os::windows::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::ERROR_SHARING_VIOLATION;
use windows_sys::Win32::Storage::FileSystem::{
    DELETE, FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE,
};

pub(super) const PINNED_BY: &str = "another program holds it open without delete sharing \
    (ERROR_SHARING_VIOLATION), so it cannot be renamed; the records that did not fit were \
    not written, and the rotation is tried again at the next record that does not fit";

/// The longest pause between two questions while waiting.
const MAX_PAUSE: Duration = Duration::from_millis(16);

pub(super) fn movable(path: &Path, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_millis(1);
    loop {
        let asked = File::options()
            .access_mode(DELETE)
            .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
            .open(path);
        match asked {
            Err(e) if e.raw_os_error() == Some(ERROR_SHARING_VIOLATION as i32) => {}
            _ => return true,
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}
