//! Shutting down loses nothing: `shutdown` and the background writers'
//! guards wait for the compressions this process queued, within a bound
//! that is reported when passed. (The process's exit, with a subscriber
//! that is never dropped, is tested with real processes in the tools'
//! `shutdown_processes.rs`.)

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::own_file;
use concurrent_rotating_file::{Compression, RotatingFile, Router};

/// `count` plain backups of 64 KiB, as a writer without gzip (or one
/// killed) leaves them: the next writer with gzip queues them all.
fn plain_chain(dir: &Path, log: &str, count: usize) {
    let block = format!("{log} line of a plain backup\n").repeat(2500);
    for n in 1..=count {
        std::fs::write(dir.join(format!("{log}.{n}")), &block).unwrap();
    }
}

/// What is left to compress, or half done, of `log` in `dir`.
fn unfinished(dir: &Path, log: &str) -> Vec<String> {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            n.strip_prefix(log)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    let own = dir.join(".concurrent-rotating-file");
    left.extend(
        std::fs::read_dir(own)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(log) && n.ends_with(".tmp")),
    );
    left
}

fn gzipped(dir: &Path, log: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name().into_string().unwrap();
            name.starts_with(log) && name.ends_with(".gz")
        })
        .count()
}

fn gzip_log(path: &Path) -> concurrent_rotating_file::Builder {
    RotatingFile::builder(path)
        .backups(1000)
        .compression(Compression::Gzip)
}

#[test]
fn shutdown_returns_once_every_backup_is_gzipped_with_handles_still_alive() {
    let dir = tempfile::tempdir().unwrap();
    plain_chain(dir.path(), "app.log", 60);
    let log = gzip_log(&dir.path().join("app.log")).open().unwrap();
    let mut w = log.clone();
    write!(w, "a partial line").unwrap();
    w.shutdown(Duration::from_secs(60)).unwrap();
    assert_eq!(unfinished(dir.path(), "app.log"), Vec::<String>::new());
    assert_eq!(gzipped(dir.path(), "app.log"), 60);
    assert_eq!(log.stats().compressed, 60);
    // The partial line was written; the handle goes on.
    writeln!(w, " and more").unwrap();
    assert_eq!(
        std::fs::read_to_string(log.path()).unwrap(),
        "a partial line\n and more\n"
    );
}

#[test]
fn shutdown_past_its_bound_says_how_many_compressions_are_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    plain_chain(dir.path(), "app.log", 200);
    let mut log = gzip_log(&dir.path().join("app.log")).open().unwrap();
    // The compressor needs the lock to name each result: held here, it
    // cannot finish 200 of them.
    let lock = std::fs::File::open(own_file(dir.path(), "app.log.lock")).unwrap();
    lock.lock().unwrap();
    let err = log.shutdown(Duration::from_millis(50)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
    let message = err.to_string();
    assert!(
        message.contains("app.log`") && message.contains("compression(s) unfinished"),
        "{message}"
    );
    common::unlock(&lock).unwrap();
    log.shutdown(Duration::from_secs(60)).unwrap();
    assert_eq!(unfinished(dir.path(), "app.log"), Vec::<String>::new());
}

#[test]
fn dropping_the_worker_guard_waits_for_the_compressions_too() {
    let dir = tempfile::tempdir().unwrap();
    plain_chain(dir.path(), "app.log", 60);
    let log = gzip_log(&dir.path().join("app.log")).open().unwrap();
    let (mut writer, guard) = log.non_blocking();
    writeln!(writer, "queued").unwrap();
    drop(guard);
    // `log` is alive: only the guard waited.
    assert_eq!(unfinished(dir.path(), "app.log"), Vec::<String>::new());
    assert_eq!(gzipped(dir.path(), "app.log"), 60);
    assert_eq!(std::fs::read_to_string(log.path()).unwrap(), "queued\n");
}

#[test]
fn dropping_the_router_guard_waits_for_every_files_compressions() {
    let dir = tempfile::tempdir().unwrap();
    plain_chain(dir.path(), "web.log", 30);
    plain_chain(dir.path(), "db.log", 30);
    let logs = dir.path().to_path_buf();
    let router = Router::new(move |name: &str| gzip_log(&logs.join(format!("{name}.log"))));
    let (web, db) = (router.file("web").unwrap(), router.file("db").unwrap());
    let (_writer, guard) = router.non_blocking();
    drop(guard);
    for log in ["web.log", "db.log"] {
        assert_eq!(unfinished(dir.path(), log), Vec::<String>::new(), "{log}");
        assert_eq!(gzipped(dir.path(), log), 30, "{log}");
    }
    drop((web, db));
}
