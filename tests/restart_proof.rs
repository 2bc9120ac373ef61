//! Restart-proof files in one process: no file renamed, each rotation
//! starting the next number (guarantees: an unbroken chain, rotated once,
//! never past max_bytes), the stable name a link to the live file (and
//! recreated when deleted), retention by count, age and size of the oldest
//! files only, gzip of every file but the live one, time rotation, a state
//! started afresh, a log written in rename mode until now, and the writers
//! that must be refused. The multi-process side is in the tools'
//! `restart_proof_processes` tests, the shippers' in `shippers`.

// Some tests here need Unix (marked `#[cfg(unix)]`); their helpers
// are unused elsewhere.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;

use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use concurrent_rotating_file::{Clock, Compression, ErrorKind, Period, RotatingFile};

/// The log's files (the hidden directory left out), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names = test_support::names(dir);
    names.retain(|n| !n.starts_with('.'));
    names
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[cfg(unix)]
fn inode(dir: &Path, name: &str) -> u64 {
    std::fs::symlink_metadata(dir.join(name)).unwrap().ino()
}

/// A restart-proof log in `dir` whose files hold three 21-byte lines.
fn small(dir: &Path) -> concurrent_rotating_file::Builder {
    RotatingFile::builder(dir.join("app.log"))
        .max_bytes(63)
        .restart_proof(true)
}

/// Line `i`: 21 bytes.
fn line(i: u32) -> String {
    format!("line {i:04} of the log\n")
}

/// Writes lines `lines`, one `write_all` each.
fn write_lines(log: &mut RotatingFile, lines: std::ops::Range<u32>) {
    for i in lines {
        log.write_all(line(i).as_bytes()).unwrap();
    }
}

#[cfg(unix)]
#[test]
fn each_rotation_starts_the_next_file_and_no_file_is_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).backups(100).open().unwrap();
    write!(log, "{}", line(0)).unwrap();
    let first = inode(dir.path(), "app.000001.log");
    write_lines(&mut log, 1..8);
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log",
            "app.000002.log",
            "app.000003.log",
            "app.log"
        ]
    );
    // The first file kept its name, its inode and its three lines.
    assert_eq!(inode(dir.path(), "app.000001.log"), first);
    assert_eq!(
        read(dir.path(), "app.000001.log"),
        [line(0), line(1), line(2)].concat()
    );
    assert_eq!(
        read(dir.path(), "app.000002.log"),
        [line(3), line(4), line(5)].concat()
    );
    // The stable name is the live file itself.
    assert_eq!(
        inode(dir.path(), "app.log"),
        inode(dir.path(), "app.000003.log")
    );
    assert_eq!(read(dir.path(), "app.log"), [line(6), line(7)].concat());
    assert_eq!(log.rotations(), 2);
}

#[test]
fn rotating_on_demand_starts_the_next_file_and_reopening_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).open().unwrap();
    write_lines(&mut log, 0..1);
    assert!(log.rotate().unwrap());
    // An empty live file is not rotated.
    assert!(!log.rotate().unwrap());
    log.reopen().unwrap();
    write_lines(&mut log, 1..2);
    assert_eq!(
        names(dir.path()),
        ["app.000001.log", "app.000002.log", "app.log"]
    );
    assert_eq!(read(dir.path(), "app.log"), line(1));
    assert_eq!(log.rotations(), 1);
}

#[test]
fn a_record_larger_than_max_bytes_gets_a_file_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).open().unwrap();
    let big = format!("{}\n", "x".repeat(99));
    write!(log, "{}{big}{}", line(0), line(1)).unwrap();
    assert_eq!(read(dir.path(), "app.000001.log"), line(0));
    assert_eq!(read(dir.path(), "app.000002.log"), big);
    assert_eq!(read(dir.path(), "app.000003.log"), line(1));
}

#[test]
fn retention_by_count_deletes_the_oldest_files_and_never_the_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).backups(2).open().unwrap();
    write_lines(&mut log, 0..15);
    assert_eq!(
        names(dir.path()),
        [
            "app.000003.log",
            "app.000004.log",
            "app.000005.log",
            "app.log"
        ]
    );
    assert_eq!(
        read(dir.path(), "app.000005.log"),
        line(12) + &line(13) + &line(14)
    );
    // Nothing is left parked for deletion.
    let own = std::fs::read_dir(dir.path().join(".concurrent-rotating-file")).unwrap();
    let parked: Vec<_> = own
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("pruned"))
        .collect();
    assert!(parked.is_empty(), "{parked:?}");
}

