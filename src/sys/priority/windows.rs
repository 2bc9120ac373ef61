//! The background processing mode for one thread
//! (`SetThreadPriority(THREAD_MODE_BACKGROUND_BEGIN)`): the lowest CPU
//! priority, and its disk and memory priorities lowered too, as macOS's
//! background policy does. Where the mode is refused, the lowest
//! priority of the normal range (`THREAD_PRIORITY_LOWEST`), which the
//! scheduler still boosts now and then should the thread starve.

use windows_sys::Win32::System::Threading::{
    GetCurrentThread, SetThreadPriority, THREAD_MODE_BACKGROUND_BEGIN, THREAD_PRIORITY_LOWEST,
};

pub(super) fn lowest_for_this_thread() {
    // SAFETY: GetCurrentThread returns a pseudo-handle to the calling
    // thread that needs no closing; SetThreadPriority on it changes that
    // thread's priority alone, and its failure only leaves it as it was.
    // std has no thread priorities.
    unsafe {
        let this = GetCurrentThread();
        if SetThreadPriority(this, THREAD_MODE_BACKGROUND_BEGIN) == 0 {
            let _ = SetThreadPriority(this, THREAD_PRIORITY_LOWEST);
        }
    }
}

#[cfg(test)]
mod tests {
    use windows_sys::Win32::System::Threading::{GetThreadPriority, THREAD_PRIORITY_NORMAL};

    use super::*;

    fn priority_of_this_thread() -> i32 {
        // SAFETY: as above; GetThreadPriority only reads.
        unsafe { GetThreadPriority(GetCurrentThread()) }
    }

    #[test]
    fn the_lowest_priority_is_the_calling_threads_alone() {
        let before = priority_of_this_thread();
        let lowered = std::thread::spawn(|| {
            lowest_for_this_thread();
            priority_of_this_thread()
        })
        .join()
        .unwrap();
        assert!(lowered < THREAD_PRIORITY_NORMAL, "{lowered}");
        assert_eq!(priority_of_this_thread(), before);
    }
}
