//! A service's termination turned into work on a thread of the library's,
//! after which the process dies as it would have: its exit status still
//! says how it was stopped.
//!
//! Each system stops a service its own way (`imp`): SIGTERM and SIGINT on
//! Unix (`docker stop`, `systemctl stop`, Ctrl-C), the process dying of
//! the same signal raised again; on Windows, the console's control events
//! (Ctrl-C, Ctrl-Break, the console closed, the system shutting down),
//! after which the default handler ends the process as it would have.
//! Either way, what the program handles itself stays its own, and a
//! second signal while the work runs ends the process at once.

use std::io;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// From now on, the signals a service is stopped with (where the program
/// leaves them to their default) run `work`, then end the process as they
/// would have. Calling it again does nothing, except in a child after
/// `fork()`, which gets a thread of its own.
pub(crate) fn on_termination(work: fn()) -> io::Result<()> {
    imp::on_termination(work)
}
