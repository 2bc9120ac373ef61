//! The clock read through `GetTickCount64`: the system's uptime in
//! milliseconds as of the last timer tick, read from the page the kernel
//! shares with every process, with no system call (`Instant::now()` asks
//! the performance counter instead).

use std::time::Duration;

/// The longest a read lags the precise clock: a timer tick, 15.6 ms at
/// Windows' default rate of 64 Hz, and the millisecond it is counted in.
#[cfg(test)]
pub(super) const TICK: Duration = Duration::from_millis(17);

/// The time since the system started. Read for every record: inlined
/// into its caller like the read it wraps.
#[inline]
pub(super) fn since_boot() -> Duration {
    // SAFETY: GetTickCount64 takes nothing, cannot fail and only reads the
    // shared page. std reads only the performance counter (`Instant`).
    Duration::from_millis(unsafe {
        windows_sys::Win32::System::SystemInformation::GetTickCount64()
    })
}
