//! A process leaving while it writes, with real processes (this test
//! executable re-invoked as the writer): three threads keep a
//! `non_blocking` queue of 64 records full, gzip on, 16 KiB files and a
//! chain of 2,000 backups (so that each rotation leaves its shift for after
//! the lock), when `std::process::exit` is called, or `main` returns, with
//! the guard never dropped. The exit finishes what it started: no rotated
//! file left waiting for its shift (`.app.log.shifting`), no gap in the
//! chain, no temporary, no number both plain and gzipped (guarantee: an
//! unbroken chain), each thread's lines in order and whole (never torn),
//! and the exit within its bounds (`shutdown_timeout` and
//! `compression_wait`). And `std::process::exit` called while two threads
//! append 1 MiB records straight to the file: no record cut short by the
//! exit ending a thread inside its `write(2)` (guarantee: never torn). And
//! `std::process::exit` called while a thread waits for a lock another
//! process holds: the exit leaves within its bound, saying what it left.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concurrent_rotating_file::{Compression, RotatingFile};

/// Set in the writer process: `dir=<path> end=<exit|return>`.
const WRITER: &str = "CRF_EXIT_WRITER";
/// How many times each way of leaving is tried (a run takes a fraction of
/// a second); `CRF_EXIT_RUNS` sets another number.
const RUNS: usize = 20;
const MAX_BYTES: u64 = 16 * 1024;
const BACKUPS: usize = 2000;
/// Each bound the writer sets: the exit waits at most this long for its
/// queue, then for its shift and its compressions.
const BOUND: Duration = Duration::from_secs(3);
/// Rotations the writer makes before it leaves, so that it leaves in the
/// midst of them.
const ROTATIONS_BEFORE_LEAVING: u64 = 40;

/// The writer process's entry point: does nothing unless this executable
/// was started by a test below as the writer.
#[test]
fn writer_process() {
    let Some(spec) = test_support::ChildSpec::from_env(WRITER) else {
        return;
    };
    let arg = |key: &str| spec.get(key);
    let log = RotatingFile::builder(PathBuf::from(arg("dir")).join("app.log"))
        .max_bytes(MAX_BYTES)
        .backups(BACKUPS)
        .compression(Compression::Gzip)
        .compression_wait(BOUND)
        .open()
        .unwrap();
    let (writer, guard) = log
        .non_blocking_builder()
        .capacity(64)
        .shutdown_timeout(BOUND)
        .finish();
    for thread in 0..3 {
        let mut writer = writer.clone();
        std::thread::spawn(move || {
            for seq in 0.. {
                // Refused once the exit has begun: the thread stops.
                if writer.write_all(line(thread, seq).as_bytes()).is_err() {
                    return;
                }
            }
        });
    }
    while log.stats().own_rotations < ROTATIONS_BEFORE_LEAVING {
        std::thread::sleep(Duration::from_millis(1));
    }
    // The guard is never dropped: the exit handler is what writes.
    std::mem::forget(guard);
    println!("leaving");
    std::io::stdout().flush().unwrap();
    match arg("end").as_str() {
        "exit" => std::process::exit(0),
        // Returning from this test returns from the test harness's `main`,
        // the writing threads still running.
        "return" => {}
        other => panic!("unknown end {other}"),
    }
}

/// Set in the writer of large records: `dir=<path> end=exit`.
const LARGE_WRITER: &str = "CRF_EXIT_LARGE_WRITER";
/// Each large record's size: a `write(2)` of many pages, which `exit()`
/// would cut at a page boundary if it ended the thread inside it.
const LARGE: usize = 1024 * 1024;

/// The writer of large records: two threads append 1 MiB records straight
/// to the file (no background writer), and `main` calls `exit()` while
/// they do.
#[test]
fn large_writer_process() {
    let Some(spec) = test_support::ChildSpec::from_env(LARGE_WRITER) else {
        return;
    };
    let log = RotatingFile::builder(PathBuf::from(spec.get("dir")).join("app.log"))
        .max_bytes(16 * LARGE as u64)
        .backups(BACKUPS)
        .open()
        .unwrap();
    for thread in 0..2 {
        let log = log.clone();
        std::thread::spawn(move || {
            for seq in 0.. {
                // Refused once the exit has begun: the thread stops.
                if log
                    .write_record(large_record(thread, seq).as_bytes())
                    .is_err()
                {
                    return;
                }
            }
        });
    }
    while log.stats().own_rotations < 2 {
        std::thread::sleep(Duration::from_millis(1));
    }
    println!("leaving");
    std::io::stdout().flush().unwrap();
    std::process::exit(0);
}

/// Set in the writer whose thread waits for a lock another process holds:
/// `dir=<path> end=exit`.
const BLOCKED_WRITER: &str = "CRF_EXIT_BLOCKED_WRITER";
/// That writer's `compression_wait`, which bounds the exit's wait.
const BLOCKED_BOUND: Duration = Duration::from_millis(500);

