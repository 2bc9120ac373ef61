//! Runs a follower (`followers.rs`) while a fleet of writer processes
//! writes and rotates the log, optionally restarting the follower along
//! the way, and checks what it shipped (`crf_tools::shipped`).
//!
//! Every wait has a timeout and says what it waited for; the follower and
//! the writers are killed by their guards on every path, a failed test
//! included.

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crf_tools::shipped::{self, Shipped};

use super::Fleet;
use super::followers::Follower;

/// How long a follower may take to ship a probe line after it starts.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a follower may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the writers may take, at most.
const WRITERS_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a follower may keep shipping after the writers are done.
const CATCH_UP_TIMEOUT: Duration = Duration::from_secs(180);
/// Once every line is in, how long the output must stay still (a late
/// duplicate would show up here).
const SETTLED: Duration = Duration::from_secs(1);
/// Short of every line, how long the output must stay still before the
/// follower is taken to have shipped all it will.
const GAVE_UP: Duration = Duration::from_secs(6);

/// Whether the follower's program is here. Under `CI=true` a missing one
/// fails the test; elsewhere the test is skipped with the reason printed.
pub fn available(follower: &dyn Follower) -> bool {
    let Err(reason) = follower.installed() else {
        return true;
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{}: {reason} (CI installs it: see .ci/run)",
            follower.name()
        );
    }
    eprintln!("SKIPPED {}: {reason}", follower.name());
    false
}

/// A follower process, killed when dropped.
pub struct Running<'f> {
    follower: &'f dyn Follower,
    child: Option<Child>,
    probes: usize,
}

