//! Runs a follower (`followers.rs`) while a fleet of writer processes
//! writes and rotates the log, optionally restarting the follower or
//! SIGKILLing writers along the way, and checks what it shipped
//! (`crf_tools::shipped`).
//!
//! Every wait has a timeout and says what it waited for; the follower and
//! the writers are killed by their guards on every path, a failed test
//! included.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::{JoinHandle, sleep};
use std::time::{Duration, Instant, SystemTime};

use crf_tools::record::{self, WriterId};
use crf_tools::shipped::{self, Shipped};
use crf_tools::verify::{self, OWN_DIR, Report};

use super::Fleet;
use super::followers::{Follower, SavedPlace};

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

/// Fails the test, saying what is missing and how to get it, unless the
/// follower's program is here. A test that needs a program a fresh
/// machine lacks carries `#[cfg_attr(not(...), ignore = "...")]` (see the
/// tools' `build.rs`): run, it must find it.
pub fn require(follower: &dyn Follower) {
    if let Err(reason) = follower.installed() {
        panic!("{} is needed: {reason}", follower.name());
    }
}

/// A follower process, killed when dropped.
pub struct Running<'f> {
    follower: &'f dyn Follower,
    child: Option<Child>,
    probes: usize,
    /// What it had shipped and where its state said it was, at each stop
    /// of a restart.
    stops: Vec<Stopped>,
    /// The longest a start took, from its command to its first probe line
    /// shipped.
    longest_start: Duration,
    /// When each start began and when it was shipping.
    starts: Vec<(SystemTime, SystemTime)>,
}

/// A follower stopped for a restart: the lines it had shipped, and where
/// its state says it is in each file of the log (which it resumes from).
#[derive(Debug)]
pub struct Stopped {
    pub shipped: HashSet<(WriterId, u64)>,
    /// `None` for a follower whose state the tests cannot read.
    pub places: Option<Vec<SavedPlace>>,
    /// The files of the log then, by inode: their names.
    pub files: BTreeMap<u64, String>,
}

