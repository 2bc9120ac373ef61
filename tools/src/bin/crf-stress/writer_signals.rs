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
//!
//! On Windows, the console's Ctrl-C is the stop signal: writers start in a
//! process group of their own (`CREATE_NEW_PROCESS_GROUP`), which Ctrl-C
//! does not reach, and in a job object that ends them when the run's last
//! handle to it closes, however the run dies. A writer the run kills
//! (`TerminateProcess`) exits with status 1.

use std::process::{Child, Command, ExitStatus};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Makes the process `command` starts a writer of this run: the stop
/// signals ignored, and, where the system can, killed when the run dies.
///
/// The kernel ties Linux's parent-death signal to the thread that started
/// the child: call this for commands spawned by the main thread, which
/// lives as long as the run.
pub(crate) fn bind_to_run(command: &mut Command) {
    imp::bind_to_run(command);
}

/// What binding a writer to the run takes once it is started (Windows'
/// job object); best effort: a writer left unbound finds out that the run
/// died at its next report.
pub(crate) fn tie_to_run(child: &Child) {
    imp::tie_to_run(child);
}

/// Whether a writer the run killed ([`Child::kill`]) ended as killed.
pub(crate) fn killed_by_run(status: ExitStatus) -> bool {
    imp::killed_by_run(status)
}
