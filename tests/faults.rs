//! Behaviour under faults, one test per row of the README's faults table: a
//! directory or a backup that refuses changes, a log that cannot be opened,
//! the lock on another filesystem, awkward records. A full disk is in
//! `disk_full.rs`, alone in its process; faults that take several
//! processes are in the tools' `faults_processes` tests.

mod common;

use std::io::{ErrorKind as IoKind, Write};
use std::path::Path;
use std::time::Duration;

use common::Immutable;
use concurrent_rotating_file::{ErrorKind, RotatingFile};

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn is_permission_error(e: &std::io::Error) -> bool {
    // EPERM (chattr +i, as root) or EACCES (modes, otherwise).
    e.kind() == IoKind::PermissionDenied
}

#[test]
fn a_read_only_directory_keeps_appends_and_refuses_rotation_until_writable() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let path = logs.join("app.log");
    let mut log = RotatingFile::builder(&path).max_bytes(30).open().unwrap();
    writeln!(log, "before 1").unwrap();
    let read_only = Immutable::new(&logs);
    // Appending to the open file needs no change to the directory.
    writeln!(log, "during 1").unwrap();
    // A rotation does: the record that needs one is refused, not lost
    // silently, and the file stays within max_bytes.
    let err = writeln!(log, "during 2 is refused").unwrap_err();
    assert!(is_permission_error(&err), "{err:?}");
    assert_eq!(read(&path), "before 1\nduring 1\n");
    drop(read_only);
    writeln!(log, "during 2, once more").unwrap();
    assert_eq!(read(logs.join("app.log.1")), "before 1\nduring 1\n");
    assert_eq!(read(&path), "during 2, once more\n");
}

#[test]
fn a_backup_that_cannot_be_moved_stops_rotation_without_breaking_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .backups(3)
        .open()
        .unwrap();
    for record in ["one", "two"] {
        writeln!(log, "{record}").unwrap(); // 4 + 4 bytes: one file each
        writeln!(log, "{record}!").unwrap();
    }
    // Chattr on the backup as root; otherwise the directory refuses.
    let stuck = Immutable::new(&if unsafe { libc::geteuid() } == 0 {
        dir.path().join("app.log.1")
    } else {
        dir.path().to_path_buf()
    });
    let err = writeln!(log, "three").unwrap_err();
    assert!(is_permission_error(&err), "{err:?}");
    drop(stuck);
    writeln!(log, "three").unwrap();
    assert_eq!(read(dir.path().join("app.log.2")), "one\none!\n");
    assert_eq!(read(dir.path().join("app.log.1")), "two\ntwo!\n");
    assert_eq!(read(&path), "three\n");
}

#[test]
fn a_log_that_cannot_be_opened_for_writing_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "kept\n").unwrap();
    let _stuck = Immutable::new(&path);
    let err = RotatingFile::builder(&path).open().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogFile);
    assert_eq!(err.path(), path);
    assert!(err.to_string().contains("app.log"), "{err}");
}

#[test]
fn a_lock_directory_on_another_filesystem_coordinates_all_the_same() {
    // /dev/shm is a tmpfs on Linux; the logs are on the test's filesystem.
    let shm = Path::new("/dev/shm");
    assert!(shm.is_dir(), "this test needs /dev/shm");
    let locks = tempfile::tempdir_in(shm).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    assert_ne!(
        std::os::unix::fs::MetadataExt::dev(&std::fs::metadata(locks.path()).unwrap()),
        std::os::unix::fs::MetadataExt::dev(&std::fs::metadata(dir.path()).unwrap()),
        "the two directories should be on different filesystems"
    );
    let open = || {
        RotatingFile::builder(&path)
            .lock_dir(locks.path())
            .max_bytes(20)
            .open()
            .unwrap()
    };
    let (mut a, mut b) = (open(), open());
    for i in 0..5 {
        writeln!(a, "a{i} 0123456789").unwrap(); // 15 bytes: one per file
        writeln!(b, "b{i} 0123456789").unwrap();
    }
    // The lock and state files are in the lock directory, named after the
    // log (and its directory, so that logs of one name never share them).
    let mut in_locks: Vec<String> = std::fs::read_dir(locks.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    in_locks.sort();
    assert_eq!(in_locks.len(), 2, "{in_locks:?}");
    assert!(in_locks[0].starts_with("app.log.") && in_locks[0].ends_with(".lock"));
    assert!(in_locks[1].starts_with("app.log.") && in_locks[1].ends_with(".state"));
    assert!(!common::own_file(dir.path(), "app.log.lock").exists());
    // Ten records, ten files: each rotation seen by the other handle.
    assert_eq!(a.rotations(), 9);
    let chain: Vec<String> = (1..=9)
        .rev()
        .map(|n| read(dir.path().join(format!("app.log.{n}"))))
        .chain([read(&path)])
        .collect();
    let expected: Vec<String> = (0..5)
        .flat_map(|i| [format!("a{i} 0123456789\n"), format!("b{i} 0123456789\n")])
        .collect();
    assert_eq!(chain, expected);
}

#[test]
fn awkward_records_are_written_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(100)
        .backups(5)
        .open()
        .unwrap();
    // An empty write is nothing; invalid UTF-8 goes out byte for byte.
    log.write_all(b"").unwrap();
    log.write_all(b"bytes \xff\xfe are not UTF-8\n").unwrap();
    // A line larger than max_bytes and than 64 KiB: whole, alone in a file.
    let long = format!("{}\n", "x".repeat(100 * 1024));
    log.write_all(long.as_bytes()).unwrap();
    writeln!(log, "after").unwrap();
    // A last line without a newline goes out when the handle is dropped,
    // ended with one.
    write!(log, "no newline at shutdown").unwrap();
    drop(log);
    assert_eq!(
        std::fs::read(dir.path().join("app.log.2")).unwrap(),
        b"bytes \xff\xfe are not UTF-8\n"
    );
    assert_eq!(read(dir.path().join("app.log.1")), long);
    assert_eq!(read(&path), "after\nno newline at shutdown\n");
}

