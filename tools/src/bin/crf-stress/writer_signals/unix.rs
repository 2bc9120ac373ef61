//! SIGINT and SIGTERM ignored in the writer (an ignored signal stays
//! ignored across `exec`), and on Linux a parent-death signal.

use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};

pub(super) fn bind_to_run(command: &mut Command) {
    // Read before the fork, so that the child can tell whether the run
    // died before the parent-death signal was armed.
    let run = std::process::id();
    // SAFETY: between fork and exec the closure calls only signal(2),
    // prctl(2) and getppid(2), all async-signal-safe, and allocates
    // nothing. std can neither set a signal's disposition nor ask for a
    // parent-death signal.
    unsafe {
        command.pre_exec(move || {
            for signal in [libc::SIGINT, libc::SIGTERM] {
                if libc::signal(signal, libc::SIG_IGN) == libc::SIG_ERR {
                    return Err(io::Error::last_os_error());
                }
            }
            die_with(run)
        });
    }
}

/// Asks the kernel to SIGKILL this (child) process when `run`, its
/// parent, dies; fails if it has died already.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn die_with(run: u32) -> io::Result<()> {
    // SAFETY: prctl with PR_SET_PDEATHSIG takes a signal number and
    // touches no memory; getppid cannot fail.
    unsafe {
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
            return Err(io::Error::last_os_error());
        }
        // The run may have died between the fork and the prctl: the child
        // has then been handed to another parent, and no signal will come.
        if libc::getppid() as u32 != run {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
    }
    Ok(())
}

/// No parent-death signal here: the writer finds out at its next report.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn die_with(_run: u32) -> io::Result<()> {
    Ok(())
}

pub(super) fn tie_to_run(_: &Child) {}

pub(super) fn killed_by_run(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL)
}
