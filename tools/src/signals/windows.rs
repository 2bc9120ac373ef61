//! The console's control events through `SetConsoleCtrlHandler`: Ctrl-C,
//! Ctrl-Break and the console closed ask to stop. No file size limit
//! signal exists: a write past a quota fails as an error.

use std::io;

use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::core::BOOL;

use super::on_stop;

pub(super) fn ignore_file_size_limit_signal() -> io::Result<()> {
    Ok(())
}

unsafe extern "system" fn on_event(_: u32) -> BOOL {
    on_stop();
    // Handled: the process goes on until the tool stops. (After the
    // console is closed, the system ends it a few seconds later anyway.)
    1
}

/// A process started with Ctrl-C ignored (`CREATE_NEW_PROCESS_GROUP`) is
/// not called for it, whatever `keep_ignored` says.
pub(super) fn ask_to_stop_on_term_and_int(_keep_ignored: bool) -> io::Result<()> {
    // SAFETY: registers a function pointer the system calls on a thread of
    // its own; the handler only stores to atomics. std has no console
    // events.
    if unsafe { SetConsoleCtrlHandler(Some(on_event), 1) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
