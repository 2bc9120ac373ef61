//! The clock read through `clock_gettime(2)`: each system's cheapest
//! monotonic one.
//!
//! - Linux: `CLOCK_MONOTONIC_COARSE`, the monotonic clock as of the last
//!   timer tick, read from the vDSO without the time counter: 6 ns where
//!   `CLOCK_MONOTONIC` takes 25.
//! - FreeBSD: `CLOCK_MONOTONIC_FAST`, the same idea (the monotonic clock
//!   as of the last tick, from the shared page).
//! - macOS: `CLOCK_UPTIME_RAW`, read in the process from the commpage
//!   with no system call, which `Instant::now()` reads too; macOS's
//!   cheaper `_APPROX` clocks are updated at context switches only, and a
//!   busy writer may see none for longer than its deadlines.
//! - Elsewhere: `CLOCK_MONOTONIC`.

use std::time::Duration;

/// The longest a read lags the precise clock: a timer tick (10 ms at the
/// lowest rate Linux and FreeBSD tick at, 100 Hz).
#[cfg(test)]
pub(super) const TICK: Duration = Duration::from_millis(10);

#[cfg(any(target_os = "linux", target_os = "android"))]
const CHEAPEST: libc::clockid_t = libc::CLOCK_MONOTONIC_COARSE;
#[cfg(any(target_os = "freebsd", target_os = "dragonfly"))]
const CHEAPEST: libc::clockid_t = libc::CLOCK_MONOTONIC_FAST;
#[cfg(target_vendor = "apple")]
const CHEAPEST: libc::clockid_t = libc::CLOCK_UPTIME_RAW;
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_vendor = "apple"
)))]
const CHEAPEST: libc::clockid_t = libc::CLOCK_MONOTONIC;

/// The time on the cheapest clock since its start. Read for every record:
/// inlined into its caller like the clock read it wraps.
#[inline]
pub(super) fn since_boot() -> Duration {
    // A kernel without the cheap clock (Linux before 2.6.32) refuses its
    // id every time: the precise clock then, for the whole run.
    read(CHEAPEST)
        .or_else(|| read(libc::CLOCK_MONOTONIC))
        // Refused too: never where std runs, whose `Instant::now()` reads
        // a monotonic clock and panics if refused.
        .unwrap_or(Duration::ZERO)
}

/// The time on `clock`, `None` if the system refuses it.
#[inline]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_the_system_refuses_is_read_as_none_and_the_precise_one_is_not() {
        // No system numbers its clocks up to the largest id.
        assert_eq!(read(libc::clockid_t::MAX), None);
        assert!(read(libc::CLOCK_MONOTONIC).is_some_and(|t| t > Duration::ZERO));
        assert!(read(CHEAPEST).is_some_and(|t| t > Duration::ZERO));
    }
}