impl<'f> Running<'f> {
    /// Starts the follower and waits until it ships.
    pub fn start(follower: &'f dyn Follower) -> Running<'f> {
        let mut running = Running {
            follower,
            child: None,
            probes: 0,
            stops: Vec::new(),
            longest_start: Duration::ZERO,
            starts: Vec::new(),
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
        let (started, since) = (Instant::now(), SystemTime::now());
        self.wait_ready();
        self.longest_start = self.longest_start.max(started.elapsed());
        self.starts.push((since, SystemTime::now()));
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
    /// it again and waits until it ships. What it had shipped and its
    /// state are noted when it is stopped (see [`Stopped`]).
    pub fn restart(&mut self, signal: libc::c_int, down: Duration, log: &Path) {
        self.stop(signal);
        self.stops.push(Stopped {
            shipped: shipped_lines(&read(self.follower)),
            places: self.follower.saved_places(),
            files: files_by_inode(log),
        });
        sleep(down);
        self.spawn();
    }

    /// Waits until every one of `expected` lines is shipped and the output
    /// is still, or until it stays still short of them (the rest is lost).
    /// Returns how long after the call the last line arrived: how far the
    /// follower was behind the writers.
    pub fn wait_caught_up(&self, expected: u64) -> Duration {
        let start = Instant::now();
        let (mut size, mut changed) = (read(self.follower).len(), Instant::now());
        let mut behind = Duration::ZERO;
        loop {
            let data = read(self.follower);
            if data.len() != size {
                (size, changed) = (data.len(), Instant::now());
                behind = start.elapsed();
            }
            let still = changed.elapsed();
            // Distinct lines: a follower that ships some twice (after a
            // restart) has as many lines as were written before it has
            // them all.
            if (still >= SETTLED && distinct_lines(&data) >= expected) || still >= GAVE_UP {
                return behind;
            }
            assert!(
                start.elapsed() < CATCH_UP_TIMEOUT,
                "{} still shipping {CATCH_UP_TIMEOUT:?} after the writers finished ({} of {expected} lines)",
                self.follower.name(),
                distinct_lines(&data)
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

/// How many different lines, probes aside, `data` holds.
fn distinct_lines(data: &[u8]) -> u64 {
    let lines: std::collections::HashSet<&[u8]> = data
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !is_probe(l))
        .collect();
    lines.len() as u64
}

fn probes(data: &[u8]) -> usize {
    data.split_inclusive(|&b| b == b'\n')
        .filter(|l| is_probe(l))
        .count()
}

/// The follower's own messages so far (its standard error).
pub fn messages(follower: &dyn Follower) -> String {
    fs::read_to_string(follower.home().join("stderr.log")).unwrap_or_default()
}

/// One writer process, with the lines each of its threads acknowledged
/// (reported written: its `write_all` returned) as it reports them.
struct Writer {
    id: u32,
    child: Child,
    acknowledged: Arc<Vec<AtomicU64>>,
    listener: Option<JoinHandle<()>>,
    killed: bool,
}

/// The writer processes, killed when dropped.
pub struct Writers(Vec<Writer>);

impl Writers {
    pub fn spawn(fleet: &Fleet) -> Writers {
        let writers = (fleet.first_id..fleet.first_id + fleet.processes)
            .map(|id| {
                let mut child = fleet
                    .command(id)
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("cannot start a crf-stress writer");
                let acknowledged: Arc<Vec<AtomicU64>> =
                    Arc::new((0..fleet.threads).map(|_| AtomicU64::new(0)).collect());
                let stdout = child.stdout.take().unwrap();
                let heard = Arc::clone(&acknowledged);
                // `progress <thread> <lines>`, at least every 256 lines and
                // every MiB (see the writer's messages).
                let listener = std::thread::spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        let Ok(line) = line else { break };
                        let mut words = line.split(' ');
                        if words.next() != Some("progress") {
                            continue;
                        }
                        let thread = words.next().and_then(|w| w.parse::<usize>().ok());
                        let lines = words.next().and_then(|w| w.parse::<u64>().ok());
                        if let (Some(thread), Some(lines)) = (thread, lines) {
                            heard[thread].fetch_max(lines, Ordering::SeqCst);
                        }
                    }
                });
                Writer {
                    id,
                    child,
                    acknowledged,
                    listener: Some(listener),
                    killed: false,
                }
            })
            .collect();
        Writers(writers)
    }

    /// Whether every writer has exited.
    fn done(&mut self) -> bool {
        self.0
            .iter_mut()
            .all(|w| w.child.try_wait().unwrap().is_some())
    }

    /// SIGKILLs the writers as `kills` says, each group at once, once the
    /// first of the group has reported a random share of its `lines`
    /// written (group g of n, from 0: between g/(n+1) and (g+1)/(n+1) of
    /// them) and then a writer of the group is inside a `write(2)` of a
    /// record, as the shared state says (see [`writing`]), or 5 s after
    /// that share if none is seen there. A kill cuts a record only while
    /// the kernel has more of it to copy: with large folios (ext4 on
    /// recent kernels), a record is copied in pieces of up to 2 MiB, and by
    /// the time the live file's size shows a record in part, its last
    /// piece may be under way already; the write mark comes before the
    /// first. The lines should be of an odd size, so that no record is
    /// copied in one piece.
    fn kill_inside_writes(&mut self, kills: Kills, log: &Path, lines: u64) {
        let mut rng = Rng::seeded();
        let group = (kills.writers / kills.rounds) as usize;
        let share = lines / u64::from(kills.rounds + 1);
        for (round, victims) in self.0[..kills.writers as usize]
            .chunks_mut(group)
            .enumerate()
        {
            let target = share * round as u64 + share / 4 + rng.below(share / 2);
            let start = Instant::now();
            while victims[0].acknowledged[0].load(Ordering::SeqCst) < target {
                assert!(
                    start.elapsed() < WRITERS_TIMEOUT,
                    "writers still running after {WRITERS_TIMEOUT:?}"
                );
                sleep(Duration::from_micros(100));
            }
            let pids: Vec<u32> = victims.iter().map(|w| w.child.id()).collect();
            let state = state_file(log);
            let due = Instant::now();
            while due.elapsed() < Duration::from_secs(5) {
                if writing(&state).is_some_and(|pid| pids.contains(&pid)) {
                    break;
                }
                std::hint::spin_loop();
            }
            for writer in victims {
                // A no-op for a child already exited (not yet reaped).
                writer.child.kill().unwrap();
                writer.killed = true;
            }
        }
    }

    /// Waits for every writer, asserting each succeeded but those killed;
    /// returns the writers killed (their threads) with the lines each had
    /// acknowledged.
    pub fn wait(mut self) -> BTreeMap<WriterId, u64> {
        let start = Instant::now();
        while !self.done() {
            assert!(
                start.elapsed() < WRITERS_TIMEOUT,
                "writers still running after {WRITERS_TIMEOUT:?}"
            );
            sleep(Duration::from_millis(20));
        }
        let mut killed = BTreeMap::new();
        for writer in &mut self.0 {
            let status = writer.child.wait().unwrap();
            if let Some(listener) = writer.listener.take() {
                listener.join().unwrap();
            }
            if writer.killed && status.signal() == Some(libc::SIGKILL) {
                for (thread, lines) in writer.acknowledged.iter().enumerate() {
                    let lines = lines.load(Ordering::SeqCst);
                    killed.insert((writer.id, thread as u32), lines);
                }
            } else {
                assert!(status.success(), "writer {} failed: {status}", writer.id);
            }
        }
        killed
    }
}

impl Drop for Writers {
    fn drop(&mut self) {
        for writer in &mut self.0 {
            let _ = writer.child.kill();
            let _ = writer.child.wait();
        }
    }
}

/// Writers SIGKILLed while the follower runs: the first `writers` of the
/// fleet, in `rounds` groups of as many, each group at once at a random
/// point of the run when a write is under way (see
/// `Writers::kill_inside_writes`).
#[derive(Debug, Clone, Copy)]
pub struct Kills {
    pub writers: u32,
    pub rounds: u32,
}

/// A small xorshift generator: the kills need spread, not quality.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
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
    pub workload: Workload,
    pub seconds: f64,
    pub rotations: u64,
    pub shipped: Shipped,
    /// With restarts: the lines shipped again that the follower's state
    /// at its stops explains (it named a place before them in their file:
    /// see [`explained_duplicates`]); `None` when its state cannot be read.
    pub explained: Option<u64>,
    /// Of the lines lost, those in files created while the follower was
    /// starting (see [`lost_while_starting`]).
    pub lost_while_starting: u64,
    /// Files none of whose lines were shipped.
    pub skipped_files: u64,
    /// Lines lost from files of which other lines were shipped.
    pub lost_in_part: u64,
    /// How long after the writers were done the follower shipped its last
    /// line.
    pub behind: Duration,
    /// The longest the follower took to start (and, restarted, to resume),
    /// from its command to shipping.
    pub longest_start: Duration,
    /// With kills: the writers killed, with the lines each acknowledged.
    pub killed: BTreeMap<WriterId, u64>,
    /// With kills: what the files hold, read back after the run (the
    /// next writer's repair done).
    pub on_disk: Option<Report>,
}

/// The workload of a run, as the table rows say it.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Who writes: the library, or Python's handler.
    pub writers: String,
    /// Renamed or restart-proof files, their size.
    pub files: String,
    pub gzip: String,
    pub restarts: String,
}

impl Outcome {
    pub fn rotations_per_second(&self) -> f64 {
        self.rotations as f64 / self.seconds
    }
}

impl std::fmt::Display for Outcome {
    /// One row under [`TABLE_HEAD`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.shipped;
        let w = &self.workload;
        let lost = match (self.lost_while_starting, self.lost_in_part) {
            _ if s.lost == 0 => "0".to_owned(),
            (n, _) if n == s.lost => format!("{} (created while it started)", count(s.lost)),
            (n, _) if n > 0 => format!("{} ({} created while it started)", count(s.lost), count(n)),
            (_, 0) if self.skipped_files == 1 => format!("{} (a whole file)", count(s.lost)),
            (_, 0) => format!(
                "{} ({} whole files)",
                count(s.lost),
                count(self.skipped_files)
            ),
            _ => count(s.lost),
        };
        let duplicated = match self.explained {
            Some(explained) if s.duplicated > 0 => {
                format!(
                    "{} ({} by its state)",
                    count(s.duplicated),
                    count(explained)
                )
            }
            _ => count(s.duplicated),
        };
        write!(
            f,
            "| {} | {} | {} | {} | {} | {:.1} | {} | {} | {} | {} | {:.1} | {:.1} |",
            self.follower,
            w.writers,
            w.files,
            w.gzip,
            w.restarts,
            self.rotations_per_second(),
            count(s.expected),
            lost,
            duplicated,
            count(s.out_of_order),
            self.longest_start.as_secs_f64(),
            self.behind.as_secs_f64(),
        )
    }
}

