//! Exclusive locks held through one open file, dropped when it is closed
//! or its process dies: the lock file's (guarantee: one writer at a time)
//! and the claims compressors hold on the files they work on.
//!
//! On Unix, `flock(2)`, through std (`imp`). On Windows, a byte range
//! locked with `LockFileEx`, which belongs to the handle as an `flock`
//! belongs to the open file description; but such locks are mandatory (no
//! other handle may read or write the range), so each lock covers bytes no
//! one reads ([`Span`]).

use std::fs::File;
use std::io;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// What a lock is for, which on Windows says which bytes it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// A lock file's lock: on Windows from its first byte to the last there
    /// can be, as std's `File::lock` takes it, which overlaps every range
    /// Python's handler locks there (portalocker's `[0, 64 KiB)` through
    /// `msvcrt.locking`, `[0, 2^64 - 2^48)` through `LockFileEx`): the two
    /// exclude each other. No one reads a lock file.
    LockFile,
    /// A claim on a file others read (a backup being compressed, which a
    /// shipper may be finishing): on Windows the last byte a file can
    /// have, far beyond its data.
    Claim,
}

/// Waits until the lock is ours.
pub(crate) fn lock(file: &File, span: Span) -> io::Result<()> {
    imp::lock(file, span)
}

/// Takes the lock if it is free: `false` if another holds it.
pub(crate) fn try_lock(file: &File, span: Span) -> io::Result<bool> {
    imp::try_lock(file, span)
}

/// Lets the lock go.
pub(crate) fn unlock(file: &File, span: Span) -> io::Result<()> {
    imp::unlock(file, span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &std::path::Path) -> File {
        File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap()
    }

    #[test]
    fn a_lock_excludes_another_open_file_until_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.lock");
        for span in [Span::LockFile, Span::Claim] {
            let (first, second) = (open(&path), open(&path));
            assert!(try_lock(&first, span).unwrap());
            assert!(!try_lock(&second, span).unwrap());
            unlock(&first, span).unwrap();
            assert!(try_lock(&second, span).unwrap());
            // Dropped with the file that holds it.
            drop(second);
            lock(&first, span).unwrap();
            unlock(&first, span).unwrap();
        }
    }

    /// The ranges Python's handler locks on its lock file, through
    /// portalocker: `msvcrt.locking` on 64 KiB from the first byte (which
    /// the C runtime takes with `LockFile`), and `LockFileEx` with the
    /// length `(0, -0x10000)` from the first byte.
    #[cfg(windows)]
    const PYTHONS: [(u64, u64); 2] = [(0, 0x10000), (0, 0xFFFF_0000 << 32)];

    #[cfg(windows)]
    #[test]
    fn the_lock_file_lock_and_pythons_exclude_each_other() {
        use windows_sys::Win32::Foundation::ERROR_LOCK_VIOLATION;
        use windows_sys::Win32::Storage::FileSystem::{
            LOCKFILE_EXCLUSIVE_LOCK, LOCKFILE_FAIL_IMMEDIATELY,
        };

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.lock");
        for (offset, len) in PYTHONS {
            let (ours, pythons) = (open(&path), open(&path));
            // Python's handler holds it: this library waits.
            imp::lock_bytes(&pythons, offset, len, LOCKFILE_EXCLUSIVE_LOCK).unwrap();
            assert!(
                !try_lock(&ours, Span::LockFile).unwrap(),
                "taken beside Python's lock on {len} bytes"
            );
            drop(pythons);
            // This library holds it: Python's handler waits.
            assert!(try_lock(&ours, Span::LockFile).unwrap());
            let pythons = open(&path);
            let err = imp::lock_bytes(
                &pythons,
                offset,
                len,
                LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
            )
            .expect_err("Python's lock taken beside this library's");
            assert_eq!(err.raw_os_error(), Some(ERROR_LOCK_VIOLATION as i32));
        }
    }

    #[test]
    fn a_claimed_file_is_read_by_others_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.1");
        std::fs::write(&path, "a backup a shipper is finishing\n").unwrap();
        let compressor = open(&path);
        assert!(try_lock(&compressor, Span::Claim).unwrap());
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "a backup a shipper is finishing\n"
        );
    }
}
