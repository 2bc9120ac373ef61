//! Behaviour of one handle that needs no second process: record boundaries
//! (guarantees: never torn, never past max_bytes, acknowledged means
//! written), files changed under the writer's feet (rotated once, fork-safe
//! and reopened), file modes and symlinks (no symlink followed).

mod common;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::time::Duration;

use concurrent_rotating_file::RotatingFile;

fn read(path: impl AsRef<Path>) -> String {
    fs::read_to_string(path).unwrap()
}

fn backup(log: &Path, n: usize) -> PathBuf {
    PathBuf::from(format!("{}.{n}", log.display()))
}

#[test]
fn a_line_is_in_the_file_when_write_all_returns() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .open()
        .unwrap();
    for i in 0..100 {
        writeln!(log, "line {i}").unwrap();
        assert!(read(log.path()).ends_with(&format!("line {i}\n")));
    }
}

#[test]
fn record_larger_than_max_bytes_gets_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(20)
        .backups(5)
        .open()
        .unwrap();
    let big = format!("{}\n", "x".repeat(49));
    log.write_all(b"small 1\n").unwrap();
    log.write_all(big.as_bytes()).unwrap();
    log.write_all(b"small 2\n").unwrap();
    assert_eq!(read(backup(&path, 2)), "small 1\n");
    assert_eq!(
        read(backup(&path, 1)),
        big,
        "the large record is alone in its file"
    );
    assert_eq!(read(&path), "small 2\n");
}

#[test]
fn no_file_exceeds_max_bytes_and_a_full_file_is_rotated_before_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(30)
        .backups(50)
        .open()
        .unwrap();
    for i in 0..40 {
        writeln!(log, "record {i:03}").unwrap(); // 11 bytes
    }
    for n in 1..=13 {
        let content = read(backup(&path, n));
        assert_eq!(
            content.len(),
            22,
            "two 11-byte records fit in 30 bytes: {content:?}"
        );
    }
    assert_eq!(log.rotations(), 19);
}

#[test]
fn several_lines_in_one_write_are_split_only_between_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .backups(5)
        .open()
        .unwrap();
    log.write_all(b"aaaa\nbbbb\ncccc\n").unwrap();
    assert_eq!(read(backup(&path, 1)), "aaaa\nbbbb\n");
    assert_eq!(read(&path), "cccc\n");
}

#[test]
fn a_partial_line_waits_for_its_newline_then_goes_out_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path).open().unwrap();
    log.write_all(b"half ").unwrap();
    assert_eq!(read(&path), "");
    log.write_all(b"and half\nnext ").unwrap();
    assert_eq!(read(&path), "half and half\n");
    // Flushed, a partial line is a record of its own, ended with a newline
    // so that no other record is ever glued to it.
    log.flush().unwrap();
    assert_eq!(read(&path), "half and half\nnext \n");
}

#[test]
fn a_partial_line_is_written_ended_when_the_handle_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = RotatingFile::builder(&path).open().unwrap();
    let mut clone = log.clone();
    clone.write_all(b"no newline at exit").unwrap();
    drop(clone);
    clone = log.clone();
    clone.write_all(b"another process's line\n").unwrap();
    assert_eq!(read(&path), "no newline at exit\nanother process's line\n");
}

#[test]
fn clones_buffer_their_partial_lines_separately() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = RotatingFile::builder(&path).open().unwrap();
    let (mut a, mut b) = (log.clone(), log.clone());
    a.write_all(b"a1 ").unwrap();
    b.write_all(b"b1 ").unwrap();
    a.write_all(b"a2\n").unwrap();
    b.write_all(b"b2\n").unwrap();
    assert_eq!(read(&path), "a1 a2\nb1 b2\n");
}

