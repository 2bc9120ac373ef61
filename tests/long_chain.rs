//! A long numbered chain (1,000 backups): a rotation renames only the live
//! file under the lock and the shift follows in batches, each under the
//! lock, so that the time a rotation holds the lock does not grow with the
//! chain (guarantees: an unbroken chain, crash-safe; see "How it works").

use std::io::Write;
use std::path::Path;

use concurrent_rotating_file::RotatingFile;
use test_support::names;

const BACKUPS: usize = 1000;

/// A full chain of `BACKUPS`, `.n` holding `backup n`.
fn full_chain(dir: &Path) {
    for n in 1..=BACKUPS {
        std::fs::write(dir.join(format!("app.log.{n}")), format!("backup {n}\n")).unwrap();
    }
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs real Windows: under wine every file operation is a round trip to wineserver, and a rotation holds the lock about 3 ms"
)]
fn rotating_a_full_chain_of_1000_holds_the_lock_well_under_a_millisecond() {
    let dir = tempfile::tempdir().unwrap();
    full_chain(dir.path());
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(1)
        .backups(BACKUPS)
        .open()
        .unwrap();
    // Each record overflows max_bytes(1): one rotation each.
    let rotations = 20;
    for i in 0..=rotations {
        writeln!(log, "record {i}").unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.rotations, rotations);
    // The whole shift under the lock takes about 7 ms here (7 µs a
    // rename); one rename and the reopening take some 30 µs.
    let mean = stats.rotation_lock_hold / rotations as u32;
    assert!(
        mean < std::time::Duration::from_millis(1),
        "a rotation held the lock {mean:?} on average"
    );
    // The chain is whole and in order once each write returns: the live
    // file, the 20 records, then the oldest backups less the 20 pruned.
    let read = |n: usize| std::fs::read_to_string(dir.path().join(format!("app.log.{n}"))).unwrap();
    assert_eq!(read(1), format!("record {}\n", rotations - 1));
    assert_eq!(read(rotations as usize), "record 0\n");
    assert_eq!(read(rotations as usize + 1), "backup 1\n");
    assert_eq!(
        read(BACKUPS),
        format!("backup {}\n", BACKUPS - rotations as usize)
    );
    assert_eq!(
        names(dir.path()).len(),
        BACKUPS + 2,
        "the live file, the backups, the library's directory"
    );
    assert_eq!(
        names(&dir.path().join(".concurrent-rotating-file")),
        ["app.log.lock", "app.log.state"],
        "nothing beyond the chain"
    );
}

#[test]
fn with_pythons_lock_a_long_chain_still_shifts_whole_under_the_lock() {
    // Python's handler shares no mark of a shift left for after the lock:
    // it must never find the chain mid-shift.
    let dir = tempfile::tempdir().unwrap();
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .max_bytes(1)
        .backups(100)
        .share_with_python(true)
        .open()
        .unwrap();
    for i in 0..120 {
        writeln!(log, "record {i}").unwrap();
    }
    assert_eq!(
        log.stats().longest_shift_batch_lock_hold,
        std::time::Duration::ZERO
    );
    for n in 1..=100 {
        let text = std::fs::read_to_string(dir.path().join(format!("app.log.{n}"))).unwrap();
        assert_eq!(text, format!("record {}\n", 119 - n));
    }
}
