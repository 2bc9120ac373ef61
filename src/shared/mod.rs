//! How the processes writing one log coordinate: an exclusive `flock` on
//! one lock file ([`lock_file`]), a few counters in a small mapped file
//! beside it ([`state_file`]), and non-blocking claims on the files a
//! compressor works on ([`claim`]).

pub(crate) mod claim;
pub(crate) mod lock_file;
pub(crate) mod state_file;
