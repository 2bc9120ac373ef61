//! Which processes have a log open, without a syscall per record: each
//! holds a shared lock on the first byte of the state file, an "open file
//! description" lock (`F_OFD_SETLK`, Linux), which the kernel drops when
//! the process dies or closes the file; whether any other process holds
//! one is one `F_OFD_GETLK`. These locks are independent of the `flock`
//! the writers serialise on, and of Python's.
//!
//! Elsewhere than Linux, a process never finds itself alone.

use std::fs::File;
use std::io;

/// Whether one open file (its open file description) says it is present.
/// One that could not say so may be taken for absent by the others: it
/// then never finds itself alone either.
#[derive(Debug)]
pub(crate) struct Mark {
    present: bool,
}

impl Mark {
    /// Says `file` is present, for as long as it is open.
    pub(crate) fn announce(file: &File) -> Mark {
        Mark {
            present: imp::set(file, imp::READ).is_ok(),
        }
    }

    /// Whether no other open file description of the file is present
    /// (other processes, or other descriptors of this one, such as its
    /// compressor's): one syscall. Never while `file` is not present itself.
    pub(crate) fn alone(&self, file: &File) -> bool {
        self.present && imp::alone(file).unwrap_or(false)
    }

    /// Says `file` is present (again) or no longer is.
    pub(crate) fn set(&mut self, file: &File, present: bool) -> io::Result<()> {
        let said = imp::set(file, if present { imp::READ } else { imp::UNLOCK });
        self.present = present && said.is_ok();
        said
    }
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;

    pub(super) const READ: libc::c_short = libc::F_RDLCK as libc::c_short;
    pub(super) const UNLOCK: libc::c_short = libc::F_UNLCK as libc::c_short;

    /// The first byte of the file.
    fn first_byte(kind: libc::c_short) -> libc::flock {
        // SAFETY: flock is a plain C struct; all zeros is a valid value.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = kind;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = 0;
        lock.l_len = 1;
        lock
    }

    pub(super) fn set(file: &File, kind: libc::c_short) -> io::Result<()> {
        let lock = first_byte(kind);
        // SAFETY: F_OFD_SETLK on an open descriptor with a valid struct;
        // l_pid must be 0 for OFD locks, which zeroing gives. std has no
        // byte-range locks.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    pub(super) fn alone(file: &File) -> io::Result<bool> {
        let mut lock = first_byte(libc::F_WRLCK as libc::c_short);
        // SAFETY: F_OFD_GETLK reads and fills the struct we own.
        let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_GETLK, &mut lock) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(lock.l_type == libc::F_UNLCK as libc::c_short)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::fs::File;
    use std::io;

    pub(super) const READ: i16 = 0;
    pub(super) const UNLOCK: i16 = 1;

    pub(super) fn set(_: &File, _: i16) -> io::Result<()> {
        Ok(())
    }

    pub(super) fn alone(_: &File) -> io::Result<bool> {
        Ok(false)
    }
}
