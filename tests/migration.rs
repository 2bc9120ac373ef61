//! Opening a directory an earlier version wrote: it kept its state file
//! beside Python's lock file (`logs/.__app.lock.state`, the state's first
//! format), where a `logs/*` glob picks it up. The state is carried into
//! `.concurrent-rotating-file/` and the old file removed; the counters go
//! on, and the log and its backups are kept as they are.

use std::fs;
use std::io::Write;
use std::path::Path;

use concurrent_rotating_file::RotatingFile;

/// A state file of the first format, as an earlier version left it: its
/// magic number, then generation (slot 1) and rotations (slot 3).
fn first_format_state(path: &Path, generation: u64, rotations: u64) {
    let mut bytes = vec![0u8; 4096];
    bytes[..8].copy_from_slice(b"crfstat1");
    bytes[8..16].copy_from_slice(&generation.to_ne_bytes());
    bytes[24..32].copy_from_slice(&rotations.to_ne_bytes());
    fs::write(path, bytes).unwrap();
}

#[test]
fn an_earlier_versions_state_is_carried_into_the_hidden_directory_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path();
    let legacy = logs.join(".__app.lock.state");
    fs::write(logs.join("app.log"), "live 1\nlive 2\n").unwrap();
    fs::write(logs.join("app.log.1"), "backup 1\n").unwrap();
    first_format_state(&legacy, 41, 7);

    let mut log = RotatingFile::builder(logs.join("app.log"))
        .max_bytes(20)
        .backups(10)
        .open()
        .unwrap();
    assert!(!legacy.exists(), "the earlier state file is still in logs/");
    assert!(
        logs.join(".concurrent-rotating-file/app.log.state")
            .is_file(),
        "no state in the hidden directory"
    );
    assert_eq!(log.stats().rotations, 7, "the rotations were not carried");

    // The next record does not fit: one rotation, counted after the 7.
    log.write_all(b"after 1\n").unwrap();
    assert_eq!(log.stats().rotations, 8);
    let read = |name: &str| fs::read_to_string(logs.join(name)).unwrap();
    assert_eq!(read("app.log"), "after 1\n");
    assert_eq!(read("app.log.1"), "live 1\nlive 2\n");
    assert_eq!(read("app.log.2"), "backup 1\n");
    // `logs/` holds only the log's files (no lock: no Python process
    // shares this log, and no earlier version left one).
    assert_eq!(
        test_support::names(logs),
        [
            ".concurrent-rotating-file",
            "app.log",
            "app.log.1",
            "app.log.2"
        ]
    );
}

#[test]
fn a_file_at_the_earlier_state_name_that_is_not_a_state_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path();
    let stranger = logs.join(".__app.lock.state");
    fs::write(&stranger, "not a state file\n").unwrap();
    let log = RotatingFile::builder(logs.join("app.log")).open().unwrap();
    assert_eq!(log.stats().rotations, 0);
    assert_eq!(fs::read_to_string(&stranger).unwrap(), "not a state file\n");
}
