//! [`Clock`]: where time-based rotation and retention read the time.

use std::fmt::Debug;
use std::time::SystemTime;

/// The wall clock that time-based rotation and age-based retention read,
/// replaceable for tests through [`Builder::clock`](crate::Builder::clock).
///
/// Every process sharing a log must see the same time: the decision to
/// rotate is made under the lock from the period recorded for the live
/// file, against this clock.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use concurrent_rotating_file::Clock;
///
/// /// A clock a test moves by hand.
/// #[derive(Debug, Default)]
/// struct ManualClock(AtomicU64);
///
/// impl Clock for ManualClock {
///     fn now(&self) -> SystemTime {
///         UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::Relaxed))
///     }
/// }
/// ```
pub trait Clock: Send + Sync + Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock ([`SystemTime::now`]); the default.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Seconds since the Unix epoch, negative before it.
pub(crate) fn unix_secs(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}
