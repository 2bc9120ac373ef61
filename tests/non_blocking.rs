//! The background writer in one process: flush and shutdown lose nothing
//! (guarantee: acknowledged means written), a full queue blocks or
//! drops-and-counts exactly, errors are counted and writing resumes
//! (guarantee: errors name the path). Many processes through it are in
//! the tools' `non_blocking_processes` tests.

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use concurrent_rotating_file::RotatingFile;

/// `app.log` in `dir`, with the default options.
fn app_log(dir: &std::path::Path) -> RotatingFile {
    RotatingFile::builder(dir.join("app.log")).open().unwrap()
}

fn lines_in(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
}

/// Holds the log's lock from another open file description, as another
/// process would: the background thread stalls on it.
fn hold_lock(dir: &std::path::Path) -> common::HeldLock {
    common::HeldLock::of(&common::own_file(dir, "app.log.lock"))
}

#[test]
fn flush_returns_once_everything_sent_is_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, _guard) = log.non_blocking();
    for round in 1..=5 {
        for i in 0..1000 {
            writeln!(writer, "round {round} line {i}").unwrap();
        }
        writer.flush().unwrap();
        assert_eq!(lines_in(log.path()), round * 1000);
    }
}

#[test]
fn dropping_the_guard_writes_everything_queued() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(4096)
        .backups(100)
        .open()
        .unwrap();
    let (writer, guard) = log.non_blocking();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let mut writer = writer.clone();
            std::thread::spawn(move || {
                for i in 0..2500 {
                    writeln!(writer, "thread {t} line {i:05}").unwrap();
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    drop(guard);
    let mut total = lines_in(log.path());
    for n in 1..=100 {
        total += lines_in(&dir.path().join(format!("app.log.{n}")));
    }
    assert_eq!(total, 10_000);
}

#[test]
fn a_partial_line_is_written_ended_on_flush_and_handle_drop() {
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, guard) = log.non_blocking();
    writer.write_all(b"first ").unwrap();
    writer.flush().unwrap();
    let mut other = writer.clone();
    other.write_all(b"second").unwrap();
    drop(other);
    drop(guard);
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "first \nsecond\n"
    );
}

#[test]
fn after_the_guard_is_dropped_writes_go_straight_to_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, guard) = log.non_blocking();
    writeln!(writer, "queued").unwrap();
    drop(guard);
    writeln!(writer, "direct").unwrap();
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "queued\ndirect\n"
    );
}

#[test]
fn a_record_is_written_without_a_flush() {
    // The thread lets a round gather a little, then writes it by itself.
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, _guard) = log.non_blocking();
    writeln!(writer, "lone record").unwrap();
    let path = log.path().to_path_buf();
    common::within(10, move || {
        while lines_in(&path) == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "lone record\n"
    );
}

#[test]
fn a_partial_line_queued_with_other_records_is_never_glued_to_the_next() {
    // Guarantee: never torn. The partial line and the next record travel
    // in one batch while the thread waits for the lock.
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, guard) = log.non_blocking();
    let lock = hold_lock(dir.path());
    writeln!(writer, "first").unwrap();
    let mut partial = writer.clone();
    partial.write_all(b"partial").unwrap();
    drop(partial); // queues the partial line, without waiting
    writeln!(writer, "next").unwrap();
    lock.unlock().unwrap();
    writer.flush().unwrap();
    drop(guard);
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "first\npartial\nnext\n"
    );
}

#[test]
fn a_lossy_writer_with_a_full_queue_drops_and_counts_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, guard) = log.non_blocking_builder().capacity(8).lossy(true).finish();
    let lock = hold_lock(dir.path());
    for i in 0..200 {
        writeln!(writer, "line {i}").unwrap();
    }
    // The stalled thread holds what it took before the lock stopped it; the
    // queue holds 8 more; everything else was dropped.
    let dropped = writer.dropped();
    assert!((1..=200 - 8).contains(&dropped), "{dropped} dropped");
    lock.unlock().unwrap();
    writer.flush().unwrap();
    drop(guard);
    assert_eq!(lines_in(log.path()) as u64 + dropped, 200);
    assert_eq!(writer.dropped(), dropped);
}

#[test]
fn a_lossy_queue_is_bounded_in_bytes_too() {
    // Eight records of queue are 1 KiB: records of 1000 bytes fill it one
    // at a time (the thread holds at most one round more).
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (mut writer, guard) = log.non_blocking_builder().capacity(8).lossy(true).finish();
    let lock = hold_lock(dir.path());
    let record = format!("{}\n", "x".repeat(999));
    for _ in 0..20 {
        writer.write_all(record.as_bytes()).unwrap();
    }
    let dropped = writer.dropped();
    assert!(dropped >= 18, "{dropped} dropped");
    lock.unlock().unwrap();
    writer.flush().unwrap();
    drop(guard);
    assert_eq!(lines_in(log.path()) as u64 + dropped, 20);
}