/// `n` with a comma between thousands, as the guide writes numbers.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The table head for `Outcome` rows.
pub const TABLE_HEAD: &str = "| follower | writers | files | gzip | restarts | rotations/s | lines | lost | duplicated | out of order | start (s) | behind (s) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |";

/// Starts `follower`, runs `fleet` while it follows the log (restarting it
/// as `restarts` says, `between` apart), waits until it caught up, stops it
/// and checks what it shipped.
pub fn follow(
    follower: &dyn Follower,
    fleet: &Fleet,
    restarts: &[Restart],
    between: Duration,
) -> Outcome {
    run(follower, fleet, restarts, between, None)
}

/// Starts `follower`, runs `fleet` while it follows the log and SIGKILLs
/// writers as `kills` says; once the others are done, opens the log as the
/// next writer would (which ends a record a kill cut short, if no writer
/// did yet) and reads the files back; waits until the follower shipped as
/// many lines as they hold, stops it and checks what it shipped.
pub fn follow_with_kills(follower: &dyn Follower, fleet: &Fleet, kills: Kills) -> Outcome {
    run(follower, fleet, &[], Duration::ZERO, Some(kills))
}

fn run(
    follower: &dyn Follower,
    fleet: &Fleet,
    restarts: &[Restart],
    between: Duration,
    kills: Option<Kills>,
) -> Outcome {
    require(follower);
    // As deployed: the directory is there before the follower starts (tail
    // falls back to polling when it cannot watch the log's directory).
    fs::create_dir_all(fleet.log.parent().unwrap()).unwrap();
    let mut running = Running::start(follower);
    let start = Instant::now();
    let mut writers = Writers::spawn(fleet);
    for restart in restarts {
        sleep(between);
        running.restart(restart.signal, restart.down, &fleet.log);
    }
    if let Some(kills) = kills {
        writers.kill_inside_writes(kills, &fleet.log, fleet.lines);
    }
    let killed = writers.wait();
    let seconds = start.elapsed().as_secs_f64();
    let killed_processes: Vec<u32> = killed.keys().map(|&(process, _)| process).collect();
    let expectation = fleet.expectation(killed_processes);
    let on_disk = kills.map(|_| {
        fleet.rotations();
        verify::verify(&expectation).unwrap()
    });
    let expected = match &on_disk {
        Some(report) => report.found + report.torn_by_kill,
        None => expectation.writers.values().sum(),
    };
    let behind = running.wait_caught_up(expected);
    running.stop(libc::SIGTERM);
    let data: Vec<u8> = read(follower)
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !is_probe(l))
        .flatten()
        .copied()
        .collect();
    let lines_per_file = fleet.max_bytes / fleet.line_size as u64;
    // With no restart, there is no state to explain anything by.
    let explained = match running.stops.is_empty() {
        true => None,
        false => explained_duplicates(&running.stops, &fleet.log),
    };
    let shipped_ids = shipped_lines(&data);
    let (skipped_files, lost_in_part) = lost_by_file(&shipped_ids, &fleet.log);
    let lost_while_starting = match follower.lists_before_watching() {
        true => lost_while_starting(&shipped_ids, &fleet.log, &running.starts),
        false => 0,
    };
    Outcome {
        follower: follower.name(),
        workload: workload(fleet, restarts, kills),
        seconds,
        rotations: (expected - 1).checked_div(lines_per_file).unwrap_or(0),
        shipped: shipped::check_with_kills(&data, &expectation.writers, &killed, fleet.line_size),
        explained,
        lost_while_starting,
        skipped_files,
        lost_in_part,
        behind,
        longest_start: running.longest_start,
        killed,
        on_disk,
    }
}

