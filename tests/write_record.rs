//! `write_record`: a record formatted by the caller (another language's
//! logging library) is appended whole, however many lines it holds (never
//! torn), and its failure comes back to the caller as an `io::Error`
//! naming the path (errors name the path), through each front end: one
//! file, its background writer, a router and the router's background
//! writer.

use std::path::Path;

use concurrent_rotating_file::{RotatingFile, Router};

/// A record of four lines, 60 bytes.
const TRACEBACK: &[u8] = b"Traceback (most recent call last):\n  line 1\n  line 2\nError\n";

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn a_record_of_several_lines_is_never_split_across_a_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(64)
        .open()
        .unwrap();
    log.write_record(b"first\n").unwrap();
    // Its first three lines would fit beside `first`: split at a line end,
    // the traceback would start in one file and end in the next.
    log.write_record(TRACEBACK).unwrap();
    assert_eq!(read(dir.path().join("app.log.1")), "first\n");
    assert_eq!(read(log.path()).as_bytes(), TRACEBACK);
}

#[test]
fn a_record_without_a_newline_gets_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .open()
        .unwrap();
    log.write_record(b"no newline").unwrap();
    log.write_record(b"next\n").unwrap();
    assert_eq!(read(log.path()), "no newline\nnext\n");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine a directory holding open files cannot be removed (no POSIX-semantics delete, error 5)"
)]
fn a_write_that_fails_returns_the_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let log = RotatingFile::builder(logs.join("app.log"))
        .create_dirs(false)
        .path_check_interval(std::time::Duration::ZERO)
        .open()
        .unwrap();
    log.write_record(b"kept\n").unwrap();
    std::fs::remove_dir_all(&logs).unwrap();
    let error = log.write_record(TRACEBACK).unwrap_err();
    assert!(
        error.to_string().contains("app.log"),
        "the error names the file: {error}"
    );
}

#[test]
fn the_background_writer_keeps_a_record_of_several_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(64)
        .open()
        .unwrap();
    let (writer, guard) = log.non_blocking();
    writer.write_record(b"first\n").unwrap();
    writer.write_record(TRACEBACK).unwrap();
    drop(guard);
    assert_eq!(read(dir.path().join("app.log.1")), "first\n");
    assert_eq!(read(log.path()).as_bytes(), TRACEBACK);
}

#[test]
fn a_router_writes_a_record_to_its_names_file_whole_and_an_invalid_name_to_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_path_buf();
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log"))).max_bytes(64)
    });
    router.write_record("web", b"first\n").unwrap();
    router.write_record("web", TRACEBACK).unwrap();
    // Used as it is: a Python logger's name is cut by its caller.
    router.write_record("web.views", b"dotted\n").unwrap();
    router.write_record("../escape", b"invalid\n").unwrap();
    assert_eq!(read(dir.path().join("web.log.1")), "first\n");
    assert_eq!(read(dir.path().join("web.log")).as_bytes(), TRACEBACK);
    assert_eq!(read(dir.path().join("web.views.log")), "dotted\n");
    assert_eq!(read(dir.path().join("other.log")), "invalid\n");
    assert_eq!(router.stats().invalid_names, 1);
}

#[test]
fn a_router_that_can_open_no_file_returns_an_error_and_counts_the_loss() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(missing.join(format!("{name}.log"))).create_dirs(false)
    });
    let error = router.write_record("web", b"lost\n").unwrap_err();
    assert!(error.to_string().contains("`web`"), "{error}");
    assert_eq!(router.stats().lost, 1);
}

#[test]
fn a_routers_background_writer_keeps_a_record_of_several_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_path_buf();
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log"))).max_bytes(64)
    });
    let (writer, guard) = router.non_blocking();
    writer.write_record("web", b"first\n").unwrap();
    writer.write_record("web", TRACEBACK).unwrap();
    writer.write_record("", b"invalid\n").unwrap();
    drop(guard);
    assert_eq!(read(dir.path().join("web.log.1")), "first\n");
    assert_eq!(read(dir.path().join("web.log")).as_bytes(), TRACEBACK);
    assert_eq!(read(dir.path().join("other.log")), "invalid\n");
}
