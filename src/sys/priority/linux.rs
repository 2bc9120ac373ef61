//! A nice value per thread: Linux keeps one for each thread, and
//! `setpriority(PRIO_PROCESS)` given a thread id changes that thread's
//! alone.

/// Nice 19, the lowest.
pub(super) fn lowest_for_this_thread() {
    // SAFETY: `gettid` takes no argument and cannot fail; `setpriority` on
    // our own thread id changes only that thread's nice value, and its
    // failure (a sandbox forbidding it) only leaves the priority as it
    // was. std has no thread priorities.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid, 19);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nice_of_this_thread() -> i32 {
        // SAFETY: as above; getpriority of our own thread id. A return of
        // -1 is also a valid nice value, hence errno is not checked: the
        // test wants 19 and 0.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::getpriority(libc::PRIO_PROCESS, tid)
        }
    }

    #[test]
    fn the_lowest_priority_is_the_calling_threads_alone() {
        let before = nice_of_this_thread();
        let lowered = std::thread::spawn(|| {
            lowest_for_this_thread();
            nice_of_this_thread()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, 19);
        assert_eq!(nice_of_this_thread(), before);
    }
}
