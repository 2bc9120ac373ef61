//! The background policy for one thread (`setpriority(PRIO_DARWIN_THREAD,
//! 0, PRIO_DARWIN_BG)`): the lowest CPU priority, and its disk reads and
//! writes throttled behind everyone else's.

pub(super) fn lowest_for_this_thread() {
    // SAFETY: with PRIO_DARWIN_THREAD and `who` 0, setpriority changes only
    // the calling thread's policy; its failure only leaves the priority as
    // it was. std has no thread priorities.
    unsafe {
        let _ = libc::setpriority(libc::PRIO_DARWIN_THREAD, 0, libc::PRIO_DARWIN_BG);
    }
}
