//! Behaviour under faults, one test per row of the faults guide's table (docs/faults.md): a
//! directory or a backup that refuses changes, a log that cannot be opened,
//! the lock on another filesystem, awkward records. A full disk is in
//! `disk_full.rs`, alone in its process; faults that take several
//! processes are in the tools' `faults_processes` tests.

// Unix only: read-only directories and files, FIFOs, symlinks, SIGKILL and a full tmpfs: the faults as Unix makes them.
#![cfg(unix)]

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
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: /dev/shm, a tmpfs beside the test's file system"
)]
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
fn after_the_log_directory_is_removed_a_process_starting_later_keeps_the_writer_out() {
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
    writeln!(log, "keeps the lock file it holds").unwrap();
    // What a process starting now makes and locks: the writer moves to it
    // at its next look, and waits for it.
    let lock_path = common::own_file(&logs, "app.log.lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    std::fs::File::create(&lock_path).unwrap();
    let lock = common::HeldLock::of(&lock_path);
    // A writer that had the log to itself looks for others at its next
    // path check.
    std::thread::sleep(Duration::from_millis(150));
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
        "recreates the directory\nkeeps the lock file it holds\nwaited for the lock\n"
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

#[test]
fn a_state_file_of_another_format_never_cuts_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let records: String = (0..500).map(|i| format!("record {i}\n")).collect();
    std::fs::write(&path, &records).unwrap();
    // Another format's magic, with the slots this format uses for a write
    // in flight set as if a record from byte 10 to 10^9 were cut short.
    let state = common::own_file(dir.path(), "app.log.state");
    std::fs::create_dir(state.parent().unwrap()).unwrap();
    let mut bytes = vec![0u8; 4096];
    bytes[..8].copy_from_slice(b"notours!");
    for (slot, value) in [(5usize, 11u64), (6, 1_000_000_000)] {
        bytes[slot * 8..slot * 8 + 8].copy_from_slice(&value.to_ne_bytes());
    }
    std::fs::write(&state, bytes).unwrap();
    let mut log = RotatingFile::builder(&path).max_bytes(0).open().unwrap();
    writeln!(log, "next").unwrap();
    assert_eq!(read(&path), format!("{records}next\n"));
}

#[test]
fn the_hidden_directory_removed_mid_run_loses_no_rotation_from_the_processes_own_counts() {
    // The writer keeps the lock and state files it holds; a process that
    // opens the log afterwards makes new ones, whose shared count starts
    // again: each process's own count does not.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let open = || {
        RotatingFile::builder(&path)
            .max_bytes(20)
            .backups(100)
            .open()
            .unwrap()
    };
    let mut log = open();
    for i in 0..5 {
        writeln!(log, "record {i} of twenty").unwrap();
    }
    std::fs::remove_dir_all(dir.path().join(".concurrent-rotating-file")).unwrap();
    for i in 5..10 {
        writeln!(log, "record {i} of twenty").unwrap();
    }
    let stats = log.stats();
    assert_eq!((stats.rotations, stats.own_rotations), (9, 9));
    let later = open();
    assert_eq!((later.rotations(), later.stats().own_rotations), (0, 0));
    assert_eq!(
        (1..=9)
            .filter(|n| dir.path().join(format!("app.log.{n}")).exists())
            .count(),
        9
    );
}

#[test]
fn a_state_file_of_nothing_but_junk_is_started_afresh_without_a_hang() {
    // Every slot set, those this format reads before it validates the
    // state included (who is inside, which lock file, whether the writers
    // moved to another state file).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let state = common::own_file(dir.path(), "app.log.state");
    std::fs::create_dir(state.parent().unwrap()).unwrap();
    std::fs::write(&state, "DATA".repeat(1024)).unwrap();
    let written = common::within(30, move || {
        let mut log = RotatingFile::builder(&path).open().unwrap();
        writeln!(log, "written").unwrap();
        read(&path)
    });
    assert_eq!(written, "written\n");
}

