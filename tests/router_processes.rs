//! One file per name with several real processes (this test executable
//! re-invoked as the writers): four processes, each logging to three names
//! through a `Router` (two names through `tracing`, one through `log`),
//! two of them synchronously and two through the router's background
//! thread, with rotation and gzip on. Then every file is read back: each
//! line is in its own name's file exactly once, whole (a `log` record on two
//! lines included: never torn), in each writer's order along the chain (an
//! unbroken chain), and no file is over `max_bytes` (never past
//! max_bytes). A process that leaves through `std::process::exit` with
//! its background writer's guard still held has every queued event written
//! and every backup gzipped all the same (guarantee: written at exit,
//! guard or not).

// Some tests here need Unix (marked `#[cfg(unix)]`); their helpers
// are unused elsewhere.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concurrent_rotating_file::{Compression, RotatingFile, Router};

/// Set in the writer processes: `dir=<path> id=<n>
/// mode=<sync|queue|queue-exit|fork>`.
const WRITER: &str = "CRF_ROUTER_WRITER";
const EVENTS: u64 = 400;
const MAX_BYTES: u64 = 8 * 1024;
/// The names, and whether each is written through `log` (else `tracing`).
const NAMES: [(&str, bool); 3] = [("web", false), ("db", false), ("jobs", true)];

fn router(dir: &Path) -> Router {
    let dir = dir.to_path_buf();
    Router::new(move |name: &str| {
        RotatingFile::builder(dir.join(format!("{name}.log")))
            .max_bytes(MAX_BYTES)
            .backups(1000)
            .compression(Compression::Gzip)
    })
}

/// The writer processes' entry point: does nothing unless this executable
/// was started by the test below as a writer.
#[test]
fn writer_process() {
    let Some(spec) = test_support::ChildSpec::from_env(WRITER) else {
        return;
    };
    let arg = |key: &str| spec.get(key);
    let dir = PathBuf::from(arg("dir"));
    if arg("mode") == "fork" {
        #[cfg(unix)]
        return fork_after_queueing(&dir);
        #[cfg(not(unix))]
        panic!("mode=fork needs Unix: there is no fork() here");
    }
    let id: u32 = arg("id").parse().unwrap();
    let router = router(&dir);
    let fmt = tracing_subscriber::fmt().with_ansi(false);
    let guard = match arg("mode").as_str() {
        "sync" => {
            tracing::subscriber::set_global_default(fmt.with_writer(router.clone()).finish())
                .unwrap();
            log::set_boxed_logger(Box::new(router)).unwrap();
            None
        }
        "queue" | "queue-exit" => {
            let (writer, guard) = router.non_blocking();
            tracing::subscriber::set_global_default(fmt.with_writer(writer.clone()).finish())
                .unwrap();
            log::set_boxed_logger(Box::new(writer)).unwrap();
            Some(guard)
        }
        other => panic!("unknown mode {other}"),
    };
    log::set_max_level(log::LevelFilter::Info);
    for seq in 0..EVENTS {
        let pad = "x".repeat((seq % 61) as usize);
        tracing::info!(target: "web::views", "line={id}:web:{seq} {pad}");
        tracing::warn!(target: "db", "line={id}:db:{seq} {pad}");
        log::info!(target: "jobs::runner", "line={id}:jobs:{seq} {pad}\n  continued={id}:jobs:{seq}");
    }
    if arg("mode") == "queue-exit" {
        // Leaves without dropping the guard, as a program ending in
        // `std::process::exit` does: the exit writes what is queued.
        let _held = guard;
        std::process::exit(0);
    }
    // Writes what is still queued (queue mode).
    drop(guard);
}

/// A record of `target` through `logger`.
fn record(logger: &dyn log::Log, target: &str, message: &str) {
    logger.log(
        &log::Record::builder()
            .level(log::Level::Info)
            .target(target)
            .args(format_args!("{message}"))
            .build(),
    );
}

