//! `fork()` while other threads write through the same handle (guarantee:
//! fork-safe): the child is a copy with only the forking thread in it, so
//! whatever another thread held at that instant (the in-process mutex, the
//! lock through a shared open file description, the background thread's
//! queue) is held for ever in the child. A child that writes at once must
//! neither deadlock nor share its parent's lock, and every record of
//! parent and children must be whole, once, in order.
//!
//! Alone in its test binary: it forks the test process itself.

// Unix only: fork(2): Windows has none.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use concurrent_rotating_file::RotatingFile;

const THREADS: usize = 6;
const FORKS: usize = 40;
const CHILD_RECORDS: usize = 10;

/// Something to write through, cloned for each thread and each child.
trait Handle: Write + Send + 'static {
    fn another(&self) -> Self;
}

impl Handle for RotatingFile {
    fn another(&self) -> Self {
        self.clone()
    }
}

impl Handle for concurrent_rotating_file::NonBlocking {
    fn another(&self) -> Self {
        self.clone()
    }
}

/// Six threads write through clones of `handle` while the test forks 40
/// times; each child writes through another clone at once and exits.
fn fork_while_threads_write(handle: impl Handle) {
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..THREADS)
        .map(|thread| {
            let mut w = handle.another();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut seq = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    writeln!(w, "thread {thread} {seq}").unwrap();
                    seq += 1;
                }
                w.flush().unwrap();
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(20));
    for round in 0..FORKS {
        let mut child_handle = handle.another();
        // SAFETY: the child only writes through the library (which must
        // cope: that is the test) and leaves with _exit, running no
        // destructor or exit handler of the parent's.
        match unsafe { libc::fork() } {
            -1 => panic!("fork failed"),
            0 => {
                let wrote = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    for k in 0..CHILD_RECORDS {
                        writeln!(child_handle, "child {round} {k}").unwrap();
                    }
                    child_handle.flush().unwrap();
                }));
                // SAFETY: ends the child at once.
                unsafe { libc::_exit(i32::from(wrote.is_err())) };
            }
            pid => test_support::wait_or_fail(pid, &format!("child {round}")),
        }
        drop(child_handle);
        std::thread::sleep(Duration::from_millis(2));
    }
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
}

/// Every line in `dir`'s log files, oldest file first.
fn lines(dir: &Path) -> Vec<String> {
    let mut backups: Vec<(u32, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            let n = name.strip_prefix("app.log.")?.parse().ok()?;
            Some((n, name))
        })
        .collect();
    backups.sort_by_key(|b| std::cmp::Reverse(b.0));
    backups
        .into_iter()
        .map(|(_, name)| name)
        .chain(["app.log".to_owned()])
        .flat_map(|name| {
            std::fs::read_to_string(dir.join(name))
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every child record once; every thread's records whole and in order.
fn assert_every_record_once_and_in_order(dir: &Path) {
    let mut children = BTreeMap::new();
    let mut threads: BTreeMap<usize, Vec<u64>> = BTreeMap::new();
    for line in lines(dir) {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[..] {
            ["child", round, k] => {
                *children
                    .entry((round.to_owned(), k.to_owned()))
                    .or_insert(0) += 1
            }
            ["thread", t, seq] => threads
                .entry(t.parse().unwrap())
                .or_default()
                .push(seq.parse().unwrap()),
            _ => panic!("a torn or unknown line: {line:?}"),
        }
    }
    assert_eq!(children.len(), FORKS * CHILD_RECORDS);
    assert!(children.values().all(|&n| n == 1), "a child record twice");
    assert_eq!(threads.len(), THREADS);
    for (thread, seqs) in threads {
        assert!(
            seqs.iter().enumerate().all(|(i, &s)| s == i as u64),
            "thread {thread}: records lost, doubled or out of order"
        );
    }
}

#[test]
fn a_child_forked_while_six_threads_write_writes_at_once_without_deadlock() {
    // Through the synchronous handle.
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(64 * 1024)
        .backups(10_000)
        .open()
        .unwrap();
    fork_while_threads_write(log.clone());
    drop(log);
    assert_every_record_once_and_in_order(dir.path());

    // Through the background writer, whose thread exists in the parent
    // only.
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(64 * 1024)
        .backups(10_000)
        .open()
        .unwrap();
    let (writer, guard) = log.non_blocking();
    fork_while_threads_write(writer);
    drop(guard);
    drop(log);
    assert_every_record_once_and_in_order(dir.path());
}

#[test]
fn a_child_forked_while_a_parent_thread_waits_for_the_lock_exits_without_waiting_for_it() {
    // The parent's thread waits for the lock holding the log's in-process
    // mutex, which the child inherits held for ever. The child's exit
    // waits only for its own writes, not `compression_wait` for that mutex.
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .compression_wait(Duration::from_secs(60))
        .open()
        .unwrap();
    let held =
        test_support::HeldLock::of(&dir.path().join(".concurrent-rotating-file/app.log.lock"));
    let writer = log.clone();
    let blocked = std::thread::spawn(move || writer.write_record(b"parent\n"));
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        !blocked.is_finished(),
        "the thread did not wait for the lock"
    );
    // SAFETY: the child only runs the library's exit handler, which must
    // cope with what the parent's thread held (that is the test).
    match unsafe { libc::fork() } {
        -1 => panic!("fork failed"),
        0 => unsafe { libc::exit(0) },
        // 10 s at most, against 60 s for the parent's mutex.
        pid => test_support::wait_or_fail(pid, "the child's exit"),
    }
    drop(held);
    blocked.join().unwrap().unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.log")).unwrap(),
        "parent\n"
    );
}