#[test]
fn two_logs_sharing_a_lock_dir_never_share_state() {
    let dir = tempfile::tempdir().unwrap();
    let locks = dir.path().join("locks");
    let open = |name: &str| {
        RotatingFile::builder(dir.path().join(name).join("app.log"))
            .lock_dir(&locks)
            .max_bytes(100)
            .backups(100)
            .open()
            .unwrap()
    };
    let (mut a, mut b) = (open("a"), open("b"));
    for i in 0..30 {
        writeln!(a, "a record number {i:03}").unwrap(); // 20 bytes: 5 per file
        if i % 3 == 0 {
            writeln!(b, "b record number {i:03}").unwrap();
        }
    }
    // Each log counts its own rotations only: 30 records in 6 files, 10 in 2.
    assert_eq!((a.rotations(), b.rotations()), (5, 1));
    for log in ["a", "b"] {
        for entry in std::fs::read_dir(dir.path().join(log)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                assert!(entry.metadata().unwrap().len() <= 100, "{entry:?}");
            }
        }
    }
}

/// Holds the lock of the log at `path` from a Python process, stopped with
/// SIGSTOP, as a process in a debugger or a frozen container would; let go
/// (killed) on drop.
struct StoppedHolder(std::process::Child);

impl StoppedHolder {
    fn of(lock: &Path) -> StoppedHolder {
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "import fcntl,os,sys; f=open(sys.argv[1],'a+'); fcntl.lockf(f, fcntl.LOCK_SH, 1, 0, 0); fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); os.kill(os.getpid(), 19)",
            ])
            .arg(lock)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed to hold a lock from another process");
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "locked");
        StoppedHolder(child)
    }
}

impl Drop for StoppedHolder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The log at `path`, its writes giving up after waiting 300 ms for the
/// lock.
fn giving_up_after_300_ms(path: &Path) -> RotatingFile {
    RotatingFile::builder(path)
        .lock_timeout(Duration::from_millis(300))
        .open()
        .unwrap()
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: a holder outside this library is named from /proc/locks"
)]
fn a_stopped_lock_holder_is_named_and_lock_timeout_gives_up() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = giving_up_after_300_ms(&path);
    writeln!(log, "before").unwrap();
    let holder = StoppedHolder::of(&common::own_file(dir.path(), "app.log.lock"));
    // A writer that had the log to itself looks for others at its next
    // path check (every 100 ms by default).
    std::thread::sleep(Duration::from_millis(150));
    let (log, err) = common::within(10, move || {
        let err = writeln!(log, "refused").unwrap_err();
        (log, err)
    });
    assert_eq!(err.kind(), IoKind::TimedOut, "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("process {}", holder.0.id())),
        "{message}"
    );
    assert!(message.contains("app.log.lock"), "{message}");
    drop(holder); // killed: the kernel releases its lock
    let mut log = log;
    writeln!(log, "after").unwrap();
    assert_eq!(read(&path), "before\nafter\n");
}

/// The waiting writer of the two tests below: runs only when started by
/// them. With a timeout, it gives up; without, it waits (in a blocking
/// `flock`, watched) until the holder is gone, then writes.
#[test]
fn waiting_writer_process() {
    let Ok(log) = std::env::var("CRF_TEST_WAITING_WRITER") else {
        return;
    };
    let builder = RotatingFile::builder(log).lock_warning(Duration::from_millis(200));
    if std::env::var_os("CRF_TEST_WAIT_FOR_EVER").is_some() {
        let mut log = builder.open().unwrap();
        writeln!(log, "after the wait").unwrap();
        return;
    }
    // Opening takes the lock too (to repair what killed writers left).
    let err = builder
        .lock_timeout(Duration::from_millis(1500))
        .open()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LockFile);
    assert_eq!(std::io::Error::from(err).kind(), IoKind::TimedOut);
}

/// Starts `waiting_writer_process` on the log at `path`.
fn waiting_writer(path: &Path, for_ever: bool) -> std::process::Child {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "waiting_writer_process", "--test-threads=1"])
        .env("CRF_TEST_WAITING_WRITER", path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    if for_ever {
        command.env("CRF_TEST_WAIT_FOR_EVER", "1");
    }
    command.spawn().unwrap()
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: a holder outside this library is named from /proc/locks"
)]
fn a_writer_giving_up_on_a_stopped_holder_says_who_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    drop(RotatingFile::builder(&path).open().unwrap());
    let holder = StoppedHolder::of(&common::own_file(dir.path(), "app.log.lock"));
    let out = waiting_writer(&path, false).wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let said = format!("held by process {}", holder.0.id());
    assert_eq!(stderr.matches(&said).count(), 1, "{stderr}");
    assert!(stderr.contains("giving up after"), "{stderr}");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: a holder outside this library is named from /proc/locks"
)]
fn a_writer_asleep_behind_a_stopped_holder_says_who_once_then_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    drop(RotatingFile::builder(&path).open().unwrap());
    let holder = StoppedHolder::of(&common::own_file(dir.path(), "app.log.lock"));
    let mut child = waiting_writer(&path, true);
    // The watchdog speaks while the writer sleeps in flock.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let said = format!("held by process {}", holder.0.id());
    let line = common::within(20, move || {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        (line, stderr)
    });
    let (line, mut stderr) = line;
    assert!(line.contains(&said), "{line}");
    assert!(line.contains("waiting on"), "{line}");
    drop(holder); // killed: its lock goes, the writer goes on
    let status = common::within(20, move || child.wait().unwrap());
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(!rest.contains("held by"), "said more than once: {rest}");
    assert_eq!(read(&path), "after the wait\n");
}