#[test]
fn retention_by_total_size_keeps_the_newest_that_fit() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path())
        .backups(100)
        .max_total_bytes(130)
        .open()
        .unwrap();
    write_lines(&mut log, 0..16);
    // Two full backups (126 bytes) fit, a third would not; the live file
    // does not count.
    assert_eq!(
        names(dir.path()),
        [
            "app.000004.log",
            "app.000005.log",
            "app.000006.log",
            "app.log"
        ]
    );
}

/// A clock the test moves; clones share the time.
#[derive(Debug, Clone)]
struct ManualClock(Arc<AtomicI64>);

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::Relaxed) as u64)
    }
}

/// Sets the modification time of `name` to `secs` (Unix seconds).
fn set_modified(dir: &Path, name: &str, secs: i64) {
    let file = std::fs::File::options()
        .append(true)
        .open(dir.join(name))
        .unwrap();
    file.set_modified(UNIX_EPOCH + Duration::from_secs(secs as u64))
        .unwrap();
}

#[test]
fn retention_by_age_reads_the_time_of_each_files_last_record() {
    let dir = tempfile::tempdir().unwrap();
    // 2026-11-24 05:43:27 UTC.
    let now = 1_795_499_007;
    let clock = ManualClock(Arc::new(AtomicI64::new(now)));
    let mut log = small(dir.path())
        .backups(100)
        .max_age(Duration::from_secs(3600))
        .clock(clock)
        .open()
        .unwrap();
    write_lines(&mut log, 0..9);
    // The first file's last record two hours old, the second's ten minutes.
    set_modified(dir.path(), "app.000001.log", now - 7200);
    set_modified(dir.path(), "app.000002.log", now - 600);
    write!(log, "{}", line(9)).unwrap();
    assert_eq!(
        names(dir.path()),
        [
            "app.000002.log",
            "app.000003.log",
            "app.000004.log",
            "app.log"
        ]
    );
}

#[test]
fn time_rotation_starts_the_next_number_at_each_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let start = 1_795_499_007; // 05:43:27 UTC
    let clock = ManualClock(Arc::new(AtomicI64::new(start)));
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .rotate_every(Period::Minute)
        .utc(true)
        .max_bytes(0)
        .restart_proof(true)
        .clock(clock.clone())
        .open()
        .unwrap();
    write!(log, "{}", line(0)).unwrap();
    clock.0.fetch_add(60, Ordering::Relaxed);
    write!(log, "{}{}", line(1), line(2)).unwrap();
    // Idle across three boundaries: one switch, when the next record comes.
    clock.0.fetch_add(180, Ordering::Relaxed);
    write!(log, "{}", line(3)).unwrap();
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log",
            "app.000002.log",
            "app.000003.log",
            "app.log"
        ]
    );
    assert_eq!(read(dir.path(), "app.000002.log"), line(1) + &line(2));
    assert_eq!(read(dir.path(), "app.log"), line(3));
    assert_eq!(log.rotations(), 2);
}

#[cfg(unix)]
#[test]
fn gzip_takes_every_file_but_the_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path())
        .compression(Compression::Gzip)
        .compress_after(Duration::ZERO)
        .open()
        .unwrap();
    write_lines(&mut log, 0..8);
    drop(log); // waits for the compressions
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log.gz",
            "app.000002.log.gz",
            "app.000003.log",
            "app.log"
        ]
    );
    assert_eq!(
        common::gunzip(&dir.path().join("app.000002.log.gz")),
        [line(3), line(4), line(5)].concat()
    );
    assert_eq!(
        inode(dir.path(), "app.log"),
        inode(dir.path(), "app.000003.log")
    );
}

/// The time now, in Unix seconds.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A restart-proof log in `dir` that gzips its backups, the ages read from
/// a clock the test moves, set at `now`.
fn gzipped_with_clock(dir: &Path, now: i64) -> (concurrent_rotating_file::Builder, ManualClock) {
    let clock = ManualClock(Arc::new(AtomicI64::new(now)));
    let builder = small(dir)
        .compression(Compression::Gzip)
        .clock(clock.clone());
    (builder, clock)
}

