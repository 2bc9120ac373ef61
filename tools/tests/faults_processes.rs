//! Faults that take several real processes: two configurations on one
//! file, the lock file deleted and the state file truncated while they
//! write.

mod common;

use std::path::Path;
use std::time::Duration;

use common::Fleet;

#[test]
fn two_configurations_on_one_file_keep_records_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let small = Fleet {
        processes: 2,
        max_bytes: 2_000,
        lines: 3_000,
        ..Fleet::new(dir.path())
    };
    let large = Fleet {
        first_id: 2,
        max_bytes: 8_000,
        ..small.clone()
    };
    let children: Vec<_> = small.spawn().into_iter().chain(large.spawn()).collect();
    for (id, mut child) in children {
        assert!(child.wait().unwrap().success(), "writer {id} failed");
    }
    // Every record once, whole and in order, the chain without gaps, and no
    // file past the larger limit.
    let mut expectation = large.expectation(vec![]);
    expectation
        .writers
        .extend(small.expectation(vec![]).writers);
    let report = common::verify::verify(&expectation).unwrap();
    assert!(report.ok(), "invariants broken:\n{report}");
}

/// Runs `fleet` while `fault` strikes every `every`, until every writer is
/// done; asserts each writer succeeded (none died of a signal) and returns
/// how often the fault struck.
fn under_fault(fleet: &Fleet, every: Duration, mut fault: impl FnMut()) -> u32 {
    let mut children = fleet.spawn();
    let mut struck = 0;
    while !children
        .iter_mut()
        .all(|(_, child)| child.try_wait().unwrap().is_some())
    {
        fault();
        struck += 1;
        std::thread::sleep(every);
    }
    for (id, mut child) in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "writer {id}: {status:?}");
    }
    struck
}

fn busy_fleet(dir: &Path) -> Fleet {
    Fleet {
        processes: 4,
        lines: 6_000,
        rate: 4_000,
        max_bytes: 32_768,
        ..Fleet::new(dir)
    }
}

#[test]
fn lock_file_deleted_mid_run_keeps_exclusion() {
    // A cleanup job deletes the lock file over and over while four
    // processes write: every record must still go in once, whole and in
    // order, with no file past max_bytes and no gap in the chain.
    let dir = tempfile::tempdir().unwrap();
    let fleet = busy_fleet(dir.path());
    let lock = dir
        .path()
        .join(crf_tools::verify::OWN_DIR)
        .join("app.log.lock");
    let struck = under_fault(&fleet, Duration::from_millis(20), || {
        let _ = std::fs::remove_file(&lock);
    });
    assert!(struck > 20, "the run ended too soon: {struck}");
    assert_eq!(fleet.verify(vec![]).found, 24_000);
}

#[test]
fn state_file_truncated_mid_run_crashes_nothing_and_loses_nothing() {
    // `: > state` while processes have it mapped: a SIGBUS for each of them
    // unless the library survives it.
    let dir = tempfile::tempdir().unwrap();
    let fleet = busy_fleet(dir.path());
    let state = dir
        .path()
        .join(crf_tools::verify::OWN_DIR)
        .join("app.log.state");
    let struck = under_fault(&fleet, Duration::from_millis(20), || {
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&state);
    });
    assert!(struck > 20, "the run ended too soon: {struck}");
    // Verified without the rotation count, which lives in the state file
    // that was emptied over and over.
    let report = common::verify::verify(&fleet.expectation(vec![])).unwrap();
    assert!(report.ok(), "invariants broken:\n{report}");
    assert_eq!(report.found, 24_000);
}
