//! Shutting down with real processes: a service that installs its
//! `tracing` subscriber globally never drops its handle, yet when it
//! returns from `main`, or calls `std::process::exit`, every backup it
//! rotated is gzipped and no temporary is left; what an exit cuts short is
//! finished by the next process that opens the log. A process that exits
//! holding its background writer's guard still has every queued line
//! written.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Fleet, STRESS};
use concurrent_rotating_file::{Compression, RotatingFile};
use crf_tools::verify::OWN_DIR;
use test_support::names;

/// Lines of 1000 bytes: 4,194 fit in 4 MiB, so the last one makes the
/// third rotation, and the process exits as that backup's compression
/// (tens of milliseconds for 4 MiB at level 9) starts.
const LINES: u64 = 3 * 4_194 + 1;
const LINE_SIZE: usize = 1000;
const MAX_BYTES: u64 = 4 << 20;

/// A writer process with a global subscriber, ending as `exit` says.
fn global_subscriber_writer(dir: &Path, exit: &str, extra: &[&str]) {
    writer(dir, "tracing-global", exit, extra);
}

/// A writer process writing through `mode`, ending as `exit` says.
fn writer(dir: &Path, mode: &str, exit: &str, extra: &[&str]) {
    let fleet = Fleet::new(dir);
    let status = Command::new(STRESS)
        .arg("writer")
        .arg("--log")
        .arg(&fleet.log)
        .args(["--id", "0", "--lines", &LINES.to_string()])
        .args(["--line-size", &LINE_SIZE.to_string()])
        .args(["--max-bytes", &MAX_BYTES.to_string(), "--backups", "100"])
        .args(["--gzip", "--compression-level", "9"])
        .args(["--mode", mode, "--exit", exit])
        .args(extra)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// The backups left plain and the temporaries left in `dir`.
fn unfinished(dir: &Path) -> Vec<String> {
    let plain = names(dir)
        .into_iter()
        .filter(|n| n.starts_with("app.log.") && !n.ends_with(".gz"));
    let temps = names(&dir.join(OWN_DIR))
        .into_iter()
        .filter(|n| n.ends_with(".tmp"));
    plain.chain(temps).collect()
}

fn every_line_is_there(dir: &Path) {
    let fleet = Fleet {
        processes: 1,
        lines: LINES,
        line_size: LINE_SIZE,
        max_bytes: MAX_BYTES,
        backups: 100,
        gzip: true,
        ..Fleet::new(dir)
    };
    let report = common::verify::verify(&fleet.expectation(vec![])).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.gzipped, report.backups, "{report}");
}

#[test]
fn a_process_returning_from_main_leaves_every_backup_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    global_subscriber_writer(dir.path(), "return", &[]);
    assert_eq!(unfinished(dir.path()), Vec::<String>::new());
    every_line_is_there(dir.path());
}

#[test]
fn a_process_calling_process_exit_leaves_every_backup_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    global_subscriber_writer(dir.path(), "process-exit", &[]);
    assert_eq!(unfinished(dir.path()), Vec::<String>::new());
    every_line_is_there(dir.path());
}

#[test]
fn a_process_exiting_with_its_background_writers_guard_held_still_writes_every_queued_line() {
    // The lines are sent, nothing flushed, and `std::process::exit` is
    // called at once with the guard alive: the last rounds (and the
    // compressions their rotations start) are the exit handler's to write.
    let dir = tempfile::tempdir().unwrap();
    writer(
        dir.path(),
        "tracing-non-blocking",
        "process-exit-holding-guard",
        &[],
    );
    assert_eq!(unfinished(dir.path()), Vec::<String>::new());
    every_line_is_there(dir.path());
}

#[test]
fn compressions_an_exit_cut_short_are_finished_by_the_next_process_to_open_the_log() {
    let dir = tempfile::tempdir().unwrap();
    // An exit that waits for nothing: the last compressions are cut short.
    global_subscriber_writer(dir.path(), "process-exit", &["--compression-wait", "0s"]);
    assert!(
        !unfinished(dir.path()).is_empty(),
        "nothing was cut short: {:?}",
        names(dir.path())
    );
    let mut next = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(MAX_BYTES)
        .backups(100)
        .compression(Compression::Gzip)
        .open()
        .unwrap();
    next.shutdown(Duration::from_secs(60)).unwrap();
    assert_eq!(unfinished(dir.path()), Vec::<String>::new());
    every_line_is_there(dir.path());
}

#[test]
fn a_fleet_of_global_subscribers_stopping_cleanly_leaves_only_gz() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        processes: 4,
        lines: 8000,
        max_bytes: 65536,
        gzip: true,
        mode: "tracing-global",
        ..Fleet::new(dir.path())
    };
    fleet.run();
    assert_eq!(unfinished(dir.path()), Vec::<String>::new());
    let report = fleet.verify(vec![]);
    assert_eq!(report.gzipped, report.backups, "{report}");
}