#[test]
fn compress_after_keeps_the_newest_files_plain_for_a_follower_that_was_down() {
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let (builder, clock) = gzipped_with_clock(dir.path(), now);
    let mut log = builder
        .compress_after(Duration::from_secs(600))
        .open()
        .unwrap();
    write_lines(&mut log, 0..8);
    // Two switches, both files younger than 10 minutes: still plain.
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log",
            "app.000002.log",
            "app.000003.log",
            "app.log"
        ]
    );
    // Ten minutes later, the next switch hands those two to the compressor;
    // the file it closes (its last record written now) stays plain. Ages
    // are counted in whole seconds from the switches, which a slow machine
    // may have stamped a second or two after `now`.
    let later = unix_now() + 601;
    clock.0.store(later, Ordering::Relaxed);
    write!(log, "{}", line(8)).unwrap();
    set_modified(dir.path(), "app.000003.log", later);
    write!(log, "{}", line(9)).unwrap();
    drop(log); // waits for the compressions
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log.gz",
            "app.000002.log.gz",
            "app.000003.log",
            "app.000004.log",
            "app.log"
        ]
    );
}

#[test]
fn gzip_keeps_a_restart_proof_logs_backups_plain_for_a_followers_restart_by_default() {
    // Restart-proof: a follower restarted within the default finds the
    // files closed while it was down still in its glob, plain.
    let dir = tempfile::tempdir().unwrap();
    let now = unix_now();
    let (builder, clock) = gzipped_with_clock(dir.path(), now);
    let mut log = builder.clone().open().unwrap();
    write_lines(&mut log, 0..8);
    drop(log); // waits for any compression
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log",
            "app.000002.log",
            "app.000003.log",
            "app.log"
        ]
    );
    // Five minutes on, the next switch gzips them; the file it closes
    // stays plain. Ages are counted in whole seconds from the switches,
    // which a slow machine may have stamped a second or two after `now`.
    let later = unix_now() + 5 * 60;
    clock.0.store(later, Ordering::Relaxed);
    let mut log = builder.open().unwrap();
    write_lines(&mut log, 8..9);
    // Its last record written now, by the clock the ages are read from.
    set_modified(dir.path(), "app.000003.log", later);
    write_lines(&mut log, 9..10);
    drop(log);
    assert_eq!(
        names(dir.path()),
        [
            "app.000001.log.gz",
            "app.000002.log.gz",
            "app.000003.log",
            "app.000004.log",
            "app.log"
        ]
    );
    // Renamed backups are gzipped at once, as before: a follower of the
    // live file reads a backup's end through the descriptor it holds.
    let renamed = tempfile::tempdir().unwrap();
    let mut log = RotatingFile::builder(renamed.path().join("app.log"))
        .max_bytes(63)
        .compression(Compression::Gzip)
        .open()
        .unwrap();
    write_lines(&mut log, 0..4);
    drop(log);
    assert_eq!(names(renamed.path()), ["app.log", "app.log.1.gz"]);
}

#[cfg(unix)]
#[test]
fn a_restart_proof_file_is_never_gzipped_before_its_successor_has_existed_compress_after() {
    // A quiet log: the first file's last record is an hour old when the
    // next record starts the second file. A follower one file behind has
    // not read its end yet: it stays plain for compress_after from the
    // switch, not from its last record.
    let dir = tempfile::tempdir().unwrap();
    let start = unix_now();
    let (builder, clock) = gzipped_with_clock(dir.path(), start);
    let builder = builder.compress_after(Duration::from_secs(60));
    let mut log = builder.clone().open().unwrap();
    write_lines(&mut log, 0..3);
    set_modified(dir.path(), "app.000001.log", start - 3600);
    // The switch comes later than anything else done to the file, in whole
    // seconds, which the ages are counted in.
    std::thread::sleep(Duration::from_secs(2));
    write_lines(&mut log, 3..4);
    drop(log);
    let switched = std::fs::metadata(dir.path().join("app.000001.log"))
        .unwrap()
        .ctime();
    assert!(switched >= start + 2);
    // 61 s after the file was last touched before the switch, 59 s or
    // less after the switch: still plain.
    clock.0.store(start + 61, Ordering::Relaxed);
    let mut log = builder.clone().open().unwrap();
    write_lines(&mut log, 4..7);
    drop(log);
    assert!(
        names(dir.path()).contains(&"app.000001.log".to_owned()),
        "{:?}",
        names(dir.path())
    );
    // 60 s after the switch: gzipped by the next one.
    clock.0.store(switched + 60, Ordering::Relaxed);
    let mut log = builder.open().unwrap();
    write_lines(&mut log, 7..10);
    drop(log);
    let names = names(dir.path());
    assert!(
        names.contains(&"app.000001.log.gz".to_owned())
            && !names.contains(&"app.000001.log".to_owned()),
        "{names:?}"
    );
}