/// The lines of the writers in `data`.
fn shipped_lines(data: &[u8]) -> HashSet<(WriterId, u64)> {
    data.split_inclusive(|&b| b == b'\n')
        .filter_map(record::parse_header)
        .collect()
}

/// The plain files of the log `log` (its directory's files named after
/// it), by inode, each under its first name in name order: a
/// restart-proof log's `app.log` is a second name of its live file.
fn files_by_inode(log: &Path) -> BTreeMap<u64, String> {
    let mut files = BTreeMap::new();
    for (name, path) in log_files(log) {
        if name.ends_with(".gz") {
            continue;
        }
        if let Ok(meta) = fs::metadata(path) {
            files.entry(meta.ino()).or_insert(name);
        }
    }
    files
}

/// The files of the log `log`, in name order: their names and paths.
fn log_files(log: &Path) -> Vec<(String, PathBuf)> {
    let stem = log.file_stem().unwrap().to_string_lossy().into_owned();
    let mut files: Vec<(String, PathBuf)> = fs::read_dir(log.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .filter(|(name, _)| name.starts_with(&stem))
        .collect();
    files.sort();
    files
}

/// Where each line of the writers is in the files of the log `log`: the
/// file's name (a gzipped one's without `.gz`) and the line's offset in it,
/// gzipped files read through gzip.
fn lines_by_file(log: &Path) -> HashMap<(WriterId, u64), (String, u64)> {
    let mut where_is: HashMap<(WriterId, u64), (String, u64)> = HashMap::new();
    let mut read_already = HashSet::new();
    for (name, path) in log_files(log) {
        // A second name of a file read already: the live file's `app.log`.
        if !read_already.insert(fs::metadata(&path).unwrap().ino()) {
            continue;
        }
        let data = match name.strip_suffix(".gz") {
            Some(_) => {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(fs::File::open(&path).unwrap())
                    .read_to_end(&mut plain)
                    .unwrap();
                plain
            }
            None => fs::read(&path).unwrap(),
        };
        let plain_name = name.trim_end_matches(".gz").to_owned();
        let mut offset = 0;
        for line in data.split_inclusive(|&b| b == b'\n') {
            if let Some(id) = record::parse_header(line) {
                where_is.insert(id, (plain_name.clone(), offset));
            }
            offset += line.len() as u64;
        }
    }
    where_is
}

/// How the lines never shipped lie in the files of the log `log`: the
/// files none of whose lines were shipped, and the lines lost from files
/// partly shipped. A follower of one name skips whole files (those that
/// lived less than it took to notice the next); a partial loss is
/// something else.
fn lost_by_file(shipped: &HashSet<(WriterId, u64)>, log: &Path) -> (u64, u64) {
    let mut files: HashMap<String, (u64, u64)> = HashMap::new();
    for (id, (name, _)) in lines_by_file(log) {
        let (lines, lost) = files.entry(name).or_default();
        *lines += 1;
        *lost += u64::from(!shipped.contains(&id));
    }
    files
        .values()
        .fold((0, 0), |(skipped, in_part), &(lines, lost)| match lost {
            0 => (skipped, in_part),
            lost if lost == lines => (skipped + 1, in_part),
            lost => (skipped, in_part + lost),
        })
}

/// How many of the lines never shipped are in files created while the
/// follower was starting (from its command to its first line shipped,
/// `starts`): what a follower that lists the directory before it watches
/// it misses until its next start.
fn lost_while_starting(
    shipped: &HashSet<(WriterId, u64)>,
    log: &Path,
    starts: &[(SystemTime, SystemTime)],
) -> u64 {
    let mut born: HashMap<String, Option<SystemTime>> = HashMap::new();
    let dir = log.parent().unwrap();
    lines_by_file(log)
        .into_iter()
        .filter(|(id, _)| !shipped.contains(id))
        .filter(|(_, (name, _))| {
            let birth = *born.entry(name.clone()).or_insert_with(|| {
                fs::metadata(dir.join(name))
                    .or_else(|_| fs::metadata(dir.join(format!("{name}.gz"))))
                    .and_then(|meta| meta.created())
                    .ok()
            });
            birth.is_some_and(|birth| {
                starts
                    .iter()
                    .any(|&(from, to)| from <= birth && birth <= to)
            })
        })
        .count() as u64
}

/// How many lines a follower restarted at `stops` was bound to ship again,
/// by its own state: at each stop, the lines it had shipped that lie at or
/// after the place its state names in their file (the start of a file its
/// state has no place for). A follower resumes from its state, so these,
/// and only these, come again. `None` if the state of a stop could not be
/// read. The files are read once the run is over (gzipped ones through
/// gzip), each line placed by its offset in its file.
pub fn explained_duplicates(stops: &[Stopped], log: &Path) -> Option<u64> {
    let where_is = lines_by_file(log);
    let mut explained = 0;
    for stop in stops {
        let places = stop.places.as_ref()?;
        let resume: HashMap<&str, u64> = stop
            .files
            .iter()
            .map(|(inode, name)| {
                let offset = places
                    .iter()
                    .find(|p| p.inode == *inode)
                    .map_or(0, |p| p.offset);
                (name.as_str(), offset)
            })
            .collect();
        for id in &stop.shipped {
            let Some((name, offset)) = where_is.get(id) else {
                continue;
            };
            if resume
                .get(name.as_str())
                .is_some_and(|&from| *offset >= from)
            {
                explained += 1;
            }
        }
    }
    Some(explained)
}

/// The shared state file of the log `log` (the library's, as a writer
/// outside it would find it), opened for reading.
fn state_file(log: &Path) -> fs::File {
    let name = log.file_name().unwrap().to_str().unwrap();
    let path = log.with_file_name(OWN_DIR).join(format!("{name}.state"));
    fs::File::open(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()))
}

