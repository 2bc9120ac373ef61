//! A live file pinned by a program outside the library: opened without
//! `FILE_SHARE_DELETE` (as editors and `type` open files), it cannot be
//! renamed, so it cannot be rotated. The rotation is skipped, as Python's
//! handler skips it: the records go on into the live file past
//! `max_bytes`, none lost, doubled or torn, nothing of the chain moved,
//! and the rotation happens at the first record that does not fit once
//! the pin goes. Only Windows pins files (wine enforces share modes as
//! Windows does); Unix renames whoever has the file open.
#![cfg(windows)]

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::windows::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use concurrent_rotating_file::RotatingFile;

const FILE_SHARE_READ: u32 = 1;
const FILE_SHARE_WRITE: u32 = 2;
const MAX_BYTES: u64 = 1000;

/// Record `n`: 100 bytes, newline included, so that ten fill a file.
fn record(n: usize) -> Vec<u8> {
    let mut line = format!("record {n:04} ").into_bytes();
    line.resize(99, b'.');
    line.push(b'\n');
    line
}

/// Opens `path` as a program outside the library does: reading, sharing
/// reads and writes but not deletion (nor renaming).
fn pin(path: &Path) -> File {
    File::options()
        .read(true)
        .share_mode(FILE_SHARE_READ | FILE_SHARE_WRITE)
        .open(path)
        .unwrap()
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Every record in the live file and its backups, each checked whole.
fn records_in(dir: &Path) -> Vec<String> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            assert_eq!(line.len(), 99, "never torn: {line:?} in {path:?}");
            all.push(line[..11].to_string());
        }
    }
    all.sort();
    all
}

/// A log at `path` rotating at [`MAX_BYTES`], its first `records` written.
fn log_with_records(path: &Path, records: usize) -> RotatingFile {
    let log = RotatingFile::builder(path)
        .max_bytes(MAX_BYTES)
        .backups(3)
        .open()
        .unwrap();
    for n in 0..records {
        log.write_record(&record(n)).unwrap();
    }
    log
}

#[test]
fn a_pinned_live_file_skips_its_rotation_loses_nothing_then_rotation_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = log_with_records(&path, 7);
    let pinned = pin(&path);

    // Every record written, none refused: past max_bytes while pinned.
    for n in 7..20 {
        log.write_record(&record(n)).unwrap();
    }
    assert_eq!(
        size(&path),
        20 * 100,
        "every record in the pinned live file"
    );
    assert!(
        !dir.path().join("app.log.1").exists(),
        "nothing of the chain moved"
    );
    assert_eq!(
        log.stats().pinned_rotations,
        10,
        "each record past the limit asked once"
    );
    assert_eq!(log.stats().own_rotations, 0);

    drop(pinned);
    log.write_record(&record(20)).unwrap();
    let stats = log.stats();
    assert_eq!(stats.own_rotations, 1, "the rotation resumes");
    assert_eq!(stats.pinned_rotations, 10);
    assert_eq!(
        size(&dir.path().join("app.log.1")),
        20 * 100,
        "rotated whole"
    );
    assert_eq!(size(&path), 100, "the next record starts a new file");
    for n in 21..30 {
        log.write_record(&record(n)).unwrap();
    }
    assert!(size(&path) <= MAX_BYTES, "within max_bytes again");
    let expected: Vec<String> = (0..30).map(|n| format!("record {n:04}")).collect();
    assert_eq!(
        records_in(dir.path()),
        expected,
        "nothing lost, nothing doubled, nothing torn"
    );
}

/// Names the file [`pinner`] pins, in its environment.
const PINNER: &str = "CRF_TEST_PINNER";

/// Run as another process by
/// `a_live_file_pinned_by_another_process_skips_its_rotation_and_loses_nothing`:
/// pins the file, says `pinned`, and holds it until its standard input
/// closes.
#[test]
#[ignore = "run by a_live_file_pinned_by_another_process_skips_its_rotation_and_loses_nothing"]
fn pinner() {
    let Ok(path) = std::env::var(PINNER) else {
        return;
    };
    let _pinned = pin(Path::new(&path));
    println!("pinner: pinned");
    io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    io::stdin().read_to_end(&mut rest).unwrap();
}

#[test]
fn a_live_file_pinned_by_another_process_skips_its_rotation_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = log_with_records(&path, 10);
    let mut pinner = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "pinner", "--nocapture"])
        .env(PINNER, &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The test harness speaks first: the pinner's own line is the one
    // that starts with its name.
    let mut output = BufReader::new(pinner.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap);
    let said = output.find(|line| line.starts_with("pinner:"));
    assert_eq!(said.as_deref(), Some("pinner: pinned"));

    log.write_record(&record(10)).unwrap();
    assert_eq!(size(&path), 11 * 100, "written on past max_bytes, not lost");
    assert_eq!(log.stats().pinned_rotations, 1);
    assert!(
        !dir.path().join("app.log.1").exists(),
        "nothing of the chain moved"
    );

    drop(pinner.stdin.take());
    // Read to the end, so that the pinner's last words find a reader.
    output.for_each(drop);
    assert!(pinner.wait().unwrap().success());
    log.write_record(&record(11)).unwrap();
    assert_eq!(log.stats().own_rotations, 1, "the rotation resumes");
    let expected: Vec<String> = (0..12).map(|n| format!("record {n:04}")).collect();
    assert_eq!(
        records_in(dir.path()),
        expected,
        "nothing lost, nothing doubled"
    );
}
