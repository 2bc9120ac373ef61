//! `sigaction(2)`: SIGXFSZ ignored; SIGTERM and SIGINT set the flags.

use std::io;

use super::on_stop;

pub(super) fn ignore_file_size_limit_signal() -> io::Result<()> {
    // SAFETY: installing SIG_IGN runs no code of ours in a signal context;
    // std offers no way to set a signal's disposition.
    let previous = unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    if previous == libc::SIG_ERR {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

extern "C" fn on_stop_signal(_: libc::c_int) {
    on_stop();
}

pub(super) fn ask_to_stop_on_term_and_int(keep_ignored: bool) -> io::Result<()> {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction is valid; a null new action only
        // reads the current one. The handler only stores to an atomic,
        // which is async-signal-safe. std has no signal handling.
        let rc = unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) != 0 {
                return Err(io::Error::last_os_error());
            }
            if keep_ignored && current.sa_sigaction == libc::SIG_IGN {
                continue;
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction =
                on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