#[cfg(unix)]
#[test]
fn the_stable_name_deleted_by_hand_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path())
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    write!(log, "{}", line(0)).unwrap();
    std::fs::remove_file(dir.path().join("app.log")).unwrap();
    write!(log, "{}", line(1)).unwrap();
    assert_eq!(
        inode(dir.path(), "app.log"),
        inode(dir.path(), "app.000001.log")
    );
    assert_eq!(read(dir.path(), "app.log"), line(0) + &line(1));
}

#[cfg(unix)]
#[test]
fn the_live_file_deleted_by_hand_is_recreated_under_its_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path())
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    write!(log, "{}", line(0)).unwrap();
    std::fs::remove_file(dir.path().join("app.000001.log")).unwrap();
    write!(log, "{}", line(1)).unwrap();
    // As in rename mode, the deleted file's records are let go; the next go
    // to a new file of the same number, which the stable name names again.
    assert_eq!(read(dir.path(), "app.000001.log"), line(1));
    assert_eq!(
        inode(dir.path(), "app.log"),
        inode(dir.path(), "app.000001.log")
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a name deleted while its file is open elsewhere stays until the last handle closes (no POSIX-semantics delete), so the test's own file is written through the log's"
)]
fn a_file_of_its_own_at_the_stable_name_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path())
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    write!(log, "{}", line(0)).unwrap();
    // Someone puts a file of their own there (not a link to ours).
    std::fs::remove_file(dir.path().join("app.log")).unwrap();
    std::fs::write(dir.path().join("app.log"), "someone's notes\n").unwrap();
    write!(log, "{}{}{}", line(1), line(2), line(3)).unwrap();
    assert_eq!(read(dir.path(), "app.log"), "someone's notes\n");
    assert_eq!(read(dir.path(), "app.000002.log"), line(3));
    // Moved away, it is replaced by the next path check.
    std::fs::rename(dir.path().join("app.log"), dir.path().join("notes")).unwrap();
    write!(log, "{}", line(4)).unwrap();
    assert_eq!(read(dir.path(), "app.log"), line(3) + &line(4));
}

fn state_file(dir: &Path) -> PathBuf {
    common::own_file(dir, "app.log.state")
}

#[cfg(unix)]
#[test]
fn a_state_started_afresh_continues_after_the_highest_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).open().unwrap();
    write_lines(&mut log, 0..4);
    drop(log);
    std::fs::remove_file(state_file(dir.path())).unwrap();
    let mut log = small(dir.path()).open().unwrap();
    write!(log, "{}", line(4)).unwrap();
    // File 2 is never written again: the order of the files is the order
    // of the records.
    assert_eq!(read(dir.path(), "app.000002.log"), line(3));
    assert_eq!(read(dir.path(), "app.000003.log"), line(4));
    assert_eq!(
        inode(dir.path(), "app.log"),
        inode(dir.path(), "app.000003.log")
    );
}

#[test]
fn a_log_written_in_rename_mode_joins_the_sequence_when_it_becomes_restart_proof() {
    let dir = tempfile::tempdir().unwrap();
    let mut renamed = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(63)
        .open()
        .unwrap();
    write_lines(&mut renamed, 0..4);
    drop(renamed);
    let mut log = small(dir.path()).open().unwrap();
    write!(log, "{}", line(4)).unwrap();
    // Its live file is the first of the sequence; its backups stay as they
    // are, and are not this log's to prune.
    assert_eq!(
        names(dir.path()),
        ["app.000001.log", "app.000002.log", "app.log", "app.log.1"]
    );
    assert_eq!(read(dir.path(), "app.000001.log"), line(3));
    assert_eq!(read(dir.path(), "app.log"), line(4));
}

#[test]
fn a_writer_without_restart_proof_refuses_a_restart_proof_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = small(dir.path()).open().unwrap();
    write!(log, "{}", line(0)).unwrap();
    let err = RotatingFile::builder(dir.path().join("app.log"))
        .open()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogFile);
    let message = err.to_string();
    assert!(
        message.contains("restart-proof") && message.contains("restart_proof(true)"),
        "{message}"
    );
    // Nothing was renamed.
    assert_eq!(names(dir.path()), ["app.000001.log", "app.log"]);
}

#[test]
fn sharing_with_pythons_handler_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = small(dir.path())
        .share_with_python(true)
        .open()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(err.to_string().contains("share_with_python"), "{err}");
    // Python's lock beside the log: a Python process may write it.
    std::fs::write(dir.path().join(".__app.lock"), "").unwrap();
    let err = small(dir.path()).open().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidOption);
    assert!(err.to_string().contains(".__app.lock"), "{err}");
    assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
}
