//! Gzip with many real writer processes: every backup ends up gzipped and
//! whole, and a process killed at any moment, also in the middle of a
//! compression, leaves nothing the next writer cannot repair (guarantees:
//! gzip off the lock, a crash loses only its own records).

mod common;

use std::time::{Duration, Instant};

use common::Fleet;
use concurrent_rotating_file::{Compression, RotatingFile};
use test_support::names;

#[test]
fn many_processes_with_gzip_keep_every_invariant_and_leave_only_gz() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        processes: 4,
        lines: 3000,
        max_bytes: 16384,
        gzip: true,
        ..Fleet::new(dir.path())
    };
    fleet.run();
    let report = fleet.verify(vec![]);
    assert_eq!(report.found, 12_000);
    assert!(
        report.backups > 50 && report.gzipped == report.backups,
        "{report}"
    );
}

#[test]
fn sigkill_of_writers_with_gzip_at_random_moments_loses_nothing_of_the_others() {
    // After the run, crf-stress opens the log as the next writer would, which
    // must leave every backup gzipped and no temporary file behind.
    let dir = tempfile::tempdir().unwrap();
    let kills = common::stress_with_kills(
        dir.path(),
        3,
        &[
            "-p",
            "6",
            "-n",
            "15000",
            "--max-bytes",
            "32768",
            "--backups",
            "1000",
            "--gzip",
        ],
    );
    assert!(kills > 0, "no writer was killed while writing in any round");
}

/// Whether process `pid` is gzipping a backup: its deflating thread runs
/// (`crf-gzip-deflate`, 15 characters of it in `comm`).
fn deflating(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.filter_map(Result::ok).any(|task| {
        std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|comm| comm.trim_end() == "crf-gzip-deflat")
    })
}

#[test]
fn sigkill_during_a_compression_leaves_the_plain_backup_for_the_next_writer() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            processes: 1,
            lines: 600,
            line_size: 40_000,
            max_bytes: 4_000_000,
            gzip: true,
            ..Fleet::new(dir.path())
        };
        let (_, mut child) = fleet.spawn().pop().unwrap();
        // Wait until a compression is under way (its deflating thread
        // runs; the file it writes has no name), then kill the process in
        // the middle of it.
        let deadline = Instant::now() + Duration::from_secs(20);
        let caught = loop {
            if deflating(child.id()) {
                child.kill().unwrap();
                break true;
            }
            if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break false;
            }
            std::thread::sleep(Duration::from_micros(200));
        };
        child.wait().unwrap();
        assert!(caught, "round {round}: never saw a compression under way");
        assert!(
            names(dir.path())
                .iter()
                .all(|n| !n.ends_with(".gz") || n.starts_with("app.log.")),
            "no temp under a final name"
        );
        // The next writer repairs: removes the unclaimed temp, compresses
        // what was left plain.
        drop(
            RotatingFile::builder(&fleet.log)
                .max_bytes(4_000_000)
                .backups(1000)
                .compression(Compression::Gzip)
                .open()
                .unwrap(),
        );
        let own = dir.path().join(crf_tools::verify::OWN_DIR);
        assert!(
            !names(&own).iter().any(|n| n.ends_with(".tmp")),
            "{:?}",
            names(&own)
        );
        let report = common::verify::verify(&fleet.expectation(vec![0])).unwrap();
        assert!(report.ok(), "round {round}:\n{report}");
        assert_eq!(report.gzipped, report.backups, "round {round}:\n{report}");
        assert!(report.backups >= 1);
    }
}