/// A writer of the test below: runs only when started by it. Writes 1 MiB
/// records for ever, so that it spends nearly all its time inside the
/// lock.
#[test]
fn busy_writer_process() {
    let Ok(log) = std::env::var("CRF_TEST_BUSY_WRITER") else {
        return;
    };
    let mut log = RotatingFile::builder(log)
        .max_bytes(4 << 20)
        .backups(2)
        .open()
        .unwrap();
    let mut record = vec![b'x'; 1 << 20];
    *record.last_mut().unwrap() = b'\n';
    loop {
        log.write_all(&record).unwrap();
    }
}

/// The process inside the lock of the log whose state file is `state`,
/// as the state says: its pid, in the low 32 bits of the holder slot (the
/// 13th word, after the magic `crfstat2`). Fixed by the state's format.
fn holder_in(state: &Path) -> Option<u32> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(state).ok()?;
    let mut words = [0; 13 * 8];
    file.read_exact_at(&mut words, 0).ok()?;
    let holder = u64::from_ne_bytes(words[12 * 8..].try_into().unwrap());
    (&words[..8] == b"crfstat2" && holder as u32 != 0).then_some(holder as u32)
}

#[test]
fn a_writer_of_this_library_stopped_inside_the_lock_is_named_on_every_system() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // Open first: the writer never has the log to itself, and takes the
    // flock for every record.
    let mut log = giving_up_after_300_ms(&path);
    let mut writer = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "busy_writer_process", "--test-threads=1"])
        .env("CRF_TEST_BUSY_WRITER", &path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = writer.id();
    let state = common::own_file(dir.path(), "app.log.state");
    // Stopped, as in a debugger, until it is stopped inside.
    let stopped_inside = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(5));
        signal(pid, libc::SIGSTOP);
        let mut status = 0;
        // SAFETY: waits for our own child to stop, into a local int.
        let waited = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WUNTRACED) };
        assert!(waited == pid as libc::pid_t && libc::WIFSTOPPED(status));
        let inside = holder_in(&state) == Some(pid);
        if !inside {
            signal(pid, libc::SIGCONT);
        }
        inside
    });
    assert!(
        stopped_inside,
        "the writer was never stopped inside the lock"
    );
    // Linux's /proc/locks names the holder of the flock; elsewhere the
    // shared state does.
    let err = writeln!(log, "refused").unwrap_err();
    assert_eq!(err.kind(), IoKind::TimedOut, "{err}");
    assert!(
        err.to_string().contains(&format!("held by process {pid}")),
        "{err}"
    );
    writer.kill().unwrap();
    writer.wait().unwrap();
    writeln!(log, "after").unwrap();
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: sends a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
}

#[test]
fn a_failure_that_loses_no_record_is_counted_apart_from_lost_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path).open().unwrap();
    writeln!(log, "before").unwrap();
    // The lock file replaced by something that cannot be one: following
    // it fails, while records still go in under the lock held.
    let lock = dir.path().join(".concurrent-rotating-file/app.log.lock");
    std::fs::remove_file(&lock).unwrap();
    common::mkfifo(&lock);
    // Past the 100 ms between two checks of the lock path.
    std::thread::sleep(Duration::from_millis(150));
    writeln!(log, "written all the same").unwrap();
    let stats = log.stats();
    assert_eq!((stats.write_errors, stats.maintenance_failures), (0, 1));
    assert_eq!(log.write_errors(), 0);
    assert_eq!(read(&path), "before\nwritten all the same\n");
}