impl<'f> Running<'f> {
    /// Starts the follower and waits until it ships.
    pub fn start(follower: &'f dyn Follower) -> Running<'f> {
        let mut running = Running {
            follower,
            child: None,
            probes: 0,
        };
        running.spawn();
        running
    }

    fn spawn(&mut self) {
        let home = self.follower.home();
        let log = |path: PathBuf| {
            fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .unwrap()
        };
        let stdout = if self.follower.ships_to_stdout() {
            log(self.follower.output())
        } else {
            log(home.join("stdout.log"))
        };
        let child = self
            .follower
            .command()
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(log(home.join("stderr.log")))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.follower.name()));
        self.child = Some(child);
        self.wait_ready();
    }

    /// Writes a probe line and waits until it is shipped: the follower is
    /// up and watching.
    fn wait_ready(&mut self) {
        self.probes += 1;
        let mut probe = fs::OpenOptions::new()
            .append(true)
            .open(self.follower.probe())
            .unwrap();
        std::io::Write::write_all(&mut probe, format!("probe {}\n", self.probes).as_bytes())
            .unwrap();
        let start = Instant::now();
        while probes(&read(self.follower)) < self.probes {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "{} exited at start: {status}\n{}",
                    self.follower.name(),
                    self.diagnostics()
                );
            }
            assert!(
                start.elapsed() < READY_TIMEOUT,
                "{} shipped no probe line within {READY_TIMEOUT:?}\n{}",
                self.follower.name(),
                self.diagnostics()
            );
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops the follower with `signal` (SIGTERM, or SIGKILL), waiting for
    /// it to exit.
    pub fn stop(&mut self, signal: libc::c_int) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = libc::pid_t::try_from(child.id()).unwrap();
        // SAFETY: kill(2) on our own child, which has not been waited for
        // (so its pid is not reused). std can send SIGKILL only.
        if unsafe { libc::kill(pid, signal) } != 0 {
            panic!("kill: {}", std::io::Error::last_os_error());
        }
        let start = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if start.elapsed() > STOP_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "{} still running {STOP_TIMEOUT:?} after signal {signal}",
                    self.follower.name()
                );
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// Stops the follower with `signal`, leaves it down for `down`, starts
    /// it again and waits until it ships.
    pub fn restart(&mut self, signal: libc::c_int, down: Duration) {
        self.stop(signal);
        sleep(down);
        self.spawn();
    }

    /// Waits until every one of `expected` lines is shipped and the output
    /// is still, or until it stays still short of them (the rest is lost).
    pub fn wait_caught_up(&self, expected: u64) {
        let start = Instant::now();
        let (mut size, mut changed) = (0, Instant::now());
        loop {
            let data = read(self.follower);
            if data.len() != size {
                (size, changed) = (data.len(), Instant::now());
            }
            let lines = data.iter().filter(|&&b| b == b'\n').count() - probes(&data);
            let still = changed.elapsed();
            if (lines as u64 >= expected && still >= SETTLED) || still >= GAVE_UP {
                return;
            }
            assert!(
                start.elapsed() < CATCH_UP_TIMEOUT,
                "{} still shipping {CATCH_UP_TIMEOUT:?} after the writers finished ({lines} of {expected} lines)",
                self.follower.name()
            );
            sleep(Duration::from_millis(100));
        }
    }

    /// The follower's own messages, for a failure report.
    fn diagnostics(&self) -> String {
        let home = self.follower.home();
        ["stderr.log", "stdout.log"]
            .iter()
            .map(|name| {
                let text = fs::read_to_string(home.join(name)).unwrap_or_default();
                format!("--- {name}:\n{}", tail_of(&text, 4000))
            })
            .collect()
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The end of `text`, at most `max` bytes.
fn tail_of(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// Everything the follower shipped so far.
fn read(follower: &dyn Follower) -> Vec<u8> {
    fs::read(follower.output()).unwrap_or_default()
}

fn is_probe(line: &[u8]) -> bool {
    line.starts_with(b"probe ")
}

fn probes(data: &[u8]) -> usize {
    data.split_inclusive(|&b| b == b'\n')
        .filter(|l| is_probe(l))
        .count()
}

/// The writer processes, killed when dropped.
pub struct Writers(Vec<(u32, Child)>);

impl Writers {
    pub fn spawn(fleet: &Fleet) -> Writers {
        Writers(fleet.spawn())
    }

    /// Whether every writer has exited.
    fn done(&mut self) -> bool {
        self.0
            .iter_mut()
            .all(|(_, child)| child.try_wait().unwrap().is_some())
    }

    /// Waits for every writer, asserting each succeeded.
    pub fn wait(mut self) {
        let start = Instant::now();
        while !self.done() {
            assert!(
                start.elapsed() < WRITERS_TIMEOUT,
                "writers still running after {WRITERS_TIMEOUT:?}"
            );
            sleep(Duration::from_millis(20));
        }
        for (id, child) in &mut self.0 {
            let status = child.wait().unwrap();
            assert!(status.success(), "writer {id} failed: {status}");
        }
    }
}

impl Drop for Writers {
    fn drop(&mut self) {
        for (_, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A follower restart while the writers write: how it is stopped, and for
/// how long it stays down.
#[derive(Debug, Clone, Copy)]
pub struct Restart {
    pub signal: libc::c_int,
    pub down: Duration,
}

/// What one run shipped, with the figures of the workload.
#[derive(Debug)]
pub struct Outcome {
    pub follower: String,
    pub workload: String,
    pub seconds: f64,
    pub rotations: u64,
    pub shipped: Shipped,
}

impl Outcome {
    pub fn rotations_per_second(&self) -> f64 {
        self.rotations as f64 / self.seconds
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.shipped;
        write!(
            f,
            "| {} | {} | {} | {:.1} | {} | {} | {} | {} |",
            self.follower,
            self.workload,
            s.expected,
            self.rotations_per_second(),
            s.once,
            s.lost,
            s.duplicated,
            s.torn
        )
    }
}

/// The table head for `Outcome` rows.
pub const TABLE_HEAD: &str = "| follower | workload | lines | rotations/s | shipped once | lost | duplicated | torn |\n| --- | --- | --- | --- | --- | --- | --- | --- |";

/// Starts `follower`, runs `fleet` while it follows the log (restarting it
/// as `restarts` says, `between` apart), waits until it caught up, stops it
/// and checks what it shipped.
pub fn follow(
    follower: &dyn Follower,
    fleet: &Fleet,
    restarts: &[Restart],
    between: Duration,
) -> Outcome {
    // As deployed: the directory is there before the follower starts (tail
    // falls back to polling when it cannot watch the log's directory).
    fs::create_dir_all(fleet.log.parent().unwrap()).unwrap();
    let mut running = Running::start(follower);
    let start = Instant::now();
    let writers = Writers::spawn(fleet);
    for restart in restarts {
        sleep(between);
        running.restart(restart.signal, restart.down);
    }
    writers.wait();
    let seconds = start.elapsed().as_secs_f64();
    let expectation = fleet.expectation(vec![]);
    let expected: u64 = expectation.writers.values().sum();
    running.wait_caught_up(expected);
    running.stop(libc::SIGTERM);
    let data: Vec<u8> = read(follower)
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !is_probe(l))
        .flatten()
        .copied()
        .collect();
    let lines_per_file = fleet.max_bytes / fleet.line_size as u64;
    Outcome {
        follower: follower.name(),
        workload: workload(fleet, restarts),
        seconds,
        rotations: (expected - 1).checked_div(lines_per_file).unwrap_or(0),
        shipped: shipped::check(&data, &expectation.writers, fleet.line_size),
    }
}

/// The workload in words: writers, line size, rotation size, gzip, restarts.
fn workload(fleet: &Fleet, restarts: &[Restart]) -> String {
    let size = match fleet.max_bytes {
        b if b % (1024 * 1024) == 0 => format!("{} MiB", b / (1024 * 1024)),
        b => format!("{} KiB", b / 1024),
    };
    let mut text = format!(
        "{} writers, {}-byte lines, {size}",
        fleet.processes, fleet.line_size
    );
    if fleet.gzip {
        text.push_str(", gzip");
    }
    if fleet.restart_proof {
        text.push_str(", restart-proof");
    }
    if let Some(age) = fleet.compress_after {
        text.push_str(&format!(", compress_after {} s", age.as_secs()));
    }
    if let Some(first) = restarts.first() {
        let signal = match first.signal {
            libc::SIGKILL => "SIGKILL",
            libc::SIGTERM => "SIGTERM",
            _ => "a signal",
        };
        text.push_str(&format!(
            ", {} restarts ({signal}, {:.0} s down)",
            restarts.len(),
            first.down.as_secs_f64()
        ));
    }
    text
}
