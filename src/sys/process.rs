//! Which processes exist and what they may do: whether a process is alive,
//! and whether this one may give its files a group (`imp`: Unix's pids,
//! users and groups; Windows' process handles, where files have no group).

use std::io;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// Whether process `pid` exists (it may be another user's).
pub(crate) fn is_alive(pid: u32) -> bool {
    imp::is_alive(pid)
}

/// Whether this process may give a file it owns the group `gid`: root may
/// give any, others only one of their own groups (`chown(2)`).
pub(crate) fn may_give_group(gid: u32) -> bool {
    imp::may_give_group(gid)
}

/// The id of the group named `name` (`getgrnam_r`, so also a group from
/// LDAP or any other source the system is set up with); `None` if no
/// group has that name.
pub(crate) fn group_id(name: &str) -> io::Result<Option<u32>> {
    imp::group_id(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_one_beyond_every_pid_is_not() {
        assert!(is_alive(std::process::id()));
        // Beyond Linux's pid_max, and a multiple of 4 no Windows id reaches.
        assert!(!is_alive(0x7fff_fff0));
    }
}
