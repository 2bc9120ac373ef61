//! [`CoarseInstant`]: the monotonic clock a writer reads on every record,
//! for deadlines of 100 ms and more (the next look at the paths, the end
//! of strict checks beside a foreign writer).
//!
//! `Instant::now()` reads the precise monotonic clock: about 25 ns on the
//! 2-core VM the performance guide's figures come from, 3% of a record's cost. Each
//! system's cheapest monotonic clock is read instead (`imp`): one that is
//! the precise clock as of the last timer tick, where the system has one
//! (a few milliseconds' resolution, which such deadlines do not notice).

use std::ops::Add;
use std::time::Duration;

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// A point in time on the coarse monotonic clock: comparable with another
/// read of it, never with a [`std::time::Instant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CoarseInstant(Duration);

impl CoarseInstant {
    /// Now, within the clock's resolution (a timer tick, 1 to 16 ms).
    pub(crate) fn now() -> CoarseInstant {
        CoarseInstant(imp::since_boot())
    }
}

impl Add<Duration> for CoarseInstant {
    type Output = CoarseInstant;

    /// Saturates instead of overflowing: a deadline that far ahead never
    /// comes, as with an interval of `Duration::MAX`.
    fn add(self, after: Duration) -> CoarseInstant {
        CoarseInstant(self.0.saturating_add(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_forward_and_keeps_up_with_the_precise_one() {
        let (coarse, precise) = (CoarseInstant::now(), std::time::Instant::now());
        std::thread::sleep(Duration::from_millis(50));
        let later = CoarseInstant::now();
        assert!(later > coarse);
        // Behind the precise clock by at most a tick twice over.
        let moved = later.0 - coarse.0;
        let elapsed = precise.elapsed();
        let slack = 2 * imp::TICK;
        assert!(
            moved + slack >= elapsed && moved <= elapsed + slack,
            "coarse {moved:?} against precise {elapsed:?}"
        );
        assert!(coarse + Duration::from_millis(30) < later);
    }

    #[test]
    fn a_deadline_too_far_ahead_saturates_and_never_comes() {
        let now = CoarseInstant::now();
        assert!(now + Duration::MAX > now + Duration::from_secs(3600 * 24 * 365 * 100));
        assert!(now + Duration::MAX >= CoarseInstant::now());
    }
}
