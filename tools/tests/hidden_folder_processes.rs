//! The library's hidden folder beside the log
//! (`.concurrent-rotating-file/`) under faults, with real processes
//! (`crf`, `crf-stress` and its writer processes):
//!
//! - removed every 20 ms while four processes write a chain of 300
//!   backups, each rotation leaving its shift for after the lock: nothing
//!   lost, nothing torn or out of order (guarantee: an unbroken chain: the
//!   backup waiting for the shift is never only in the folder); and
//!   `crf-stress`, whose shared count of rotations the removals start
//!   afresh, verifies the run from the writers' own counts, and passes it;
//! - removed every 20 ms with 16 backups, and every 2 ms with 16 KiB files:
//!   no file ever past `max_bytes` (guarantee: one writer at a time: the
//!   writers running keep the lock and state files they hold);
//! - removed while writers run, writers started just after: kept apart
//!   from the running ones (they wait for them to move to the new files;
//!   the first to move retires the old state file for the others);
//! - and `crf-stress`, counting from the writers' own counts, still fails
//!   a run of that storm in which a backup was deleted by hand;
//! - a symlink planted there before a writer starts: refused, naming the
//!   path, nothing written where it points (guarantee: no symlink
//!   followed);
//! - swapped for a symlink again and again while four processes write with
//!   gzip: nothing written where it points, nothing lost.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{Fleet, STRESS};
use crf_tools::verify::OWN_DIR;

/// Removes `dir`'s hidden folder every `every` until `stop`; returns how
/// many times it was there to remove (a rotation makes it again).
fn remove_every(
    every: Duration,
    dir: PathBuf,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut removals = 0;
        while !stop.load(Ordering::Relaxed) {
            if std::fs::remove_dir_all(dir.join(OWN_DIR)).is_ok() {
                removals += 1;
            }
            std::thread::sleep(every);
        }
        removals
    })
}

