//! The background writer in many real processes: whole records, in order,
//! after fork and under SIGKILL.

mod common;

use common::Fleet;

#[test]
fn many_processes_through_the_background_writer_keep_every_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        processes: 4,
        lines: 5000,
        mode: "non-blocking",
        ..Fleet::new(dir.path())
    };
    fleet.run();
    assert_eq!(fleet.verify(vec![]).found, 20_000);
}

#[test]
fn many_processes_logging_tracing_events_through_the_background_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        processes: 3,
        threads: 2,
        lines: 3000,
        mode: "tracing-non-blocking",
        ..Fleet::new(dir.path())
    };
    fleet.run();
    assert_eq!(fleet.verify(vec![]).found, 18_000);
}

#[test]
fn a_child_after_fork_writes_through_the_parents_background_writer() {
    // The handle is made before fork(); the thread behind it exists only in
    // the parent, so the child's records must go straight to the file, under
    // its own lock, and its guard must not wait for the parent's thread.
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        processes: 2,
        lines: 3000,
        mode: "non-blocking",
        fork_after_open: true,
        ..Fleet::new(dir.path())
    };
    fleet.run();
    assert_eq!(fleet.verify(vec![]).found, 12_000);
}

#[test]
fn sigkill_of_background_writers_disturbs_no_survivor() {
    // A killed process's batch may be cut short inside its write(2); the
    // next writer removes the partial record, so no survivor's record is
    // glued to it.
    let dir = tempfile::tempdir().unwrap();
    let kills = common::stress_with_kills(
        dir.path(),
        4,
        &[
            "-p",
            "6",
            "-n",
            "40000",
            "--max-bytes",
            "131072",
            "--mode",
            "non-blocking",
        ],
    );
    assert!(kills > 0, "no writer was killed while writing in any round");
}