#[test]
fn a_deleted_or_renamed_log_is_followed_by_every_process() {
    // An operator (or logrotate without copytruncate) renames the live file:
    // every writer moves to a fresh file within the check interval.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let open = || {
        RotatingFile::builder(&path)
            .path_check_interval(Duration::ZERO)
            .open()
            .unwrap()
    };
    let (mut a, mut b) = (open(), open());
    writeln!(a, "a before").unwrap();
    std::fs::rename(&path, dir.path().join("app.log.renamed")).unwrap();
    writeln!(b, "b after rename").unwrap();
    writeln!(a, "a after rename").unwrap();
    std::fs::remove_file(&path).unwrap();
    writeln!(a, "a after delete").unwrap();
    writeln!(b, "b after delete").unwrap();
    assert_eq!(read(dir.path().join("app.log.renamed")), "a before\n");
    assert_eq!(read(&path), "a after delete\nb after delete\n");
}

#[test]
fn a_symlink_planted_at_a_temporary_name_is_removed_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("precious");
    std::fs::write(&target, "precious\n").unwrap();
    let planted = common::own_file(dir.path(), "app.log.12345.gz.tmp");
    std::fs::create_dir(planted.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&target, &planted).unwrap();
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .open()
        .unwrap();
    writeln!(log, "record").unwrap();
    assert!(
        std::fs::symlink_metadata(&planted).is_err(),
        "left in place"
    );
    assert_eq!(read(&target), "precious\n");
}

#[test]
fn after_the_log_directory_is_removed_every_process_locks_the_same_file_again() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let path = logs.join("app.log");
    let mut log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    writeln!(log, "before").unwrap();
    std::fs::remove_dir_all(&logs).unwrap();
    writeln!(log, "recreates the directory").unwrap();
    std::thread::sleep(Duration::from_millis(150));
    writeln!(log, "notices the lock file is gone").unwrap();
    // What a process starting now locks: the writer must wait for it.
    let lock = std::fs::File::open(common::own_file(&logs, "app.log.lock")).unwrap();
    lock.lock().unwrap();
    let writer = std::thread::spawn(move || {
        writeln!(log, "waited for the lock").unwrap();
    });
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !read(&path).contains("waited"),
        "the writer did not take the lock at the lock path"
    );
    lock.unlock().unwrap();
    writer.join().unwrap();
    assert_eq!(
        read(&path),
        "recreates the directory\nnotices the lock file is gone\nwaited for the lock\n"
    );
}

#[test]
fn a_stray_file_name_never_panics_time_rotation() {
    let dir = tempfile::tempdir().unwrap();
    for stray in [
        "app.log.2026-11-24é0",
        "app.log.2026-11-24_é",
        "app.log.\u{fffd}",
    ] {
        std::fs::write(dir.path().join(stray), "not ours").unwrap();
    }
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .rotate_every(concurrent_rotating_file::Period::Day)
        .max_bytes(40)
        .open()
        .unwrap();
    for i in 0..10 {
        writeln!(log, "record {i} of the day").unwrap();
    }
    assert!(log.rotations() >= 4);
    assert_eq!(read(dir.path().join("app.log.2026-11-24é0")), "not ours");
}

