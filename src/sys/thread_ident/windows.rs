//! `GetCurrentThreadId()`, what CPython's `threading.get_ident()` returns
//! on Windows.

pub(super) fn current() -> u64 {
    // SAFETY: GetCurrentThreadId takes nothing and cannot fail; std has no
    // numeric thread id, let alone the one Python's gives.
    u64::from(unsafe { windows_sys::Win32::System::Threading::GetCurrentThreadId() })
}
