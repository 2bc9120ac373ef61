//! Which process holds an `flock`, as the kernel tells: for the message of
//! a writer that waited too long for the lock, whoever holds it (this
//! library, Python's handler, `flock(1)` in a script).
//!
//! Linux lists every lock with its holder in `/proc/locks` (`imp`,
//! `linux.rs`). macOS and FreeBSD keep no such list, and their
//! `fcntl(F_GETLK)` names the holders of record locks only, not of an
//! `flock`: `None` there (`unix.rs`), nor does Windows name the holder of
//! a byte-range lock (`windows.rs`); the caller falls back on what the
//! holder wrote in the shared state, which processes of this library do
//! (see `shared::watchdog`).

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;
#[cfg(all(unix, not(target_os = "linux")))]
mod unix;
#[cfg(all(unix, not(target_os = "linux")))]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// The process holding an exclusive `flock` on the file `(dev, ino)`, if
/// the kernel says.
pub(crate) fn holder_pid(id: (u64, u64)) -> Option<u32> {
    imp::holder_pid(id)
}
