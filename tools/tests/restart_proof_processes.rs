//! Restart-proof files with many real processes writing (`crf-stress
//! writer`), checked by reading every file back in number order: never
//! torn, never past max_bytes, an unbroken chain of numbers with each
//! writer's lines in order, rotated once (every file but the live one
//! full), crash-safe under SIGKILL at random moments, gzip off the lock.
//! The verifier also holds `app.log` to being the live file.

mod common;

use common::Fleet;

fn restart_proof(fleet: Fleet) -> Fleet {
    Fleet {
        restart_proof: true,
        ..fleet
    }
}

#[test]
fn many_processes_switch_once_per_full_file_through_hundreds_of_files() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = restart_proof(Fleet {
        processes: 4,
        lines: 3000,
        max_bytes: 4096,
        ..Fleet::new(dir.path())
    });
    fleet.run();
    // With the rotations counted: every file but the live one is full.
    let report = fleet.verify(vec![]);
    assert_eq!(report.found, 12_000);
    assert!(report.backups > 250, "{report}");
    assert!(report.largest_file <= 4096);
}

#[test]
fn a_short_chain_keeps_each_writers_newest_lines_and_no_more_files() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = restart_proof(Fleet {
        processes: 4,
        lines: 2000,
        backups: 5,
        ..Fleet::new(dir.path())
    });
    fleet.run();
    let report = fleet.verify(vec![]);
    assert_eq!(report.backups, 5, "{report}");
    assert!(report.pruned);
}

#[test]
fn gzip_takes_every_file_but_the_live_one_while_processes_write() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = restart_proof(Fleet {
        processes: 4,
        lines: 2000,
        backups: 30,
        gzip: true,
        // Not the default 5 minutes a restart-proof log keeps them plain.
        compress_after: Some(std::time::Duration::ZERO),
        ..Fleet::new(dir.path())
    });
    fleet.run();
    let report = fleet.verify(vec![]);
    assert!(
        report.gzipped > 0 && report.gzipped == report.backups,
        "{report}"
    );
}

#[test]
fn background_writers_and_children_after_fork_keep_every_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = restart_proof(Fleet {
        processes: 2,
        lines: 3000,
        mode: "non-blocking",
        fork_after_open: true,
        ..Fleet::new(dir.path())
    });
    fleet.run();
    assert_eq!(fleet.verify(vec![]).found, 12_000);
}

#[test]
fn sigkill_of_some_writers_at_random_moments_loses_nothing_of_the_others() {
    // Killed anywhere: mid-write, between moving the number on and creating
    // the file, between creating it and linking the stable name, during a
    // compression. The next writer finishes what was left.
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "-p",
        "6",
        "-n",
        "15000",
        "--max-bytes",
        "32768",
        "--backups",
        "1000",
        "--restart-proof",
    ];
    let kills = common::stress_with_kills(&dir.path().join("plain"), 2, &args);
    let mut gzipped = args.to_vec();
    gzipped.push("--gzip");
    let kills = kills + common::stress_with_kills(&dir.path().join("gzip"), 2, &gzipped);
    assert!(kills > 0, "no writer was killed while writing in any round");
}
