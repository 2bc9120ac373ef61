//! A long numbered chain with real writer processes: rotations leave the
//! shift of the chain for after the lock, done in batches by whoever takes
//! the lock first; nothing is lost, doubled or reordered and the chain is
//! whole once they are done, also after writers are SIGKILLed mid-shift
//! (guarantees: an unbroken chain, crash-safe).

mod common;

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Fleet, verify};
use concurrent_rotating_file::RotatingFile;

#[test]
fn many_processes_through_a_full_chain_of_1000_backups_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // 10 lines a file: some 1,200 rotations, the last 200 with the chain
    // full (the oldest let go at each).
    let fleet = Fleet {
        processes: 4,
        lines: 3000,
        line_size: 100,
        max_bytes: 1000,
        backups: 1000,
        ..Fleet::new(dir.path())
    };
    fleet.run();
    let report = fleet.verify(vec![]);
    assert_eq!(report.backups, 1000, "{report}");
    assert!(report.pruned, "the chain never filled: {report}");
}

/// The file a rotation's live file waits in for the chain to shift: beside
/// the log, never only in the library's hidden folder.
fn shifting(dir: &Path) -> std::path::PathBuf {
    dir.join(".app.log.shifting")
}

/// The numbers of the backups in `dir`, sorted.
fn backup_numbers(dir: &Path) -> Vec<usize> {
    let mut numbers: Vec<usize> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_prefix("app.log.")?.parse().ok()
        })
        .collect();
    numbers.sort();
    numbers
}

#[test]
fn a_writer_killed_mid_shift_leaves_a_chain_the_next_opener_completes() {
    const ROUNDS: u32 = 12;
    const BACKUPS: usize = 300;
    let dir = tempfile::tempdir().unwrap();
    // One writer at a time, 5 lines a file: almost all its time goes into
    // shifting the chain, so a kill lands mid-shift most of the time.
    let fleet = |first_id, processes| Fleet {
        processes,
        first_id,
        lines: 5000,
        line_size: 100,
        max_bytes: 500,
        backups: BACKUPS,
        ..Fleet::new(dir.path())
    };
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    let mut killed = Vec::new();
    let mut mid_shift = 0;
    for round in 0..ROUNDS {
        let (id, mut child) = fleet(round, 1).spawn().pop().unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(20 + seed % 150));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if status.success() {
            continue;
        }
        killed.push(id);
        if !shifting(dir.path()).exists() {
            continue;
        }
        mid_shift += 1;
        // The next writer to open the log finishes the shift.
        drop(
            RotatingFile::builder(dir.path().join("app.log"))
                .max_bytes(500)
                .backups(BACKUPS)
                .open()
                .unwrap(),
        );
        assert!(!shifting(dir.path()).exists(), "round {round}: shift left");
        let numbers = backup_numbers(dir.path());
        let whole: Vec<usize> = (1..=numbers.len()).collect();
        assert_eq!(numbers, whole, "round {round}: a gap in the chain");
        assert!(numbers.len() <= BACKUPS);
    }
    assert!(mid_shift > 0, "no writer was killed mid-shift");
    // Every writer's records whole, in order, none doubled, a killed one's
    // a prefix; the chain whole, nothing else in the directories.
    let all = fleet(0, ROUNDS);
    all.rotations(); // opens, as the next writer: repairs
    let report = verify::verify(&all.expectation(killed)).unwrap();
    assert!(report.ok(), "invariants broken:\n{report}");
    eprintln!("{mid_shift} of {ROUNDS} writers killed mid-shift");
}

#[test]
fn writers_killed_mid_shift_among_others_lose_nothing_of_the_others() {
    // The others' rotations finish a shift a killed writer left, before
    // their own; the stress tool holds killed writers to the prefix rule
    // and checks the chain after the next opening.
    let dir = tempfile::tempdir().unwrap();
    let kills = common::stress_with_kills(
        dir.path(),
        2,
        &[
            "-p",
            "4",
            "-n",
            "4000",
            "--line-size",
            "100",
            "--max-bytes",
            "1000",
            "--backups",
            "1000",
        ],
    );
    assert!(kills > 0, "no worker was killed while writing in any round");
}