#[test]
fn a_tracing_event_on_several_lines_is_one_record_never_split() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // 12 + 39 bytes do not fit in 40, but the second event's first line
    // would: splitting by lines would put it in the first file.
    let log = RotatingFile::builder(&path)
        .max_bytes(40)
        .backups(5)
        .open()
        .unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .without_time()
        .with_target(false)
        .with_level(false)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("first event");
        tracing::info!("second event\nspans three\nlines of text");
    });
    assert_eq!(read(backup(&path, 1)), "first event\n");
    assert_eq!(read(&path), "second event\nspans three\nlines of text\n");
    assert_eq!(log.write_errors(), 0);
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a file deleted while open keeps its name until its last handle closes (no POSIX-semantics delete)"
)]
fn a_deleted_log_file_is_recreated_on_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    writeln!(log, "before").unwrap();
    fs::remove_file(&path).unwrap();
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a file deleted while open keeps its name until its last handle closes (no POSIX-semantics delete)"
)]
fn a_deleted_log_file_is_recreated_within_the_check_interval_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path).open().unwrap();
    writeln!(log, "before").unwrap();
    fs::remove_file(&path).unwrap();
    std::thread::sleep(Duration::from_millis(150));
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a directory holding open files cannot be removed (no POSIX-semantics delete, error 5)"
)]
fn a_log_directory_removed_under_the_writer_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs/app.log");
    let mut log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    writeln!(log, "before").unwrap();
    fs::remove_dir_all(dir.path().join("logs")).unwrap();
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n");
}

#[test]
fn a_log_file_moved_away_by_hand_is_left_there_and_a_new_one_started() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    writeln!(log, "old").unwrap();
    fs::rename(&path, dir.path().join("app.log.old")).unwrap();
    writeln!(log, "new").unwrap();
    assert_eq!(read(dir.path().join("app.log.old")), "old\n");
    assert_eq!(read(&path), "new\n");
}

/// Does what Python's `ConcurrentRotatingFileHandler` does, under the same
/// lock: append a record, or rotate by renames and start a new file.
struct ForeignWriter {
    lock: File,
    log: PathBuf,
}

impl ForeignWriter {
    /// A log at `path` shared with Python's handler, and a writer outside
    /// the library appending to it under the same lock.
    fn beside(
        path: &Path,
        max_bytes: u64,
        path_check_interval: Duration,
    ) -> (RotatingFile, ForeignWriter) {
        let log = RotatingFile::builder(path)
            .max_bytes(max_bytes)
            .path_check_interval(path_check_interval)
            .share_with_python(true)
            .open()
            .unwrap();
        let python = ForeignWriter {
            lock: File::open(path.with_file_name(".__app.lock")).unwrap(),
            log: path.to_path_buf(),
        };
        (log, python)
    }

    fn append(&self, record: &str) {
        self.lock.lock().unwrap();
        OpenOptions::new()
            .append(true)
            .open(&self.log)
            .unwrap()
            .write_all(record.as_bytes())
            .unwrap();
        common::unlock(&self.lock).unwrap();
    }

    fn rotate_and_append(&self, record: &str) {
        self.lock.lock().unwrap();
        fs::rename(&self.log, backup(&self.log, 1)).unwrap();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap()
            .write_all(record.as_bytes())
            .unwrap();
        common::unlock(&self.lock).unwrap();
    }
}

#[test]
fn a_foreign_writer_appending_is_seen_and_then_its_rotations_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let (mut log, python) = ForeignWriter::beside(&path, 1000, Duration::from_millis(20));
    writeln!(log, "rust 1").unwrap();
    python.append("python 1\n");
    std::thread::sleep(Duration::from_millis(30));
    writeln!(log, "rust 2").unwrap();
    // From now on every record checks the path: an immediate rotation by
    // the foreign writer is followed at once.
    python.rotate_and_append("python 2\n");
    writeln!(log, "rust 3").unwrap();
    assert_eq!(read(backup(&path, 1)), "rust 1\npython 1\nrust 2\n");
    assert_eq!(read(&path), "python 2\nrust 3\n");
}

#[test]
fn a_foreign_writers_bytes_count_towards_the_size_bound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let (mut log, python) = ForeignWriter::beside(&path, 20, Duration::ZERO);
    python.append("python 1234567890\n"); // 18 bytes
    writeln!(log, "rust").unwrap(); // 5 more would pass 20
    assert_eq!(read(backup(&path, 1)), "python 1234567890\n");
    assert_eq!(read(&path), "rust\n");
}