#[cfg(unix)]
/// Forks while a router's background writer runs: the child has no such
/// thread, so its events are written by itself, its flush returns and its
/// guard does not wait for the parent's thread (guarantee: fork-safe).
fn fork_after_queueing(dir: &Path) {
    let (writer, guard) = router(dir).non_blocking();
    record(&writer, "jobs", "parent before the fork");
    // The thread idle, holding no lock, when the process forks.
    writer.flush().unwrap();
    // SAFETY: fork(2) has no counterpart in std. The child only logs
    // through the library (whose locks are all free: the thread is idle,
    // nothing else runs) and leaves with _exit, running no destructor
    // that belongs to the parent.
    match unsafe { libc::fork() } {
        0 => {
            record(&writer, "jobs", "child");
            writer.flush().unwrap();
            drop(guard);
            // SAFETY: ends the child at once, as after any fork.
            unsafe { libc::_exit(0) };
        }
        -1 => panic!("fork failed: {}", std::io::Error::last_os_error()),
        child => {
            let mut status = 0;
            // SAFETY: waits for the child just forked; `status` is ours.
            let waited = unsafe { libc::waitpid(child, &mut status, 0) };
            assert_eq!(waited, child);
            assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
            record(&writer, "jobs", "parent after the fork");
            drop(guard);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_child_forked_from_a_routing_process_writes_its_own_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writer_process", "--test-threads=1"])
        .env(WRITER, format!("dir={} mode=fork", dir.path().display()))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // A child waiting for a thread it does not have would hang: fail instead.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = writer.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            writer.kill().unwrap();
            panic!("the forking writer hangs");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "the forking writer failed");
    let text = std::fs::read_to_string(dir.path().join("jobs.log")).unwrap();
    let messages: Vec<&str> = text
        .lines()
        .map(|l| l.rsplit(": ").next().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["parent before the fork", "child", "parent after the fork"]
    );
}

/// A name's files, oldest first: `<name>.log.N` (or `.N.gz`) down to
/// `.1`, then `<name>.log`; each with its text, decompressed.
fn chain(dir: &Path, name: &str) -> Vec<(String, String)> {
    let live = format!("{name}.log");
    let mut backups = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(suffix) = file.strip_prefix(&format!("{live}.")) else {
            continue;
        };
        let number: u32 = suffix
            .trim_end_matches(".gz")
            .parse()
            .unwrap_or_else(|_| panic!("unexpected file {file}"));
        let earlier = backups.insert(number, file.clone());
        assert!(earlier.is_none(), "{file} is both plain and gzipped");
    }
    let count = backups.len() as u32;
    assert_eq!(
        backups.keys().copied().collect::<Vec<_>>(),
        (1..=count).collect::<Vec<_>>(),
        "{name}: a gap in the chain"
    );
    let mut files: Vec<String> = backups.into_values().rev().collect();
    files.push(live);
    files
        .into_iter()
        .map(|file| {
            let mut text = String::new();
            let raw = std::fs::File::open(dir.join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e} (nothing written to it?)"));
            if file.ends_with(".gz") {
                flate2::read::GzDecoder::new(raw)
                    .read_to_string(&mut text)
                    .unwrap();
            } else {
                std::io::BufReader::new(raw)
                    .read_to_string(&mut text)
                    .unwrap();
            }
            (file, text)
        })
        .collect()
}

/// `key=<id>:<name>:<seq>` in `line`, if there.
fn tag<'a>(line: &'a str, key: &str) -> Option<(u32, &'a str, u64)> {
    let at = line.find(&format!("{key}="))? + key.len() + 1;
    let mut parts = line[at..].split(' ').next()?.splitn(3, ':');
    let id = parts.next()?.parse().ok()?;
    let name = parts.next()?;
    let seq = parts.next()?.parse().ok()?;
    Some((id, name, seq))
}

/// Runs one writer process per mode in `modes` (its index its id), all at
/// once, and waits for them to succeed.
fn run_writers(dir: &Path, modes: &[&str]) {
    let children: Vec<_> = modes
        .iter()
        .enumerate()
        .map(|(id, mode)| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "writer_process", "--test-threads=1"])
                .env(WRITER, format!("dir={} id={id} mode={mode}", dir.display()))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer process failed");
    }
}

#[test]
fn four_processes_log_to_three_names_each_line_once_in_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let modes = ["sync", "queue", "sync", "queue"];
    run_writers(dir.path(), &modes);
    let gzipped = every_line_once_in_its_own_file(dir.path(), modes.len());
    assert!(gzipped > 0, "no backup was gzipped");
}

#[test]
#[cfg_attr(
    windows,
    ignore = "fails on Windows, not only under wine: std::process::exit there is ExitProcess, which ends the other threads and skips atexit, so the exit handler never runs (docs/platforms.md)"
)]
fn processes_exiting_with_their_background_writers_guard_held_write_every_event() {
    let dir = tempfile::tempdir().unwrap();
    let modes = ["queue-exit", "queue-exit"];
    run_writers(dir.path(), &modes);
    every_line_once_in_its_own_file(dir.path(), modes.len());
    // The exit also waited for the compressions it had queued.
    for (name, _) in NAMES {
        let chain = chain(dir.path(), name);
        let (live, backups) = chain.split_last().unwrap();
        assert_eq!(live.0, format!("{name}.log"));
        for (file, _) in backups {
            assert!(file.ends_with(".gz"), "{file} left uncompressed at exit");
        }
    }
}

/// Reads each name's chain in `dir`, written by `processes` writer
/// processes, and checks it: rotated, every line of every writer once, in
/// its writer's order, in its own name's file, whole, no file over
/// `max_bytes`. Returns how many backups were gzipped.
fn every_line_once_in_its_own_file(dir: &Path, processes: usize) -> usize {
    let mut gzipped = 0;
    for (name, through_log) in NAMES {
        let chain = chain(dir, name);
        assert!(
            chain.len() > 2 * processes,
            "{name}: {} files, rotation expected",
            chain.len()
        );
        gzipped += chain
            .iter()
            .filter(|(file, _)| file.ends_with(".gz"))
            .count();
        // Each writer's next expected number: every line once, in order.
        let mut next = vec![0u64; processes];
        for (file, text) in &chain {
            assert!(
                text.len() as u64 <= MAX_BYTES,
                "{file}: {} bytes, over max_bytes",
                text.len()
            );
            let mut lines = text.lines().peekable();
            while let Some(line) = lines.next() {
                let (id, named, seq) =
                    tag(line, "line").unwrap_or_else(|| panic!("{file}: torn line {line:?}"));
                assert_eq!(named, name, "{file}: a line of another name: {line}");
                assert_eq!(
                    seq, next[id as usize],
                    "{file}: writer {id} out of order or doubled"
                );
                next[id as usize] += 1;
                if through_log {
                    let continued = lines.next().and_then(|l| tag(l, "continued"));
                    assert_eq!(continued, Some((id, name, seq)), "{file}: a record torn");
                }
            }
        }
        assert_eq!(next, vec![EVENTS; processes], "{name}: lines missing");
    }
    gzipped
}
