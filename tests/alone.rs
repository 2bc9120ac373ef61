//! A process that has a log to itself enters without the `flock` (see the
//! how-it-works guide, docs/how-it-works.md): these tests make real processes join such a
//! writer, and kill one inside a record, and check that the log keeps every
//! guarantee (never torn, never reordered, nothing lost) and that nothing
//! waits on a dead writer.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use concurrent_rotating_file::RotatingFile;

const RECORD: usize = 200;

/// Record `seq` of writer `who`: `RECORD` bytes with its newline.
fn record(who: char, seq: u64) -> String {
    let head = format!("{who} {seq:08} ");
    format!("{head}{}\n", "x".repeat(RECORD - head.len() - 1))
}

/// The writer process of the tests below: runs only when started by them.
/// Writes `CRF_TEST_RECORDS` records of `CRF_TEST_RECORD_BYTES` bytes (for
/// ever if 0) as writer `a`, keeping `CRF_TEST_BACKUPS` backups.
#[test]
fn alone_writer_process() {
    let Ok(log) = std::env::var("CRF_TEST_ALONE_WRITER") else {
        return;
    };
    let records: u64 = std::env::var("CRF_TEST_RECORDS").unwrap().parse().unwrap();
    let bytes: usize = std::env::var("CRF_TEST_RECORD_BYTES")
        .unwrap()
        .parse()
        .unwrap();
    let backups: usize = std::env::var("CRF_TEST_BACKUPS").unwrap().parse().unwrap();
    let mut log = RotatingFile::builder(log)
        .max_bytes(64 * 1024)
        .backups(backups)
        .open()
        .unwrap();
    // A process finds itself alone at its first look for others, 100 ms
    // after opening: write from then on.
    std::thread::sleep(Duration::from_millis(200));
    let mut seq = 0;
    while records == 0 || seq < records {
        if bytes == RECORD {
            log.write_all(record('a', seq).as_bytes()).unwrap();
        } else {
            let mut big = vec![b'y'; bytes];
            big[bytes - 1] = b'\n';
            log.write_all(&big).unwrap();
        }
        seq += 1;
    }
}

/// Starts `alone_writer_process` on the log at `path`.
fn alone_writer(path: &Path, records: u64, bytes: usize, backups: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "alone_writer_process", "--test-threads=1"])
        .env("CRF_TEST_ALONE_WRITER", path)
        .env("CRF_TEST_RECORDS", records.to_string())
        .env("CRF_TEST_RECORD_BYTES", bytes.to_string())
        .env("CRF_TEST_BACKUPS", backups.to_string())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// The log and its backups, oldest first.
fn chain(path: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = (1..=1000)
        .map(|n| PathBuf::from(format!("{}.{n}", path.display())))
        .filter(|p| p.exists())
        .collect();
    files.reverse();
    files.push(path.to_path_buf());
    files
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn a_writer_alone_joined_by_another_process_keeps_records_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    const EACH: u64 = 20_000;
    let mut child = alone_writer(&path, EACH, RECORD, 1000);
    // Join while it writes alone.
    common::within(30, {
        let path = path.clone();
        move || {
            while chain(&path).iter().map(|p| size(p)).sum::<u64>() < 100 * RECORD as u64 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    });
    let mut log = RotatingFile::builder(&path)
        .max_bytes(64 * 1024)
        .backups(1000)
        .open()
        .unwrap();
    for seq in 0..EACH {
        log.write_all(record('b', seq).as_bytes()).unwrap();
    }
    drop(log);
    assert!(child.wait().unwrap().success());

    let mut next = [0u64; 2];
    let mut interleaved = false;
    let mut last = None;
    for file in chain(&path) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(size(&file) <= 64 * 1024, "{} too large", file.display());
        for line in text.lines() {
            assert_eq!(
                line.len(),
                RECORD - 1,
                "torn: {line:?} in {}",
                file.display()
            );
            let who = line.as_bytes()[0];
            let seq: u64 = line[2..10].parse().unwrap();
            let slot = usize::from(who - b'a');
            assert_eq!(
                seq,
                next[slot],
                "{} out of order in {}",
                line,
                file.display()
            );
            next[slot] += 1;
            interleaved |= last.is_some_and(|l| l != who);
            last = Some(who);
        }
    }
    assert_eq!(next, [EACH, EACH], "records lost");
    assert!(interleaved, "the two writers never took turns");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: a writer is never alone with its log on Windows (no presence marks), and under wine TerminateProcess never cut a write short in 10 tries"
)]
fn a_writer_killed_inside_a_record_while_alone_holds_up_no_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // 8 MiB records: a writer alone spends nearly all its time inside one.
    // Each is alone in its file (max_bytes is 64 KiB), so the chain is kept
    // short: a few dozen MiB on disk whatever the number of tries.
    const BIG: usize = 8 << 20;
    const BACKUPS: usize = 2;
    let mut torn = false;
    // Each try kills at another moment of the writer's loop, so that one
    // lands inside a write(2) however fast the machine writes.
    for try_ in 0..40u64 {
        let mut child = alone_writer(&path, 0, BIG, BACKUPS);
        std::thread::sleep(Duration::from_millis(300 + try_ * 53 % 400));
        child.kill().unwrap();
        child.wait().unwrap();
        // Killed inside its write(2): a record without its newline.
        let tail = std::fs::read(&path).unwrap_or_default();
        if tail.last().is_some_and(|&b| b != b'\n') {
            torn = true;
            break;
        }
    }
    assert!(torn, "the writer was never killed inside a record");
    // A dead writer's claim is taken back at once, whoever has its pid
    // now: well within this timeout, which gives up with an error.
    let mut log = RotatingFile::builder(&path)
        .max_bytes(64 * 1024)
        .backups(BACKUPS)
        .lock_timeout(Duration::from_millis(500))
        .open()
        .unwrap();
    writeln!(log, "after").unwrap();
    drop(log);
    let mut text = Vec::new();
    for file in chain(&path) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.ends_with(b"\n"),
            "{} ends in a torn record",
            file.display()
        );
        text.extend(bytes);
    }
    assert!(text.ends_with(b"\nafter\n"), "the record after is missing");
    let lines = text.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    for line in lines {
        assert!(
            line == b"after" || line.iter().all(|&b| b == b'y'),
            "a record glued to another"
        );
    }
}
