//! `crf`, standard input to a rotating file, driven through real pipes.

// Unix only: crf's signals and pipes as a shell makes them.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Expectation, verify};
use crf_tools::record;

const CRF: &str = env!("CARGO_BIN_EXE_crf");

/// `crf`, to be started with SIGTERM and SIGINT at their default whatever
/// the test inherited (the stop tests below send them).
fn crf_command() -> Command {
    let mut command = Command::new(CRF);
    test_support::stop_signals_at_default(&mut command);
    command
}

fn crf(args: &[&str]) -> Child {
    crf_command()
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
fn sigterm_writes_what_was_read_and_the_rest_of_the_input_then_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf(&[log.to_str().unwrap()]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"complete\npartial").unwrap();
    stdin.flush().unwrap();
    // The complete line is written as soon as it is read.
    wait_for(&log, |text| text == "complete\n");
    signal(child.id(), libc::SIGTERM);
    // The program before it takes its time over its last words, then
    // ends. (Had crf stopped at the signal, the pipe would be broken.)
    std::thread::sleep(Duration::from_millis(200));
    let _ = stdin.write_all(b" line\nlast words\n");
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "complete\npartial line\nlast words\n"
    );
}

/// Waits (a minute at most: nothing may hang) until the log's text is as
/// `done` says.
fn wait_for(log: &Path, done: impl Fn(&str) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(&std::fs::read_to_string(log).unwrap_or_default()) {
        assert!(Instant::now() < deadline, "never came: {}", log.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill(2) of a child of ours, not yet waited for.
    let rc = unsafe { libc::kill(pid as libc::pid_t, signal) };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
}

/// A program that writes a numbered line every few milliseconds and, on
/// SIGTERM, six shutdown lines (taking its time over them), then exits 0:
/// a service's shutdown, in a shell.
const SERVICE: &str = r#"
trap 'for i in 1 2 3 4 5 6; do echo "shutdown line $i"; sleep 0.05; done; exit 0' TERM
i=0
while :; do echo "line $i"; i=$((i+1)); sleep 0.01; done
"#;

#[test]
fn sigterm_to_the_whole_pipeline_keeps_the_programs_shutdown_lines() {
    // systemd's default (KillMode=control-group) and `docker stop` of a
    // shell pipeline signal every process of it at once.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut program = Command::new("bash")
        .args(["-c", SERVICE])
        .stdout(Stdio::piped())
        // bash says "Terminated" of its `sleep` killed by the signal.
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("bash is needed");
    let group = program.id();
    let output = program.stdout.take().unwrap();
    let crf = crf_command()
        .arg(&log)
        .stdin(output)
        .stderr(Stdio::piped())
        .process_group(group as i32)
        .spawn()
        .unwrap();
    wait_for(&log, |text| text.lines().count() >= 20);
    // SAFETY: killpg(2) of the group this test made.
    assert_eq!(
        unsafe { libc::killpg(group as libc::pid_t, libc::SIGTERM) },
        0
    );
    let (program, crf) = test_support::within(60, move || {
        let mut program = program;
        (program.wait().unwrap(), crf.wait_with_output().unwrap())
    });
    // Neither died of the signal, nor of a broken pipe.
    assert!(program.success(), "the program: {program}");
    assert!(
        crf.status.success(),
        "crf: {}: {}",
        crf.status,
        String::from_utf8_lossy(&crf.stderr)
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let shutdown: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("shutdown"))
        .collect();
    assert_eq!(
        shutdown,
        (1..=6)
            .map(|i| format!("shutdown line {i}"))
            .collect::<Vec<_>>()
    );
    let numbered = lines.len() - shutdown.len();
    for (i, line) in lines[..numbered].iter().enumerate() {
        assert_eq!(*line, format!("line {i}"));
    }
}

#[test]
fn a_sigterm_crf_was_started_ignoring_stays_ignored() {
    // `trap '' TERM` (or nohup) before starting it: the one who started
    // it chose that it goes on until its input ends.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut command = crf_command();
    command
        .args([log.to_str().unwrap(), "--drain-timeout", "0s"])
        .stdin(Stdio::piped());
    // SAFETY: only signal(2), async-signal-safe, between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGTERM, libc::SIG_IGN);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "before").unwrap();
    wait_for(&log, |text| text == "before\n");
    signal(child.id(), libc::SIGTERM);
    // Were the signal taken, crf would stop at once (no drain time).
    std::thread::sleep(Duration::from_millis(200));
    writeln!(stdin, "after").unwrap();
    wait_for(&log, |text| text == "before\nafter\n");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn after_a_stop_signal_crf_reads_on_for_at_most_the_drain_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf_command()
        .args([log.to_str().unwrap(), "--drain-timeout", "1s"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The input is never closed: the program before it hangs.
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "the last line").unwrap();
    wait_for(&log, |text| text == "the last line\n");
    signal(child.id(), libc::SIGINT);
    let out = test_support::within(60, move || child.wait_with_output().unwrap());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert!(err.contains("--drain-timeout"), "{err}");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "the last line\n");
    drop(stdin);
}

#[test]
fn a_second_stop_signal_ends_the_drain_at_once() {
    // Ctrl-C typed twice: whoever typed it will not wait an hour.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf_command()
        .args([log.to_str().unwrap(), "--drain-timeout", "1h"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "read before").unwrap();
    wait_for(&log, |text| text == "read before\n");
    signal(child.id(), libc::SIGINT);
    // Still reading: the first signal only starts the drain.
    writeln!(stdin, "read while draining").unwrap();
    wait_for(&log, |text| text.ends_with("read while draining\n"));
    signal(child.id(), libc::SIGINT);
    let status = test_support::within(60, move || child.wait().unwrap());
    assert!(status.success(), "{status}");
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "read before\nread while draining\n"
    );
    drop(stdin);
}

#[test]
fn tee_to_a_closed_standard_output_says_so_once_and_goes_on_logging() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut child = crf_command()
        .args([log.to_str().unwrap(), "--tee"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Whoever read its standard output has gone (`crf --tee | head -1`).
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    for i in 0..2000 {
        writeln!(stdin, "line {i:04}").unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {err}", out.status);
    assert_eq!(
        err.matches("cannot copy to standard output").count(),
        1,
        "{err}"
    );
    assert!(err.contains(log.to_str().unwrap()), "{err}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text.lines().count(), 2000);
}

#[test]
fn a_log_that_cannot_be_opened_exits_with_status_2_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = crf_command()
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
