//! A router short of file descriptors keeps routing: a process limited to
//! 256 descriptors (`ulimit -n 256`: this test executable re-invoked under
//! the limit) routes one event to each of 2,000 names (`CRF_ROUTER_NAMES`
//! sets another number: 10,000 for the figure in the docs, some minutes,
//! since each opening of a new log lists its directory), then one more to
//! each, through a router allowed far more open files than the limit holds,
//! each name's second event rotating its file. When opening a name's file runs out of
//! descriptors (EMFILE), the router closes its least recently used idle
//! files and tries again: no event is lost, none goes to the fallback, and
//! every name's file holds its two events, whole and in order.

use std::path::{Path, PathBuf};
use std::process::Command;

use concurrent_rotating_file::{RotatingFile, Router};

/// Set in the routing process: the directory to log in.
const ROUTER: &str = "CRF_DESCRIPTORS_ROUTER";
const NAMES: usize = 2_000;
/// The descriptors the routing process may hold.
const LIMIT: u32 = 256;

/// The routing process's entry point: does nothing unless this executable
/// was started by the test below, under the limit.
#[test]
fn router_process() {
    let Ok(dir) = std::env::var(ROUTER) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let logs = dir.clone();
    // Room for 1,000 files: four times what the limit holds.
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log")))
            .max_bytes(64)
            .backups(2)
    })
    .max_open(1000)
    .log_format(|w, record| write!(w, "{}", record.args()));
    // Through the `log` facade: each event's target is its name.
    log::set_boxed_logger(Box::new(router.clone())).unwrap();
    log::set_max_level(log::LevelFilter::Info);
    for round in 0..2 {
        for n in 0..names() {
            log::info!(target: &name(n), "{}", event(n, round));
        }
    }
    let stats = router.stats();
    println!(
        "lost {} to_fallback {} open_failures {} opened {} closed {} open_files {}",
        stats.lost,
        stats.to_fallback,
        stats.open_failures,
        stats.opened,
        stats.closed,
        stats.open_files
    );
}

fn names() -> usize {
    std::env::var("CRF_ROUTER_NAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(NAMES)
}

fn name(n: usize) -> String {
    format!("n{n:05}")
}

fn event(n: usize, round: usize) -> String {
    format!(
        "event {round} of {}, long enough that the second one rotates",
        name(n)
    )
}

/// The text of `name`'s files, oldest first.
fn text_of(dir: &Path, name: &str) -> String {
    let read = |file: String| std::fs::read_to_string(dir.join(file)).unwrap_or_default();
    read(format!("{name}.log.1")) + &read(format!("{name}.log"))
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: a descriptor limit set with `ulimit -n` in sh; Windows has no per-process handle limit to run out of"
)]
fn a_router_out_of_descriptors_closes_idle_files_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n {LIMIT} && exec \"$0\" --exact router_process --nocapture --test-threads 1"
        ))
        .arg(&exe)
        .env(ROUTER, dir.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "{}: {stdout}\n{stderr}",
        output.status
    );
    let counts = stdout
        .lines()
        .find_map(|line| line.split_once("lost ").map(|(_, rest)| rest.to_owned()))
        .unwrap_or_else(|| panic!("the router said nothing: {stdout}\n{stderr}"));
    let count = |key: &str| -> u64 {
        let at = counts
            .find(&format!("{key} "))
            .unwrap_or_else(|| panic!("{key}"));
        counts[at + key.len() + 1..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let lost = counts.split(' ').next().unwrap().parse::<u64>().unwrap();
    assert_eq!(
        (lost, count("to_fallback"), count("open_failures")),
        (0, 0, 0),
        "{counts}\n{stderr}"
    );
    assert!(count("closed") > 0, "the limit was never reached: {counts}");
    let mut wrong = Vec::new();
    for n in 0..names() {
        let expected = format!("{}\n{}\n", event(n, 0), event(n, 1));
        if text_of(dir.path(), &name(n)) != expected {
            wrong.push(name(n));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} names' files are wrong: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(10)]
    );
}
