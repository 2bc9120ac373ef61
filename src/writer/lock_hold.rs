//! [`LockHold`]: how many rotations this process did, and how long they
//! held the lock, for [`Stats`](crate::Stats).

use std::time::Duration;

/// The time this process spent under the lock rotating: the rotations
/// themselves, and the batches of the shifts they left for after the lock.
/// Kept with the appender, under the in-process mutex.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LockHold {
    /// The rotations this process did.
    pub(crate) count: u64,
    /// The time rotations held the lock, in all.
    pub(crate) rotations: Duration,
    /// The longest one rotation held it.
    pub(crate) longest_rotation: Duration,
    /// The longest one batch of a deferred shift held it.
    pub(crate) longest_shift_batch: Duration,
}

impl LockHold {
    /// Counts a rotation that held the lock for `held`.
    pub(crate) fn rotated(&mut self, held: Duration) {
        self.count += 1;
        self.rotations += held;
        self.longest_rotation = self.longest_rotation.max(held);
    }

    /// Counts a batch of a deferred shift that held the lock for `held`.
    pub(crate) fn shifted(&mut self, held: Duration) {
        self.longest_shift_batch = self.longest_shift_batch.max(held);
    }
}
