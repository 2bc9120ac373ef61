//! [`CoarseInstant`]: the monotonic clock a writer reads on every record,
//! for deadlines of 100 ms and more (the next look at the paths, the end
//! of strict checks beside a foreign writer).
//!
//! `Instant::now()` reads the precise monotonic clock: about 25 ns on the
//! 2-core VM the performance guide's figures come from, 3% of a record's cost. Linux's
//! coarse monotonic clock (`CLOCK_MONOTONIC_COARSE`) is the same clock as
//! of the last timer tick: about 6 ns to read, a few milliseconds'
//! resolution, which such deadlines do not notice. Elsewhere the precise
//! clock is read.

use std::ops::Add;
use std::time::Duration;

/// The coarse clock where the system has one.
#[cfg(any(target_os = "linux", target_os = "android"))]
const CLOCK: libc::clockid_t = libc::CLOCK_MONOTONIC_COARSE;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const CLOCK: libc::clockid_t = libc::CLOCK_MONOTONIC;

/// A point in time on the coarse monotonic clock: comparable with another
/// read of it, never with a [`std::time::Instant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CoarseInstant(Duration);

impl CoarseInstant {
    /// Now, within the clock's resolution (a timer tick, 1 to 10 ms).
    pub(crate) fn now() -> CoarseInstant {
        // A kernel without the coarse clock (before Linux 2.6.32) refuses
        // its id every time: the precise clock then, which counts from the
        // same start, so the two never mix badly.
        let since_boot = read(CLOCK)
            .or_else(|| read(libc::CLOCK_MONOTONIC))
            // Refused too: never where std runs, whose `Instant::now()`
            // reads that clock and panics if refused.
            .unwrap_or(Duration::ZERO);
        CoarseInstant(since_boot)
    }
}

/// The time on `clock`, `None` if the system refuses it.
fn read(clock: libc::clockid_t) -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` through a pointer to a
    // live, writable one and has no other effect; std reads only the
    // precise clock (`Instant`), hence the direct call.
    let rc = unsafe { libc::clock_gettime(clock, &mut now) };
    (rc == 0).then(|| {
        Duration::new(
            u64::try_from(now.tv_sec).unwrap_or(0),
            u32::try_from(now.tv_nsec).unwrap_or(0),
        )
    })
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
        // Behind the precise clock by at most a tick (10 ms at 100 Hz)
        // twice over.
        let moved = later.0 - coarse.0;
        let elapsed = precise.elapsed();
        assert!(
            moved + Duration::from_millis(20) >= elapsed
                && moved <= elapsed + Duration::from_millis(20),
            "coarse {moved:?} against precise {elapsed:?}"
        );
        assert!(coarse + Duration::from_millis(30) < later);
    }

    #[test]
    fn a_clock_the_system_refuses_is_read_as_none_and_the_precise_one_is_not() {
        assert_eq!(read(-12345), None);
        assert!(read(libc::CLOCK_MONOTONIC).is_some_and(|t| t > Duration::ZERO));
    }

    #[test]
    fn a_deadline_too_far_ahead_saturates_and_never_comes() {
        let now = CoarseInstant::now();
        assert!(now + Duration::MAX > now + Duration::from_secs(3600 * 24 * 365 * 100));
        assert!(now + Duration::MAX >= CoarseInstant::now());
    }
}
