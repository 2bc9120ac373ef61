//! A pipe's contents looked at (`PeekNamedPipe`, which also says when its
//! writer is gone) every few milliseconds; a console waited on; anything
//! else (a file) always ready. A stop asked during the wait ends it
//! early, as a signal ends `poll(2)`.

use std::io;
use std::os::windows::io::AsRawHandle;
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{ERROR_BROKEN_PIPE, WAIT_OBJECT_0};
use windows_sys::Win32::Storage::FileSystem::{FILE_TYPE_CHAR, FILE_TYPE_PIPE, GetFileType};
use windows_sys::Win32::System::Pipes::PeekNamedPipe;
use windows_sys::Win32::System::Threading::WaitForSingleObject;

/// How often a pipe is looked at.
const LOOK_EVERY: Duration = Duration::from_millis(5);

pub(super) fn readable_within(input: &io::StdinLock<'_>, wait: Duration) -> io::Result<bool> {
    let handle = input.as_raw_handle();
    // SAFETY: GetFileType only asks about a handle std keeps open.
    match unsafe { GetFileType(handle) } {
        FILE_TYPE_PIPE => {
            let deadline = Instant::now() + wait;
            let asked = stops_asked();
            loop {
                let mut available = 0u32;
                // SAFETY: asks only how many bytes wait in a pipe std keeps
                // open, into a local; no buffer is given.
                let ok = unsafe {
                    PeekNamedPipe(
                        handle,
                        std::ptr::null_mut(),
                        0,
                        std::ptr::null_mut(),
                        &mut available,
                        std::ptr::null_mut(),
                    )
                };
                if ok == 0 {
                    let e = io::Error::last_os_error();
                    // The writer is gone: the read returns the end at once.
                    return match e.raw_os_error() == Some(ERROR_BROKEN_PIPE as i32) {
                        true => Ok(true),
                        false => Err(e),
                    };
                }
                if available > 0 {
                    return Ok(true);
                }
                if Instant::now() >= deadline || stops_asked() != asked {
                    return Ok(false);
                }
                std::thread::sleep(LOOK_EVERY);
            }
        }
        FILE_TYPE_CHAR => {
            let millis = u32::try_from(wait.as_millis()).unwrap_or(u32::MAX - 1);
            // SAFETY: waits on a console handle std keeps open.
            Ok(unsafe { WaitForSingleObject(handle, millis) } == WAIT_OBJECT_0)
        }
        _ => Ok(true),
    }
}

/// The stops asked so far: none, one, or a second.
fn stops_asked() -> (bool, bool) {
    (
        crf_tools::signals::stop_asked(),
        crf_tools::signals::stop_asked_again(),
    )
}
