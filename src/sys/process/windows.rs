//! Process handles: a process exists while a handle to it can be opened
//! and it has not exited. Windows files have no group (access is the
//! directory's ACL, which a file inherits): the `group` option is refused
//! at `open()` there (`sys::create::PERMISSIONS`), so the group functions
//! only say so.

use std::io;

use windows_sys::Win32::Foundation::{
    CloseHandle, ERROR_ACCESS_DENIED, GetLastError, STILL_ACTIVE,
};
use windows_sys::Win32::System::Threading::{
    GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
};

pub(super) fn is_alive(pid: u32) -> bool {
    // SAFETY: OpenProcess returns a handle this function closes, or null;
    // GetExitCodeProcess writes one u32 through a pointer to a local. std
    // cannot ask whether a process it did not start exists.
    unsafe {
        let process = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if process.is_null() {
            // Another user's process (a service's) exists all the same.
            return GetLastError() == ERROR_ACCESS_DENIED;
        }
        let mut code = 0u32;
        let ok = GetExitCodeProcess(process, &mut code);
        CloseHandle(process);
        // An exited process whose handle someone keeps is still found;
        // STILL_ACTIVE (259) as a real exit code would read as alive.
        ok != 0 && code == STILL_ACTIVE as u32
    }
}

pub(super) fn may_give_group(_: u32) -> bool {
    false
}

pub(super) fn group_id(_: &str) -> io::Result<Option<u32>> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "Windows files have no group",
    ))
}
