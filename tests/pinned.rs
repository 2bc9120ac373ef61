//! A live file pinned by a program outside the library: opened without
//! `FILE_SHARE_DELETE` (as editors and `type` open files), it cannot be
//! renamed, so it cannot be rotated. Never past `max_bytes` outranks the
//! rotation: the records that do not fit are refused with a typed error
//! naming the file, none is lost unsaid or torn, and the rotation resumes
//! once the pin goes. Only Windows pins files (wine enforces share modes
//! as Windows does); Unix renames whoever has the file open.
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
        assert!(size(&path) <= MAX_BYTES, "never past max_bytes: {path:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            assert_eq!(line.len(), 99, "never torn: {line:?} in {path:?}");
            all.push(line[..11].to_string());
        }
    }
    all.sort();
    all
}

#[test]
fn a_pinned_live_file_refuses_what_does_not_fit_then_rotation_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = RotatingFile::builder(&path)
        .max_bytes(MAX_BYTES)
        .backups(3)
        .open()
        .unwrap();
    for n in 0..7 {
        log.write_record(&record(n)).unwrap();
    }
    let pinned = pin(&path);

    let mut written = 7;
    let mut refused = Vec::new();
    for n in 7..20 {
        match log.write_record(&record(n)) {
            Ok(()) => written += 1,
            Err(e) => {
                assert_eq!(e.kind(), io::ErrorKind::ResourceBusy, "{e}");
                assert!(e.to_string().contains("app.log"), "names the file: {e}");
                refused.push(n);
            }
        }
        assert!(size(&path) <= MAX_BYTES, "never past max_bytes");
    }
    assert_eq!(written, 10, "the records that fit are written");
    assert_eq!(refused, (10..20).collect::<Vec<_>>());
    assert!(!dir.path().join("app.log.1").exists(), "nothing rotated");
    assert_eq!(log.stats().pinned_rotations, 10);
    assert_eq!(log.stats().own_rotations, 0);

    drop(pinned);
    for &n in &refused {
        log.write_record(&record(n)).unwrap();
    }
    let stats = log.stats();
    assert_eq!(stats.own_rotations, 1, "the rotation resumes");
    assert_eq!(stats.pinned_rotations, 10);
    assert_eq!(size(&dir.path().join("app.log.1")), MAX_BYTES);
    let expected: Vec<String> = (0..20).map(|n| format!("record {n:04}")).collect();
    assert_eq!(
        records_in(dir.path()),
        expected,
        "nothing lost, nothing doubled"
    );
}

/// Names the file [`pinner`] pins, in its environment.
const PINNER: &str = "CRF_TEST_PINNER";

/// Run as another process by
/// `a_live_file_pinned_by_another_process_refuses_what_does_not_fit`:
/// pins the file, says `pinned`, and holds it until its standard input
/// closes.
#[test]
#[ignore = "run by a_live_file_pinned_by_another_process_refuses_what_does_not_fit"]
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
fn a_live_file_pinned_by_another_process_refuses_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let log = RotatingFile::builder(&path)
        .max_bytes(MAX_BYTES)
        .backups(3)
        .open()
        .unwrap();
    for n in 0..10 {
        log.write_record(&record(n)).unwrap();
    }
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

    let error = log.write_record(&record(10)).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::ResourceBusy, "{error}");
    assert!(
        error.to_string().contains("app.log"),
        "names the file: {error}"
    );
    assert_eq!(size(&path), MAX_BYTES, "never past max_bytes");

    drop(pinner.stdin.take());
    // Read to the end, so that the pinner's last words find a reader.
    output.for_each(drop);
    assert!(pinner.wait().unwrap().success());
    log.write_record(&record(10)).unwrap();
    assert_eq!(log.stats().own_rotations, 1, "the rotation resumes");
    let expected: Vec<String> = (0..11).map(|n| format!("record {n:04}")).collect();
    assert_eq!(
        records_in(dir.path()),
        expected,
        "nothing lost, nothing doubled"
    );
}
