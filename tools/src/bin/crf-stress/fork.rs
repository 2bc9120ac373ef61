//! The writer's `--fork-after-open`: the process copied once its log is
//! open, as a prefork server does, and the copy waited for. Unix only:
//! Windows has no fork, and refuses the flag with a clear error.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// A process started by [`fork`].
pub(crate) use imp::Pid;

/// Forks: `None` in the child, the child's id in the parent.
pub(crate) fn fork() -> std::io::Result<Option<Pid>> {
    imp::fork()
}

/// Waits for the child `pid`; an error unless it exited with status 0.
pub(crate) fn wait_for(pid: Pid) -> std::io::Result<()> {
    imp::wait_for(pid)
}
