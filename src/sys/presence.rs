//! Which processes have a log open, without a syscall per record: each
//! holds a shared lock on the first byte of the state file, an "open file
//! description" lock (`F_OFD_SETLK`, Linux), which the kernel drops when
//! the process dies or closes the file; whether any other process holds
//! one is one `F_OFD_GETLK`. These locks are independent of the `flock`
//! the writers serialise on, and of Python's.
//!
//! The same locks say whether one given holder of the lock is still
//! alive, whatever its pid namespace: each open state file description
//! also holds a shared lock on one byte of its own, at the offset of its
//! holder token ([`mark_alive`], [`marked_alive`]). A pid says nothing
//! across pid namespaces (containers sharing a log volume), nor once it is
//! reused; such a lock is dropped by the kernel exactly when its holder
//! dies or closes the file.
//!
//! Elsewhere than Linux, a process never finds itself alone, and no holder
//! is marked.

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

/// Marks `file`'s open file description as alive at byte `at` (above 0),
/// for as long as it is open; `false` if it cannot.
pub(crate) fn mark_alive(file: &File, at: u64) -> bool {
    imp::set_at(file, imp::READ, at).is_ok()
}

/// Whether another open file description of `file` marks byte `at` (see
/// [`mark_alive`]): one syscall; `true` if it cannot tell.
pub(crate) fn marked_alive(file: &File, at: u64) -> bool {
    imp::free_at(file, at).map_or(true, |free| !free)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;

    pub(super) const READ: libc::c_short = libc::F_RDLCK as libc::c_short;
    pub(super) const UNLOCK: libc::c_short = libc::F_UNLCK as libc::c_short;

    /// The byte of the file at `at`.
    fn byte(kind: libc::c_short, at: u64) -> io::Result<libc::flock> {
        // SAFETY: flock is a plain C struct; all zeros is a valid value.
        let mut lock: libc::flock = unsafe { std::mem::zeroed() };
        lock.l_type = kind;
        lock.l_whence = libc::SEEK_SET as libc::c_short;
        lock.l_start = libc::off_t::try_from(at).map_err(|_| io::ErrorKind::InvalidInput)?;
        lock.l_len = 1;
        Ok(lock)
    }

    pub(super) fn set(file: &File, kind: libc::c_short) -> io::Result<()> {
        set_at(file, kind, 0)
    }

    pub(super) fn set_at(file: &File, kind: libc::c_short, at: u64) -> io::Result<()> {
        let lock = byte(kind, at)?;
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
        free_at(file, 0)
    }

    /// Whether no other open file description holds a lock on byte `at`.
    pub(super) fn free_at(file: &File, at: u64) -> io::Result<bool> {
        let mut lock = byte(libc::F_WRLCK as libc::c_short, at)?;
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

    pub(super) fn set_at(_: &File, _: i16, _: u64) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub(super) fn free_at(_: &File, _: u64) -> io::Result<bool> {
        Err(io::ErrorKind::Unsupported.into())
    }
}
