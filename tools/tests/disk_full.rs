//! A full disk (guarantee: errors name the path): the synchronous writer
//! returns the error, the background paths (the batching thread, the
//! compressor) count exactly what they lost, nothing panics, and writing
//! resumes once space is freed. What a write stopped part-way left of its
//! record stays, ended by a newline as one torn line, never glued to the
//! next record and never cut off (the file never shrinks: a shipper may
//! have read it). A log opened for the first time on a full disk is a
//! typed error naming the state file, never a SIGBUS. The file size limit
//! (`RLIMIT_FSIZE`) stops a `write(2)` part-way just as a full disk does:
//! `FileTooLarge`, naming the file.
//!
//! The full disk is real: a 256 KiB tmpfs mounted by the test, as root
//! (elsewhere those tests show as ignored, saying why; under `CI=true`
//! they run, and fail if they cannot); the file size limit, a real limit
//! any user can set. The tests
//! change process-wide things (the limit, what SIGXFSZ does): they run one
//! at a time, in a binary of their own.

// Unix only: a full tmpfs mounted as root.
#![cfg(unix)]

use std::io::{ErrorKind, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use concurrent_rotating_file::{Compression, RotatingFile};
use test_support::{SmallFs, require_root};

/// Held by each test for its whole run: the file size limit and what
/// SIGXFSZ does are the whole process's.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static ONE: Mutex<()> = Mutex::new(());
    ONE.lock().unwrap_or_else(PoisonError::into_inner)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "waited in vain for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Every line of `text` is one this test wrote whole, or the beginning of a
/// long one that a full disk cut short, ended by its own newline.
fn assert_whole_or_torn_alone(text: &str, long: &str) {
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "a record not ended"
    );
    for line in text.lines() {
        let torn = !line.is_empty() && long.starts_with(line);
        assert!(
            line == long.trim_end() || line.starts_with("short ") || torn,
            "a record glued to another: {:?}...",
            &line[..line.len().min(40)]
        );
    }
}

