//! How the processes writing one log coordinate: an exclusive `flock` on
//! one lock file ([`lock_file`]), taken and held as [`exclusion`] says, a
//! few counters in a small mapped file ([`state_file`]), both as one
//! process holds them ([`files`]), a thread that says who holds the lock
//! when a writer waits too long ([`watchdog`]), and non-blocking claims on
//! the files a compressor works on ([`claim`]).

pub(crate) mod claim;
pub(crate) mod exclusion;
pub(crate) mod files;
pub(crate) mod lock_file;
pub(crate) mod state_file;
pub(crate) mod watchdog;
