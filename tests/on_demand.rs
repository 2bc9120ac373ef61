//! Rotating and reopening on demand: `rotate()` makes a backup now and
//! every writer follows; several processes asking at once make one
//! rotation; `reopen()` after an outside tool moved the file.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::own_file;
use concurrent_rotating_file::{Period, RotatingFile};

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn rotate_makes_the_live_file_a_backup_now_and_every_writer_follows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // Two opens of one log: two processes as far as the library knows.
    let mut a = RotatingFile::builder(&path).open().unwrap();
    let mut b = RotatingFile::builder(&path)
        .path_check_interval(Duration::from_secs(3600))
        .open()
        .unwrap();
    writeln!(a, "a before").unwrap();
    writeln!(b, "b before").unwrap();
    assert!(a.rotate().unwrap());
    writeln!(b, "b after").unwrap();
    writeln!(a, "a after").unwrap();
    assert_eq!(read(dir.path().join("app.log.1")), "a before\nb before\n");
    assert_eq!(read(&path), "b after\na after\n");
    assert_eq!(a.rotations(), 1);
}

#[test]
fn rotate_of_an_empty_file_makes_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .open()
        .unwrap();
    assert!(!log.rotate().unwrap());
    assert!(!dir.path().join("app.log.1").exists());
    assert_eq!(log.rotations(), 0);
}

#[test]
fn rotate_with_time_named_backups_names_the_backup_by_its_period() {
    let dir = tempfile::tempdir().unwrap();
    let day = || chrono::Utc::now().format("%Y-%m-%d").to_string();
    let before = day();
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .rotate_every(Period::Day)
        .utc(true)
        .open()
        .unwrap();
    writeln!(log, "first").unwrap();
    assert!(log.rotate().unwrap());
    writeln!(log, "second").unwrap();
    assert!(log.rotate().unwrap());
    // The day the records were written in, should the test span midnight.
    let today = match dir.path().join(format!("app.log.{before}")).exists() {
        true => before,
        false => day(),
    };
    assert_eq!(read(dir.path().join(format!("app.log.{today}"))), "first\n");
    assert_eq!(
        read(dir.path().join(format!("app.log.{today}.1"))),
        "second\n"
    );
}

#[test]
fn reopen_after_an_outside_move_starts_a_fresh_file_for_every_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let slow = |p: &Path| {
        RotatingFile::builder(p)
            .path_check_interval(Duration::from_secs(3600))
            .open()
            .unwrap()
    };
    let (mut a, mut b) = (slow(&path), slow(&path));
    writeln!(a, "old").unwrap();
    std::fs::rename(&path, dir.path().join("archived.log")).unwrap();
    a.reopen().unwrap();
    // b checks the path only once an hour: it follows a's reopen.
    writeln!(b, "new from b").unwrap();
    writeln!(a, "new from a").unwrap();
    assert_eq!(read(&path), "new from b\nnew from a\n");
    assert_eq!(read(dir.path().join("archived.log")), "old\n");
}

type Output = std::io::Lines<BufReader<std::process::ChildStdout>>;

/// The next thing a helper said.
fn said(output: &mut Output) -> String {
    loop {
        let line = output.next().expect("helper ended early").unwrap();
        if let Some(said) = line.strip_prefix("helper: ") {
            return said.to_owned();
        }
    }
}

/// The environment variable that makes [`helper`] act.
const HELPER: &str = "CRF_ON_DEMAND_HELPER";

/// Not a test: the process `several_processes_asking_at_once_make_one_rotation`
/// starts (this executable again). Opens the log named in `$HELPER`, says
/// `ready`, waits for a line on standard input, says `asking`, rotates,
/// says whether it did.
#[test]
#[ignore = "run by several_processes_asking_at_once_make_one_rotation"]
fn helper() {
    let Ok(path) = std::env::var(HELPER) else {
        return;
    };
    let log = RotatingFile::builder(path).open().unwrap();
    println!("helper: ready");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    println!("helper: asking");
    let rotated = log.rotate().unwrap();
    println!("helper: rotated {rotated}");
}

#[test]
fn several_processes_asking_at_once_make_one_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path).open().unwrap();
    writeln!(log, "to rotate once").unwrap();
    let mut helpers: Vec<_> = (0..4)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--ignored", "--exact", "helper", "--nocapture"])
                .env(HELPER, &path)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outputs: Vec<Output> = helpers
        .iter_mut()
        .map(|h| BufReader::new(h.stdout.take().unwrap()).lines())
        .collect();
    for output in &mut outputs {
        assert_eq!(said(output), "ready");
    }
    // Every helper asks while the lock is held here, so that all of them
    // asked before any rotation.
    let lock = std::fs::File::open(own_file(dir.path(), "app.log.lock")).unwrap();
    lock.lock().unwrap();
    for helper in &mut helpers {
        writeln!(helper.stdin.as_mut().unwrap()).unwrap();
    }
    for output in &mut outputs {
        assert_eq!(said(output), "asking");
    }
    // From saying `asking` to reading the generation is a few instructions.
    std::thread::sleep(Duration::from_millis(500));
    common::unlock(&lock).unwrap();
    let rotated = outputs
        .iter_mut()
        .map(said)
        .filter(|said| said == "rotated true")
        .count();
    for mut helper in helpers {
        assert!(helper.wait().unwrap().success());
    }
    assert_eq!(rotated, 1);
    assert_eq!(log.rotations(), 1);
    assert_eq!(read(dir.path().join("app.log.1")), "to rotate once\n");
    assert!(!dir.path().join("app.log.2").exists());
}