/// The writer whose thread waits for the lock (which the test takes once
/// this has opened the log and said so) when `main` calls `exit()`.
#[test]
fn blocked_writer_process() {
    let Some(spec) = test_support::ChildSpec::from_env(BLOCKED_WRITER) else {
        return;
    };
    let log = RotatingFile::builder(PathBuf::from(spec.get("dir")).join("app.log"))
        .compression_wait(BLOCKED_BOUND)
        .open()
        .unwrap();
    println!("opened");
    std::io::stdout().flush().unwrap();
    // The test holds the lock once it has answered.
    std::io::stdin().read_line(&mut String::new()).unwrap();
    let writer = log.clone();
    std::thread::spawn(move || writer.write_record(b"never written\n"));
    // The thread is in the lock's wait by then, holding the log's mutex.
    std::thread::sleep(Duration::from_millis(200));
    println!("leaving");
    std::io::stdout().flush().unwrap();
    std::process::exit(0);
}

/// Record `seq` of large writer thread `thread`, newline included.
fn large_record(thread: usize, seq: u64) -> String {
    format!("thread {thread} line {seq:08} {}\n", "x".repeat(LARGE))
}

/// Line `seq` of writer thread `thread`, newline included.
fn line(thread: usize, seq: u64) -> String {
    format!("thread {thread} line {seq:08} {}\n", "x".repeat(90))
}

/// The writer `entry` (this executable's test of that name, told what to
/// do by `var`) in `dir`, leaving as `end` says, its stdout and stderr
/// piped.
fn writer(entry: &str, var: &str, dir: &Path, end: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", entry, "--nocapture", "--test-threads", "1"])
        .env(var, format!("dir={} end={end}", dir.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs the [`writer`] `entry`; returns how long its exit took, from the
/// moment it said it was leaving, and what it said on stderr.
fn run_writer(entry: &str, var: &str, dir: &Path, end: &str) -> (Duration, String) {
    let mut child = writer(entry, var, dir, end).spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let leaving = stdout
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.ends_with("leaving"))
        .map(|_| Instant::now());
    // Read to its end: the test harness reports after the writer returns.
    stdout.for_each(drop);
    let output = child.wait_with_output().unwrap();
    let took = leaving.map(|at| at.elapsed());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{}: {stderr}", output.status);
    let took = took.unwrap_or_else(|| panic!("the writer never said it was leaving: {stderr}"));
    (took, stderr)
}

/// What the exit left in `dir` that it should not have: a rotated file
/// waiting for its shift, temporaries, a gap, a number both plain and
/// gzipped, a thread's records (`record` of thread and number) torn or out
/// of order.
fn left_unfinished(dir: &Path, record: fn(usize, u64) -> String) -> Vec<String> {
    let mut problems = Vec::new();
    let own = dir.join(".concurrent-rotating-file");
    for name in test_support::names(dir) {
        if name.starts_with('.') && name != ".concurrent-rotating-file" {
            problems.push(format!("{name} left beside the log"));
        }
    }
    for name in test_support::names(&own) {
        if !["app.log.lock", "app.log.state"].contains(&name.as_str()) {
            problems.push(format!("{name} left in the library's directory"));
        }
    }
    let mut numbers: Vec<(usize, bool)> = test_support::names(dir)
        .iter()
        .filter_map(|name| {
            let rest = name.strip_prefix("app.log.")?;
            let (n, gz) = rest
                .strip_suffix(".gz")
                .map_or((rest, false), |n| (n, true));
            Some((n.parse().ok()?, gz))
        })
        .collect();
    numbers.sort_unstable();
    for pair in numbers.windows(2) {
        if pair[0].0 == pair[1].0 {
            problems.push(format!("backup {} both plain and gzipped", pair[0].0));
        }
    }
    numbers.dedup_by_key(|(n, _)| *n);
    if numbers.iter().enumerate().any(|(i, &(n, _))| n != i + 1) {
        let list: Vec<usize> = numbers.iter().map(|&(n, _)| n).collect();
        problems.push(format!("a gap in the chain: {list:?}"));
    }
    // Oldest first: each thread's lines in order, whole.
    let mut last = [None::<u64>; 3];
    let files = numbers
        .iter()
        .rev()
        .map(|&(n, gz)| {
            let name = format!("app.log.{n}{}", if gz { ".gz" } else { "" });
            dir.join(name)
        })
        .chain([dir.join("app.log")]);
    for file in files {
        for found in read(&file).split_inclusive('\n') {
            let mut words = found.split(' ');
            let parsed = match (words.next(), words.next(), words.next(), words.next()) {
                (Some("thread"), Some(t), Some("line"), Some(seq)) => {
                    t.parse::<usize>().ok().zip(seq.parse::<u64>().ok())
                }
                _ => None,
            };
            match parsed.filter(|&(t, seq)| t < 3 && found == record(t, seq)) {
                Some((t, seq)) if last[t].is_none_or(|before| seq == before + 1) => {
                    last[t] = Some(seq);
                }
                _ => problems.push(format!(
                    "{}: {:?} torn or out of order",
                    file.display(),
                    found.get(..60).unwrap_or(found)
                )),
            }
        }
    }
    problems
}

fn read(path: &Path) -> String {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        // The live file, if a rotation was cut short between its renames.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return String::new(),
        Err(e) => panic!("{}: {e}", path.display()),
    };
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(file), &mut text).unwrap();
    } else {
        std::io::Read::read_to_string(&mut { file }, &mut text).unwrap();
    }
    text
}

