//! Running work at the lowest CPU priority: gzip of backups, so that on a
//! busy machine the writers get the processors first and compression
//! takes the time left over (guarantee: gzip off the lock, and off the
//! writers' CPU).

/// Lowers the calling thread's priority as far as it goes (`nice` 19).
/// Linux keeps a nice value per thread; elsewhere `setpriority` would
/// lower the whole process, so nothing is done. An unprivileged thread
/// cannot raise it back: call it on a thread that does nothing else.
pub(crate) fn lowest_for_this_thread() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `gettid` takes no argument and cannot fail;
        // `setpriority` on our own thread id changes only that thread's
        // nice value, and its failure (a sandbox forbidding it) only leaves
        // the priority as it was. std has no thread priorities.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            let _ = libc::setpriority(libc::PRIO_PROCESS, tid, 19);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
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