#[cfg(unix)]
#[test]
fn a_foreign_writers_appends_count_towards_the_size_bound_between_path_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let (mut log, python) = ForeignWriter::beside(&path, 30, Duration::from_secs(3600));
    writeln!(log, "rust 1").unwrap(); // 7 bytes; the path checked, not again for an hour
    python.append(
        "python 1234567890
",
    ); // 18 more
    writeln!(log, "rust 2").unwrap(); // 7 more would pass 30: never past max_bytes
    assert_eq!(read(backup(&path, 1)), "rust 1\npython 1234567890\n");
    assert_eq!(read(&path), "rust 2\n");
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_at_a_backup_name_is_moved_along_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let victim = dir.path().join("victim");
    fs::write(&victim, "precious").unwrap();
    symlink(&victim, backup(&path, 1)).unwrap();
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .backups(3)
        .open()
        .unwrap();
    for i in 0..6 {
        writeln!(log, "line {i}").unwrap();
    }
    assert_eq!(read(&victim), "precious");
    assert!(fs::symlink_metadata(backup(&path, 1)).unwrap().is_file());
}

#[cfg(unix)]
#[test]
fn files_are_created_with_the_mode_asked_whatever_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .mode(0o640)
        .max_bytes(10)
        .backups(2)
        .open()
        .unwrap();
    writeln!(log, "one line").unwrap();
    writeln!(log, "rotates").unwrap();
    for file in [
        path.clone(),
        backup(&path, 1),
        common::own_file(dir.path(), "app.log.lock"),
        common::own_file(dir.path(), "app.log.state"),
    ] {
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{}", file.display());
    }
}

#[cfg(unix)]
#[test]
fn files_are_created_0o644_less_the_umask_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    RotatingFile::builder(&path).open().unwrap();
    // SAFETY: umask only swaps the process's mask; restored at once.
    let umask = unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old
    };
    let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644 & !(umask as u32));
}

#[test]
fn the_lock_goes_in_the_lock_directory_when_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("logs/app.txt");
    RotatingFile::builder(&path)
        .lock_dir(dir.path().join("locks"))
        .open()
        .unwrap();
    let locks: Vec<String> = fs::read_dir(dir.path().join("locks"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        locks
            .iter()
            .any(|n| n.starts_with("app.txt.") && n.ends_with(".lock")),
        "{locks:?}"
    );
    assert!(!common::own_file(&dir.path().join("logs"), "app.txt.lock").exists());
    // Shared with Python's handler: its name, in the lock directory.
    RotatingFile::builder(&path)
        .lock_dir(dir.path().join("locks"))
        .share_with_python(true)
        .open()
        .unwrap();
    assert!(dir.path().join("locks/.__app.txt.lock").is_file());
    assert!(!dir.path().join("logs/.__app.txt.lock").exists());
}

#[test]
fn a_fresh_directory_holds_only_the_log_where_a_glob_looks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .compression(concurrent_rotating_file::Compression::Gzip)
        .open()
        .unwrap();
    for i in 0..4 {
        writeln!(log, "line {i}").unwrap();
    }
    drop(log);
    assert_eq!(
        test_support::names(dir.path()),
        [
            ".concurrent-rotating-file",
            "app.log",
            "app.log.1.gz",
            "app.log.2.gz",
            "app.log.3.gz"
        ]
    );
}

#[test]
fn opening_closes_a_gap_a_killed_rotation_left_in_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    fs::write(backup(&path, 1), "newest\n").unwrap();
    fs::write(backup(&path, 3), "oldest\n").unwrap();
    RotatingFile::builder(&path).open().unwrap();
    assert_eq!(read(backup(&path, 1)), "newest\n");
    assert_eq!(read(backup(&path, 2)), "oldest\n");
    assert!(!backup(&path, 3).exists());
}
