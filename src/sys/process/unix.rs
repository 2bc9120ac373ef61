//! Pids, users and groups, through `kill(2)`, `getgroups(2)` and the group
//! database.

use std::io;

pub(super) fn is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill with signal 0 sends nothing; it only checks the pid.
    // std cannot ask whether a process it did not start exists.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

pub(super) fn may_give_group(gid: u32) -> bool {
    // SAFETY: geteuid and getegid cannot fail and touch no memory; std
    // has no way to ask for the process's credentials.
    if unsafe { libc::geteuid() } == 0 || unsafe { libc::getegid() } == gid {
        return true;
    }
    // SAFETY: getgroups(0, NULL) only returns the count.
    let count = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let Ok(len) = usize::try_from(count) else {
        return false;
    };
    let mut groups = vec![0 as libc::gid_t; len];
    // SAFETY: `groups` has room for `count` entries, as getgroups is told.
    let got = unsafe { libc::getgroups(count, groups.as_mut_ptr()) };
    usize::try_from(got).is_ok_and(|got| groups[..got.min(len)].contains(&gid))
}

pub(super) fn group_id(name: &str) -> io::Result<Option<u32>> {
    let c_name = std::ffi::CString::new(name)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a group name has no NUL"))?;
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: an all-zero `group` is a valid value for getgrnam_r to fill.
        let mut group: libc::group = unsafe { std::mem::zeroed() };
        let mut found: *mut libc::group = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call: the name is
        // NUL-terminated, `buf` has `buf.len()` bytes, `group` and `found`
        // are ours. Only `gr_gid` is read back, a plain integer. std has no
        // group database.
        let rc = unsafe {
            libc::getgrnam_r(
                c_name.as_ptr(),
                &mut group,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut found,
            )
        };
        match rc {
            0 if found.is_null() => return Ok(None),
            0 => return Ok(Some(group.gr_gid)),
            libc::ERANGE if buf.len() < 1 << 20 => buf.resize(buf.len() * 4, 0),
            // Some systems say "not found" with an error number.
            libc::ENOENT | libc::ESRCH | libc::EBADF | libc::EPERM => return Ok(None),
            errno => return Err(io::Error::from_raw_os_error(errno)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_group_zero_and_no_group_has_an_impossible_name() {
        assert_eq!(group_id("root").unwrap(), Some(0));
        assert_eq!(group_id("no-such-group-anywhere-42").unwrap(), None);
        // SAFETY: as in `may_give_group`.
        assert!(may_give_group(unsafe { libc::getegid() }));
    }
}