#[test]
fn a_fifo_at_the_log_lock_or_state_path_is_refused_without_blocking() {
    for (name, kind) in [
        ("app.log", ErrorKind::NotAFile),
        (
            ".concurrent-rotating-file/app.log.lock",
            ErrorKind::LockFile,
        ),
        (
            ".concurrent-rotating-file/app.log.state",
            ErrorKind::StateFile,
        ),
        (".__app.lock", ErrorKind::LockFile), // Python's, when present
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".concurrent-rotating-file")).unwrap();
        common::mkfifo(&dir.path().join(name));
        let path = dir.path().join("app.log");
        let err = common::within(10, move || RotatingFile::builder(path).open().unwrap_err());
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert!(err.to_string().contains("FIFO"), "{name}: {err}");
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
}

#[test]
fn a_fifo_moved_in_at_the_log_path_fails_writes_until_it_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .path_check_interval(Duration::ZERO)
        .open()
        .unwrap();
    writeln!(log, "before").unwrap();
    std::fs::rename(&path, dir.path().join("moved.log")).unwrap();
    common::mkfifo(&path);
    let (log, err) = common::within(10, move || {
        let err = writeln!(log, "refused").unwrap_err();
        (log, err)
    });
    let message = err.to_string();
    assert!(message.contains("FIFO"), "{message}");
    assert!(message.contains(&*path.to_string_lossy()), "{message}");
    std::fs::remove_file(&path).unwrap();
    let mut log = log;
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "after\n");
}

#[test]
fn a_fifo_at_a_backup_or_temporary_name_never_blocks_rotation_or_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // A FIFO where the chain's second backup goes, and one at the name the
    // compressor would use for the first live file's gzip.
    common::mkfifo(&dir.path().join("app.log.2"));
    let log = RotatingFile::builder(&path)
        .max_bytes(20)
        .backups(5)
        .compression(concurrent_rotating_file::Compression::Gzip)
        .open()
        .unwrap();
    let ino = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(&path).unwrap().ino()
    };
    common::mkfifo(&common::own_file(
        dir.path(),
        &format!("app.log.{ino}.gz.tmp"),
    ));
    let stats = common::within(20, move || {
        let mut log = log;
        for i in 0..4 {
            writeln!(log, "record {i} of twenty").unwrap();
        }
        let stats = log.stats();
        drop(log); // waits for the compressions
        stats
    });
    assert_eq!(stats.rotations, 3);
    // The first live file was gzipped despite the FIFO at its temporary
    // name; the FIFO at `.2` moved along the chain as a name.
    assert!(dir.path().join("app.log.3.gz").exists());
    let kept_fifo = dir.path().join("app.log.4");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&kept_fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert!(!common::own_file(dir.path(), &format!("app.log.{ino}.gz.tmp")).exists());
}

#[test]
fn an_error_part_way_through_several_lines_reports_those_written_so_a_retry_doubles_none() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let path = logs.join("app.log");
    let mut log = RotatingFile::builder(&path).max_bytes(6).open().unwrap();
    log.write_all(b"l1\n").unwrap();
    let read_only = Immutable::new(&logs);
    // `l2` fits; `l3` needs a rotation, which the directory refuses.
    assert_eq!(log.write(b"l2\nl3\n").unwrap(), 3);
    let err = log.write(b"l3\n").unwrap_err();
    assert!(is_permission_error(&err), "{err:?}");
    // The error says what was being done, on which files.
    let message = err.to_string();
    let live = path.display().to_string();
    assert!(
        message.starts_with(&format!("rotate `{live}`: rename `{live}` -> `{live}.1`: ")),
        "{message}"
    );
    drop(read_only);
    log.write_all(b"l3\n").unwrap(); // what write_all's retry would do
    assert_eq!(read(logs.join("app.log.1")), "l1\nl2\n");
    assert_eq!(read(&path), "l3\n");
}

#[test]
fn a_partial_line_flushed_by_one_writer_is_never_glued_to_the_next_writers_record() {
    // `printf x | crf L; echo y | crf L`, with two handles.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut first = RotatingFile::builder(&path).open().unwrap();
    write!(first, "x").unwrap();
    drop(first);
    let mut second = RotatingFile::builder(&path).open().unwrap();
    writeln!(second, "y").unwrap();
    assert_eq!(read(&path), "x\ny\n");
}