/// The state file's words that say a record is being written: the write
/// in flight (1 + where it starts; 0 when none is) and who is inside (the
/// holder's pid in its low 32 bits). Fixed by the state file's format.
const WRITE_START_OFFSET: u64 = 5 * 8;
const HOLDER_OFFSET: u64 = 12 * 8;

/// The pid of the process inside a `write(2)` of a record, if one is, as
/// the shared state says.
fn writing(state: &fs::File) -> Option<u32> {
    let word = |offset| {
        let mut bytes = [0; 8];
        state.read_exact_at(&mut bytes, offset).ok()?;
        Some(u64::from_ne_bytes(bytes))
    };
    let in_flight = word(WRITE_START_OFFSET)? != 0;
    let holder = word(HOLDER_OFFSET)? as u32;
    (in_flight && holder != 0).then_some(holder)
}

/// The workload in words: writers, files, gzip, restarts.
fn workload(fleet: &Fleet, restarts: &[Restart], kills: Option<Kills>) -> Workload {
    let size = |bytes: u64| match bytes {
        b if b % (1024 * 1024) == 0 => format!("{} MiB", b / (1024 * 1024)),
        b if b % 1024 == 0 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    };
    let writers = match fleet.python {
        true => format!("{} × Python's handler", fleet.processes),
        false => format!("{} × this library", fleet.processes),
    };
    let files = match fleet.restart_proof {
        true => format!("restart-proof, {}", size(fleet.max_bytes)),
        false => format!("renamed, {}", size(fleet.max_bytes)),
    };
    let gzip = match (fleet.gzip, fleet.compress_after) {
        (false, _) => "no".to_owned(),
        (true, None) if fleet.restart_proof => "after 5 min (default)".to_owned(),
        (true, None) => "at once (default)".to_owned(),
        (true, Some(age)) if age.is_zero() => "at once".to_owned(),
        (true, Some(age)) => format!("after {} s", age.as_secs()),
    };
    let mut restarts_text = match restarts.first() {
        None => "none".to_owned(),
        Some(first) => {
            let signal = match first.signal {
                libc::SIGKILL => "SIGKILL",
                libc::SIGTERM => "SIGTERM",
                _ => "a signal",
            };
            format!(
                "{} × {signal}, {:.0} s down",
                restarts.len(),
                first.down.as_secs_f64()
            )
        }
    };
    if let Some(kills) = kills {
        restarts_text = match kills.rounds {
            1 => format!("{} writers SIGKILLed at once", kills.writers),
            n => format!("{} writers SIGKILLed in {n} rounds", kills.writers),
        };
    }
    let mut files = files;
    if fleet.line_size != 120 {
        files.push_str(&format!(", {}-byte lines", fleet.line_size));
    }
    Workload {
        writers,
        files,
        gzip,
        restarts: restarts_text,
    }
}