/// Waits until `writers` writers have a line in the live file `log`: all
/// have opened the log, and run.
fn wait_for_writers(log: &Path, writers: usize) {
    let started = std::time::Instant::now();
    loop {
        let text = std::fs::read(log).unwrap_or_default();
        let seen: std::collections::BTreeSet<u32> = text
            .split_inclusive(|&b| b == b'\n')
            .filter_map(|line| crf_tools::record::parse_header(line).map(|((p, _), _)| p))
            .collect();
        if seen.len() == writers {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "writers seen: {seen:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// [`wait_for_writers`] for every writer of `fleet`.
fn wait_for_every_writer(fleet: &Fleet) {
    wait_for_writers(&fleet.log, fleet.processes as usize);
}

/// `crf-stress` running in a directory of its own (four writers, 12,000
/// lines each at 4,000 a second), the hidden folder removed every so often
/// once every writer runs.
struct Storm {
    run: PathBuf,
    stress: std::process::Child,
    stop: Arc<AtomicBool>,
    remover: std::thread::JoinHandle<u64>,
    _dir: tempfile::TempDir,
}

impl Storm {
    /// Starts `crf-stress` with `args`, and removes the hidden folder every
    /// `every_ms` milliseconds once its writers run.
    fn start(every_ms: u64, args: &[&str]) -> Storm {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let stress = Command::new(STRESS)
            .args([
                "-p", "4", "-n", "12000", "--rate", "4000", "--json", "--dir",
            ])
            .arg(&run)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_writers(&run.join("app.log"), 4);
        let stop = Arc::new(AtomicBool::new(false));
        let every = Duration::from_millis(every_ms);
        let remover = remove_every(every, run.clone(), Arc::clone(&stop));
        Storm {
            run,
            stress,
            stop,
            remover,
            _dir: dir,
        }
    }

    /// Waits for `crf-stress`; returns its output and JSON report, and
    /// how many times the folder was removed.
    fn finish(self) -> (Output, serde_json::Value, u64) {
        let out = self.stress.wait_with_output().unwrap();
        self.stop.store(true, Ordering::Relaxed);
        let removals = self.remover.join().unwrap();
        let report = common::json(&out);
        (out, report, removals)
    }
}

/// Runs a [`Storm`] with `args` and the folder removed every `every_ms`
/// milliseconds; returns its JSON report, asserting the run passed.
fn storm(every_ms: u64, args: &[&str]) -> serde_json::Value {
    let (out, report, removals) = Storm::start(every_ms, args).finish();
    assert!(removals > 0, "the folder was never removed");
    assert!(
        out.status.success() && report["ok"] == true,
        "{report:#}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Never past max_bytes: one writer at a time, whatever is removed.
    assert!(
        report["largest_file"].as_u64() <= report["max_bytes"].as_u64(),
        "{report:#}"
    );
    report
}

#[test]
fn removing_the_hidden_folder_every_20_ms_loses_no_record_of_a_long_chain() {
    let report = storm(20, &["--max-bytes", "64K", "--backups", "300"]);
    assert_eq!(report["lost"], 0, "{report:#}");
    assert!(report["backups_found"].as_u64().unwrap() > 16, "{report:#}");
}

#[test]
fn removing_the_hidden_folder_every_20_ms_keeps_running_writers_apart() {
    storm(20, &["--max-bytes", "400K", "--backups", "16"]);
}

#[test]
fn removing_the_hidden_folder_every_2_ms_keeps_running_writers_apart_through_many_rotations() {
    // Faster than any writer looks at the paths: writers that followed
    // the files made anew at each removal would split, one state file each.
    let report = storm(2, &["--max-bytes", "16K", "--backups", "16"]);
    assert_eq!(report["lost"], 0, "{report:#}");
}

#[test]
fn crf_stress_still_fails_a_run_that_lost_a_backup_while_the_hidden_folder_was_removed() {
    // The storm starts the shared count of rotations afresh, so that
    // crf-stress counts from the writers' own: it must still fail a run in
    // which a backup was deleted by hand.
    let storm = Storm::start(20, &["--max-bytes", "64K", "--backups", "300"]);
    let backup = storm.run.join("app.log.16");
    let started = std::time::Instant::now();
    while std::fs::remove_file(&backup).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no 16th backup"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let (out, report, _) = storm.finish();
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert!(report["lost"].as_u64().unwrap() > 0, "{report:#}");
}

#[cfg(unix)]
#[test]
fn a_symlink_planted_at_the_hidden_folder_is_refused_and_nothing_written_where_it_points() {
    let dir = tempfile::tempdir().unwrap();
    let (logs, elsewhere) = (dir.path().join("l"), dir.path().join("x"));
    std::fs::create_dir(&logs).unwrap();
    std::fs::create_dir(&elsewhere).unwrap();
    // Someone's file, of the name the state file has.
    let theirs = elsewhere.join("app.log.state");
    std::fs::write(&theirs, "DATA".repeat(1000)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, logs.join(OWN_DIR)).unwrap();
    let mut crf = Command::new(env!("CARGO_BIN_EXE_crf"))
        .arg(logs.join("app.log"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Refused before it reads: the pipe may be closed already.
    let _ = std::io::Write::write_all(&mut crf.stdin.take().unwrap(), b"hi\n");
    let out = crf.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&logs.join(OWN_DIR).display().to_string())
            && stderr.contains("symbolic link"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&theirs).unwrap(),
        "DATA".repeat(1000)
    );
    assert_eq!(test_support::names(&elsewhere), ["app.log.state"]);
}

#[cfg(unix)]
#[test]
fn the_hidden_folder_swapped_for_a_symlink_mid_run_redirects_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    let logs = dir.path().join("logs");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::create_dir(&logs).unwrap();
    let fleet = Fleet {
        processes: 4,
        lines: 3000,
        rate: 1500,
        line_size: 100,
        max_bytes: 16 * 1024,
        backups: 1000,
        gzip: true,
        ..Fleet::new(&logs)
    };
    let writers = fleet.spawn();
    // Once every writer has opened the log: a writer that starts with a
    // symlink there is refused (see the test above).
    wait_for_every_writer(&fleet);
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (own, elsewhere, stop) = (logs.join(OWN_DIR), elsewhere.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut swaps = 0;
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::remove_dir_all(&own);
                if std::os::unix::fs::symlink(&elsewhere, &own).is_ok() {
                    swaps += 1;
                }
                std::thread::sleep(Duration::from_millis(20));
                let _ = std::fs::remove_file(&own);
                std::thread::sleep(Duration::from_millis(20));
            }
            swaps
        })
    };
    for (id, mut child) in writers {
        let status = child.wait().unwrap();
        assert!(status.success(), "writer {id} failed: {status}");
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    assert!(swaps > 10, "swapped {swaps} times only");
    let _ = std::fs::remove_file(logs.join(OWN_DIR));
    assert_eq!(test_support::names(&elsewhere), Vec::<String>::new());
    // Nothing pruned (1,000 backups): every line must be there, whole and
    // in order; the compressions the swaps made fail stay plain.
    let mut expectation = fleet.expectation(vec![]);
    expectation.all_gzipped = false;
    let report = common::verify::verify(&expectation).unwrap();
    assert!(report.ok(), "{report}");
    assert_eq!(report.lost, 0, "{report}");
}

#[test]
fn writers_started_after_the_hidden_folder_was_removed_are_kept_apart_from_the_running_ones() {
    // The running writers keep the lock and state files they hold; a
    // writer that starts afterwards makes new ones, and waits for the
    // running ones to move to them (each moves at its next look, the first
    // retiring the old state file for the others) before it writes.
    let dir = tempfile::tempdir().unwrap();
    let running = Fleet {
        processes: 4,
        lines: 6000,
        rate: 3000,
        line_size: 100,
        max_bytes: 8 * 1024,
        backups: 1000,
        ..Fleet::new(dir.path())
    };
    let mut children = running.spawn();
    wait_for_every_writer(&running);
    let mut expectation = running.expectation(vec![]);
    for round in 0..3 {
        std::thread::sleep(Duration::from_millis(200));
        std::fs::remove_dir_all(dir.path().join(OWN_DIR)).unwrap();
        let newcomers = Fleet {
            processes: 2,
            lines: 1000,
            first_id: 10 + 2 * round,
            ..running.clone()
        };
        children.extend(newcomers.spawn());
        expectation
            .writers
            .extend(newcomers.expectation(vec![]).writers);
    }
    for (id, mut child) in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "writer {id} failed: {status}");
    }
    let report = common::verify::verify(&expectation).unwrap();
    assert!(report.ok(), "{report}");
    assert!(report.largest_file <= running.max_bytes, "{report}");
}