/// What a write the disk refused left after `before`: nothing, or the
/// beginning of `long` (with its newline if there was room for one).
fn assert_at_most_a_torn_tail(path: &Path, before: &str, long: &str) -> String {
    let now = std::fs::read_to_string(path).unwrap();
    let tail = now.strip_prefix(before).expect("the file never shrinks");
    let cut = tail.strip_suffix('\n').unwrap_or(tail);
    assert!(
        tail.len() < long.len() && long.starts_with(cut) && !cut.contains('\n'),
        "more than the beginning of one record after the error: {} bytes",
        tail.len()
    );
    now
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_root)),
    ignore = "needs Linux and root (mounts a 256 KiB tmpfs to fill); .ci/run runs it as root"
)]
fn a_full_disk_fails_writes_cleanly_and_writing_resumes_once_space_is_freed() {
    let _one = one_at_a_time();
    require_root("mounts a tmpfs to fill");
    let base = tempfile::tempdir().unwrap();
    let fs = SmallFs::mount(&base.path().join("small"));
    let dir = fs.path();
    let path = dir.join("app.log");
    let long = format!("{}\n", "x".repeat(6000)); // spans a page boundary
    let log = RotatingFile::builder(&path)
        .max_bytes(16 * 1024)
        .backups(3)
        .compression(Compression::Gzip)
        .open()
        .unwrap();
    let mut sync = log.clone();
    let (mut background, guard) = log.non_blocking();
    writeln!(sync, "short before").unwrap();
    fs.fill("ballast");

    // The synchronous writer: the error, naming the file, and at most the
    // beginning of the record, alone on its line.
    let before = std::fs::read_to_string(&path).unwrap();
    let err = sync.write_all(long.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StorageFull, "{err}");
    assert!(err.to_string().contains(&*path.to_string_lossy()), "{err}");
    let before = assert_at_most_a_torn_tail(&path, &before, &long);

    // The background writer: each lost record counted once, flush still
    // returns.
    for _ in 0..3 {
        background.write_all(long.as_bytes()).unwrap();
    }
    background.flush().unwrap();
    assert_eq!(background.write_errors(), 3);
    assert_at_most_a_torn_tail(&path, &before, &long);

    // A rotation needs no space (renames); gzipping its backup does, and
    // fails, counted; the backup stays plain.
    std::fs::remove_file(dir.join("ballast")).unwrap();
    for _ in 0..4 {
        sync.write_all(long.as_bytes()).unwrap(); // the third rotates
    }
    wait_for("the first backup to be gzipped", || {
        log.stats().compressed == 1
    });
    fs.fill("ballast");
    let err = sync.write_all(long.as_bytes()).unwrap_err(); // rotates, then finds no space
    assert_eq!(err.kind(), ErrorKind::StorageFull, "{err}");
    wait_for("the compressor to fail", || {
        log.stats().compression_failures >= 1
    });
    assert!(dir.join("app.log.1").exists(), "the backup stays plain");

    // Space is freed: everything resumes by itself.
    std::fs::remove_file(dir.join("ballast")).unwrap();
    writeln!(sync, "short after, sync").unwrap();
    writeln!(background, "short after, background").unwrap();
    background.flush().unwrap();
    for _ in 0..3 {
        sync.write_all(long.as_bytes()).unwrap(); // rotates: gzip tried again
    }
    drop((guard, background, sync, log)); // waits for the compressions
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("app.log."))
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| n.ends_with(".gz")),
        "plain backups left: {names:?}"
    );
    let live = std::fs::read_to_string(&path).unwrap();
    assert_whole_or_torn_alone(&live, &long);
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_root)),
    ignore = "needs Linux and root (mounts a 256 KiB tmpfs to fill); .ci/run runs it as root"
)]
fn a_full_disk_at_the_first_open_is_a_typed_error_naming_the_state_file_not_a_sigbus() {
    let _one = one_at_a_time();
    require_root("mounts a tmpfs to fill");
    let base = tempfile::tempdir().unwrap();
    let fs = SmallFs::mount(&base.path().join("small"));
    let fresh = fs.path().join("app.log");
    fs.fill("ballast");
    // The state file's blocks cannot be allocated, which open() says,
    // rather than a SIGBUS at the first store into its mapping.
    let err = RotatingFile::builder(&fresh).open().unwrap_err();
    assert_eq!(
        err.kind(),
        concurrent_rotating_file::ErrorKind::StateFile,
        "{err}"
    );
    assert!(err.to_string().contains("app.log.state"), "{err}");
    assert_eq!(std::io::Error::from(err).kind(), ErrorKind::StorageFull);
    // Space freed, the same log opens and takes records.
    std::fs::remove_file(fs.path().join("ballast")).unwrap();
    let mut log = RotatingFile::builder(&fresh).open().unwrap();
    writeln!(log, "short, once space is back").unwrap();
    drop(log);
    assert_eq!(
        std::fs::read_to_string(&fresh).unwrap(),
        "short, once space is back\n"
    );
}

/// Sets this process's file size limit (the soft one).
fn limit_file_size(bytes: libc::rlim_t) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain syscalls on a local struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit), 0);
        limit.rlim_cur = bytes.min(limit.rlim_max);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
}

#[test]
fn a_file_size_limit_is_file_too_large_with_sigxfsz_ignored() {
    // An application that ignores SIGXFSZ, as the faults guide says to (else the
    // kernel kills it at the limit), gets EFBIG as FileTooLarge.
    let _one = one_at_a_time();
    let base = tempfile::tempdir().unwrap();
    let dir = base.path();
    // SAFETY: ignoring SIGXFSZ makes a write past the limit fail with
    // EFBIG rather than kill the process; no handler runs.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let path = dir.join("limited.log");
    let long = format!("{}\n", "x".repeat(6000));
    let mut log = RotatingFile::builder(&path).max_bytes(0).open().unwrap();
    writeln!(log, "short before").unwrap();
    limit_file_size(4096); // the long record stops part-way at 4096
    let err = log.write_all(long.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileTooLarge, "{err}");
    assert!(err.to_string().contains("limited.log"), "{err}");
    // At the limit, not even the newline fits: the cut record stays as it
    // is, marked, until a writer can end it.
    let cut = "x".repeat(4096 - "short before\n".len());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("short before\n{cut}")
    );
    limit_file_size(libc::RLIM_INFINITY);
    log.write_all(long.as_bytes()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        format!("short before\n{cut}\n{long}")
    );
}
