//! The console's control events, through `SetConsoleCtrlHandler`: Ctrl-C,
//! Ctrl-Break, the console window closed, the user logging off, the
//! system shutting down (what `docker stop` sends a Windows container).
//!
//! The system calls a process's handlers on a thread it starts for each
//! event, the most recently installed first, until one returns `TRUE`; the
//! last is the default, which ends the process with `ExitProcess`
//! (`STATUS_CONTROL_C_EXIT` after Ctrl-C). Ours does the work on that
//! thread and returns `FALSE`, so the default then ends the process as if
//! ours were not there.
//!
//! - A program's own handler installed after ours (tokio's
//!   `signal::ctrl_c`) is called first and takes the event over by
//!   returning `TRUE`: ours is not called, the program's shutdown runs.
//! - A process started ignoring Ctrl-C (`CREATE_NEW_PROCESS_GROUP`, or
//!   `SetConsoleCtrlHandler(NULL, TRUE)` inherited) is not called for it.
//! - A second event while the work runs (an impatient Ctrl-C) finds it
//!   begun and returns `FALSE` at once: the default ends the process.
//! - After the console is closed, or at log-off and shutdown, the system
//!   ends the process a few seconds after calling the handlers
//!   (5 s for a closed console, 20 s at shutdown), whatever they do: the
//!   work's own bounds may not all fit.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use windows_sys::Win32::Foundation::FALSE;
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::core::BOOL;

/// What the handler does, set once.
static WORK: OnceLock<fn()> = OnceLock::new();
/// The work has begun: a further event ends the process at once.
static WORKING: AtomicBool = AtomicBool::new(false);
/// Held while setting up, so that two calls at once set up once.
static SETUP: Mutex<bool> = Mutex::new(false);

pub(super) fn on_termination(work: fn()) -> io::Result<()> {
    let mut installed = SETUP.lock().unwrap_or_else(PoisonError::into_inner);
    if *installed {
        return Ok(());
    }
    let _ = WORK.set(work);
    // SAFETY: registers a function pointer the system calls on a thread of
    // its own; the handler cannot unwind (the work catches nothing, but
    // nothing in it panics: every lock is taken poison-tolerant or with a
    // bound). std has no console events.
    if unsafe { SetConsoleCtrlHandler(Some(on_event), 1) } == 0 {
        return Err(io::Error::last_os_error());
    }
    *installed = true;
    Ok(())
}

unsafe extern "system" fn on_event(_event: u32) -> BOOL {
    if !WORKING.swap(true, Ordering::SeqCst)
        && let Some(work) = WORK.get()
    {
        work();
    }
    // The next handler, in the end the default, ends the process.
    FALSE
}
