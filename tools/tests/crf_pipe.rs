//! `crf`, standard input to a rotating file, driven through real pipes.

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Expectation, verify};
use crf_tools::record;

const CRF: &str = env!("CARGO_BIN_EXE_crf");

fn crf(args: &[&str]) -> Child {
    Command::new(CRF)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn several_crf_processes_piping_into_one_file_keep_every_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let path = log.to_str().unwrap();
    let mut children: Vec<Child> = (0..4)
        .map(|_| crf(&[path, "--max-bytes", "16K", "--backups", "1000"]))
        .collect();
    // Each feeder writes its process's numbered lines in uneven chunks, as a
    // program's output arrives.
    let feeders: Vec<_> = children
        .iter_mut()
        .enumerate()
        .map(|(id, child)| {
            let mut stdin = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let (mut text, mut line) = (Vec::new(), Vec::new());
                for seq in 0..5000 {
                    record::line(&mut line, (id as u32, 0), seq, 100);
                    text.extend_from_slice(&line);
                }
                for chunk in text.chunks(4093) {
                    stdin.write_all(chunk).unwrap();
                }
            })
        })
        .collect();
    for feeder in feeders {
        feeder.join().unwrap();
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{:?}", out.status);
    }
    let report = verify::verify(&Expectation {
        log,
        max_bytes: 16 * 1024,
        backups: 1000,
        line_size: 100,
        writers: (0..4).map(|p| ((p, 0), 5000)).collect(),
        killed: vec![],
        all_gzipped: false,
        foreign: vec![],
        restart_proof: false,
        rotations: None,
    })
    .unwrap();
    assert!(report.ok(), "{report}");
    assert!(report.backups > 100, "{report}");
}

#[test]
fn a_final_partial_line_is_written_at_end_of_input_and_tee_copies() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf(&[log.to_str().unwrap(), "--tee"]);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"one\ntwo\nno newline")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    // The last line is ended in the log (so that another writer's next
    // record is not glued to it), copied as it came.
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "one\ntwo\nno newline\n"
    );
    assert_eq!(out.stdout, b"one\ntwo\nno newline");
}

#[test]
fn gzip_backups_are_made_by_the_pipe_too() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf(&[log.to_str().unwrap(), "--max-bytes", "1K", "--gzip"]);
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..200 {
        writeln!(stdin, "line {i:04} of the piped output").unwrap();
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    assert!(dir.path().join("app.log.1.gz").exists());
    assert!(!dir.path().join("app.log.1").exists());
}

#[test]
fn sigterm_writes_what_was_read_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf(&[log.to_str().unwrap()]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"complete\npartial").unwrap();
    stdin.flush().unwrap();
    // The complete line is written as soon as it is read.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&log).unwrap_or_default() != "complete\n" {
        assert!(Instant::now() < deadline, "the line never arrived");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: kill(2) of our own child, which has not been waited for.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "complete\npartial\n"
    );
    drop(stdin);
}

#[test]
fn a_log_that_cannot_be_opened_exits_with_status_2_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(CRF)
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // One line, naming the path and what was wrong.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("crf: "), "{err}");
    assert!(
        err.contains(&format!("`{}`", dir.path().display())),
        "{err}"
    );
    assert!(err.contains("is a directory"), "{err}");
}
