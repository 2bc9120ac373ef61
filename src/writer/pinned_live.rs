//! [`PinnedLive`]: the rotations this process could not do because a
//! program outside the library pinned the live file against renaming
//! (`sys::pinned`). Never past `max_bytes` outranks the rotation: the
//! records that do not fit are refused with the error, not written past
//! the limit, and each such record asks again.

use std::io;
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
    /// Rotations refused, for [`Stats`](crate::Stats).
    pub(crate) refused: u64,
    /// Whether the last rotation tried was refused.
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

    /// Counts a rotation of `path` refused for a pin, says so on stderr the
    /// first time, and returns the error for the records that did not fit.
    pub(crate) fn refuse(&mut self, path: &Path) -> io::Error {
        self.refused += 1;
        self.pinned = true;
        let error = pinned::refused();
        if self.refused == 1 {
            stderr::print(format_args!(
                "cannot rotate `{}`: {error} (further refusals are counted in stats().pinned_rotations, not printed)",
                path.display()
            ));
        }
        error
    }

    /// A rotation found the live file movable again.
    pub(crate) fn cleared(&mut self) {
        self.pinned = false;
    }
}
