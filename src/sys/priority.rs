//! Running work at the lowest CPU priority: gzip of backups, so that on a
//! busy machine the writers get the processors first and compression
//! takes the time left over (guarantee: gzip off the lock, and off the
//! writers' CPU).
//!
//! Only the calling thread's priority may change: lowering the process's
//! would slow its writers. Each system lowers one thread its own way
//! (`imp`): a nice value per thread on Linux, the background policy on
//! macOS, the background processing mode on Windows. Where a thread has no priority of its own (FreeBSD's nice value
//! is the process's; its idle class would starve compression while the
//! writers keep the processors busy), compression runs at the writers'
//! priority.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;
#[cfg(target_vendor = "apple")]
mod macos;
#[cfg(target_vendor = "apple")]
use macos as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;
#[cfg(all(unix, not(any(target_os = "linux", target_vendor = "apple"))))]
mod unix;
#[cfg(all(unix, not(any(target_os = "linux", target_vendor = "apple"))))]
use unix as imp;

/// Lowers the calling thread's priority as far as it goes. An
/// unprivileged thread cannot raise it back: call it on a thread that does
/// nothing else.
pub(crate) fn lowest_for_this_thread() {
    imp::lowest_for_this_thread();
}