fn runs() -> usize {
    std::env::var("CRF_EXIT_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(RUNS)
}

/// Every run of the writer leaving as `end` says leaves nothing half done,
/// within the exit's bounds.
fn leaves_nothing_half_done(end: &str) {
    let (runs, mut exits, mut failed) = (runs(), Vec::new(), Vec::new());
    for run in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        // A writer hanging in its exit fails the test, bounded.
        let (at, ends) = (dir.path().to_path_buf(), end.to_string());
        let took = test_support::within(120, move || {
            run_writer("writer_process", WRITER, &at, &ends).0
        });
        let mut problems = left_unfinished(dir.path(), line);
        // The queue's bound, then the shift's and the compressions' (and
        // a process's tear-down, on a busy machine).
        if took > 3 * BOUND + Duration::from_secs(5) {
            problems.push(format!("the exit took {took:?}"));
        }
        // A plain backup may stay only where the compressions outlast
        // their bound.
        let plain = test_support::names(dir.path())
            .into_iter()
            .filter(|name| name.starts_with("app.log.") && !name.ends_with(".gz"))
            .count();
        if plain > 0 && took < BOUND {
            problems.push(format!(
                "{plain} backups left plain, the exit done in {took:?}"
            ));
        }
        if !problems.is_empty() {
            problems.truncate(5);
            failed.push(format!("run {run}: {problems:#?}"));
        }
        exits.push(took);
    }
    exits.sort();
    eprintln!(
        "{end}: {} of {runs} runs left something half done; exits took {:?} at the median, {:?} at most",
        failed.len(),
        exits[exits.len() / 2],
        exits[exits.len() - 1]
    );
    assert!(
        failed.is_empty(),
        "{} of {runs} runs: {failed:#?}",
        failed.len()
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "fails on Windows, not only under wine: std::process::exit there is ExitProcess, which ends the other threads and skips atexit, so the exit handler never runs (docs/platforms.md)"
)]
fn a_process_calling_exit_mid_rotation_leaves_no_shift_gap_or_temporary() {
    leaves_nothing_half_done("exit");
}

#[test]
fn a_process_returning_from_main_mid_rotation_leaves_no_shift_gap_or_temporary() {
    leaves_nothing_half_done("return");
}

/// Threads writing large records straight to the file when `main` calls
/// `exit()`: the exit waits for the `write(2)` under way and refuses the
/// next, so that no record is left cut short (guarantee: never torn).
#[test]
#[cfg_attr(
    windows,
    ignore = "std::process::exit there is ExitProcess, which ends the other threads and skips atexit (docs/platforms.md)"
)]
fn a_process_calling_exit_while_threads_write_leaves_no_record_torn() {
    let mut failed = Vec::new();
    for run in 0..runs() {
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().to_path_buf();
        test_support::within(120, move || {
            run_writer("large_writer_process", LARGE_WRITER, &at, "exit")
        });
        let mut problems = left_unfinished(dir.path(), large_record);
        if !problems.is_empty() {
            problems.truncate(5);
            failed.push(format!("run {run}: {problems:#?}"));
        }
    }
    assert!(failed.is_empty(), "{} runs: {failed:#?}", failed.len());
}

/// A thread waiting for the lock, which another process holds for ever,
/// when `main` calls `exit()`: the exit waits for it within its bound
/// (`compression_wait`), then leaves without its record and says so:
/// nothing hangs.
#[test]
#[cfg_attr(
    windows,
    ignore = "std::process::exit there is ExitProcess, which ends the other threads and skips atexit (docs/platforms.md)"
)]
fn a_process_exiting_while_a_thread_waits_for_a_held_lock_leaves_within_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // Open here too: the writer does not have the log to itself.
    let _present = RotatingFile::builder(&path).open().unwrap();
    let lock = dir.path().join(".concurrent-rotating-file/app.log.lock");
    let mut child = writer("blocked_writer_process", BLOCKED_WRITER, dir.path(), "exit")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (took, held, output) = test_support::within(120, move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        assert!(lines.by_ref().any(|line| line.ends_with("opened")));
        let held = test_support::HeldLock::of(&lock);
        stdin.write_all(b"go\n").unwrap();
        assert!(lines.by_ref().any(|line| line.ends_with("leaving")));
        let leaving = Instant::now();
        lines.for_each(drop);
        let output = child.wait_with_output().unwrap();
        (leaving.elapsed(), held, output)
    });
    drop(held);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", output.status);
    assert!(
        took >= BLOCKED_BOUND && took < BLOCKED_BOUND + Duration::from_secs(5),
        "the exit took {took:?}, its bound {BLOCKED_BOUND:?}"
    );
    assert!(
        stderr.contains("waited for its lock"),
        "the exit did not say what it left: {stderr}"
    );
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(!written.contains("never written"), "{written:?}");
}
