//! `fork(2)` and `waitpid(2)`.

pub(crate) type Pid = libc::pid_t;

pub(super) fn fork() -> std::io::Result<Option<Pid>> {
    // SAFETY: called before this process spawns a thread of its own (the
    // library's threads are its business: it handles fork), so the child
    // is a faithful copy of what writes. std has no fork().
    match unsafe { libc::fork() } {
        -1 => Err(std::io::Error::last_os_error()),
        0 => Ok(None),
        pid => Ok(Some(pid)),
    }
}

pub(super) fn wait_for(pid: Pid) -> std::io::Result<()> {
    let mut status = 0;
    // SAFETY: waiting for our own child with a valid out-pointer.
    if unsafe { libc::waitpid(pid, &mut status, 0) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "forked child failed: status {status}"
        )))
    }
}
