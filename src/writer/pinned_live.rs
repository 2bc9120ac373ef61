//! [`PinnedLive`]: the rotations this process skipped because a program
//! outside the library pinned the live file against renaming
//! (`sys::pinned`). Nothing lost outranks never past `max_bytes` there, as
//! in Python's handler: the records go on into the live file past the
//! limit, and each record that does not fit asks again, so the rotation
//! happens as soon as the pin goes.

use std::path::Path;
use std::time::Duration;

use crate::sys::{pinned, stderr};

/// How long the first rotation to find the live file pinned waits for the
/// pin to go, under the lock: long enough for a program that only reads
/// the file through (`type`, a copy, a scanner) to finish, short enough
/// not to hold every writer up for long.
const PATIENCE: Duration = Duration::from_millis(100);

/// Kept with the appender, under the in-process mutex.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PinnedLive {
    /// Rotations skipped, for [`Stats`](crate::Stats).
    pub(crate) skipped: u64,
    /// Whether the last rotation tried was skipped.
    pinned: bool,
}

impl PinnedLive {
    /// How long the next rotation waits for a pin to go: a while the first
    /// time, then not at all for as long as the pin lasts, so that each
    /// record that does not fit costs one question, not a wait under the
    /// lock.
    pub(crate) fn patience(&self) -> Duration {
        if self.pinned {
            Duration::ZERO
        } else {
            PATIENCE
        }
    }

    /// Counts a rotation of `path` skipped for a pin, and says so on
    /// stderr the first time.
    pub(crate) fn skip(&mut self, path: &Path) {
        self.skipped += 1;
        self.pinned = true;
        if self.skipped == 1 {
            stderr::print(format_args!(
                "cannot rotate `{}`: {}; its records go on into it past max_bytes, as Python's handler does, and the rotation is tried again at each record that does not fit (further skips are counted in stats().pinned_rotations, not printed)",
                path.display(),
                pinned::PINNED_BY
            ));
        }
    }

    /// A rotation found the live file movable again.
    pub(crate) fn cleared(&mut self) {
        self.pinned = false;
    }
}