#[test]
fn a_full_queue_makes_a_lossless_writer_wait_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let log = app_log(dir.path());
    let (writer, guard) = log.non_blocking_builder().capacity(4).finish();
    let lock = hold_lock(dir.path());
    let sent = std::sync::Arc::new(AtomicU64::new(0));
    let producer = {
        let (mut writer, sent) = (writer.clone(), sent.clone());
        std::thread::spawn(move || {
            for i in 0..50 {
                writeln!(writer, "line {i}").unwrap();
                sent.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let before = sent.load(Ordering::SeqCst);
    assert!(
        before < 50,
        "the producer should be waiting for room, sent {before}"
    );
    lock.unlock().unwrap();
    producer.join().unwrap();
    drop(guard);
    assert_eq!(lines_in(log.path()), 50);
    assert_eq!(writer.dropped(), 0);
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a directory holding open files cannot be removed (no POSIX-semantics delete, error 5)"
)]
fn background_write_errors_are_counted_and_writing_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let path = logs.join("app.log");
    let log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    let (mut writer, _guard) = log.non_blocking();
    // The log's directory vanishes and cannot be recreated: every write fails.
    std::fs::remove_dir_all(&logs).unwrap();
    std::fs::create_dir(&logs).unwrap();
    std::fs::remove_dir(&logs).unwrap();
    let blocker = std::fs::write(&logs, "a file where the directory was");
    blocker.unwrap();
    writeln!(writer, "lost 1").unwrap();
    writeln!(writer, "lost 2").unwrap();
    writer.flush().unwrap();
    assert_eq!(writer.write_errors(), 2);
    // The cause clears: logging resumes by itself.
    std::fs::remove_file(&logs).unwrap();
    writeln!(writer, "back").unwrap();
    writer.flush().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "back\n");
    assert_eq!(writer.write_errors(), 2);
}

#[test]
fn tracing_events_through_the_background_writer_are_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(40)
        .backups(5)
        .open()
        .unwrap();
    let (writer, guard) = log.non_blocking();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("first event");
        tracing::info!("second event\nspans three\nlines of text");
    });
    drop(guard);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("app.log.1")).unwrap(),
        "first event\n"
    );
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "second event\nspans three\nlines of text\n"
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: a directory made read-only by its mode bits, which Windows does not have"
)]
fn a_batch_cut_short_by_an_error_counts_exactly_the_records_lost() {
    // Ten 10-byte records in one batch, 30 bytes allowed per file in a
    // directory that refuses the rotation: three go in, seven are lost.
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let path = logs.join("app.log");
    let log = RotatingFile::builder(&path).max_bytes(30).open().unwrap();
    let (mut writer, _guard) = log.non_blocking();
    let read_only = common::Immutable::new(&logs);
    {
        // The thread waits on the lock while all ten are queued.
        let _held = hold_lock(&logs);
        for i in 0..10 {
            writeln!(writer, "record {i}").unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    writer.flush().unwrap();
    assert_eq!(writer.write_errors(), 7);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "record 0\nrecord 1\nrecord 2\n"
    );
    drop(read_only);
}

/// A clock that panics once it has been read as many times as it holds:
/// the way a user's `Clock` can kill the background thread.
#[derive(Debug)]
struct PanickingClock(AtomicU64);

impl concurrent_rotating_file::Clock for PanickingClock {
    fn now(&self) -> std::time::SystemTime {
        if self.0.fetch_sub(1, Ordering::SeqCst) == 0 {
            panic!("the clock broke");
        }
        std::time::SystemTime::now()
    }
}

#[test]
fn writers_fail_rather_than_wait_when_the_background_thread_died() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .rotate_every(concurrent_rotating_file::Period::Hour)
        .clock(PanickingClock(AtomicU64::new(0)))
        .open()
        .unwrap();
    // A small queue, so that a writer waiting for room would wait for ever.
    let (mut writer, guard) = log.non_blocking_builder().capacity(4).finish();
    writeln!(writer, "kills the thread").unwrap();
    let (mut writer, failed) = common::within(10, move || {
        // One whole line per call (`writeln!` writes in pieces).
        let failed = (0..100)
            .filter(|i| writer.write_all(format!("after {i}\n").as_bytes()).is_err())
            .count();
        (writer, failed)
    });
    assert!(writer.flush().is_err());
    // The guard does not wait for a thread that is gone; once it is
    // dropped, the thread has counted what it lost. Each record either
    // failed at once or was queued and counted as lost.
    common::within(10, move || drop(guard));
    assert_eq!(failed as u64 + writer.write_errors(), 101, "{failed}");
    assert_eq!(std::fs::read_to_string(log.path()).unwrap(), "");
}
