//! Faults that take several real processes.

mod common;

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
        assert!(child.wait().unwrap().success(), "worker {id} failed");
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
