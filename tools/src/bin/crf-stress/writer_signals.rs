//! What a writer process does with the signals that end a run: it leaves
//! SIGINT and SIGTERM to the run, and it never outlives the run.
//!
//! A person's Ctrl-C reaches the terminal's whole foreground process group,
//! and a service manager's stop every process of the service, so writers
//! that died of those signals would look, to the run, like writers that
//! lost their lines. They ignore both instead (an ignored signal stays
//! ignored across `exec`, and Python leaves an ignored SIGINT ignored):
//! the run, which handles them, stops its writers with SIGKILL and removes
//! what it wrote. The writers stay in the run's process group, so that job
//! control (Ctrl-Z, `fg`) and a signal to the group that is not a request
//! to stop (SIGHUP, SIGQUIT, SIGKILL) still treat the run as one.
//!
//! If the run itself dies without stopping them (SIGKILL, a crash), the
//! kernel kills them on Linux (`PR_SET_PDEATHSIG`). Elsewhere a writer
//! finds out at its next report, which its stdout pipe, with no reader
//! left, refuses.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Makes the process `command` starts a writer of this run: SIGINT and
/// SIGTERM ignored, and, on Linux, killed when the run dies.
///
/// The kernel ties the parent-death signal to the thread that started the
/// child: call this for commands spawned by the main thread, which lives
/// as long as the run.
pub(crate) fn bind_to_run(command: &mut Command) {
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
