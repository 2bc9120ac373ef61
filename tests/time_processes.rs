//! Time-based rotation with several real processes (this test executable
//! re-invoked as the writers) sharing one clock, which the test moves
//! forward while they write and while they sit idle: one rotation per
//! boundary, every record once and in order, retention of the oldest only;
//! and the same with restart-proof files, which switch at each boundary
//! without renaming anything.

use std::collections::BTreeMap;
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use concurrent_rotating_file::{Clock, Period, RotatingFile};

/// 2026-11-24 05:43:27 UTC.
const T: i64 = 1_795_499_007;
/// Set in the writer processes: what to do, as `key=value` pairs.
const WRITER: &str = "CRF_TIME_WRITER";

/// The time kept in a file the test rewrites (atomically, by rename):
/// one clock for every process.
#[derive(Debug)]
struct FileClock(PathBuf);

impl FileClock {
    fn set(path: &Path, secs: i64) {
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, secs.to_string()).unwrap();
        // Without POSIX-semantics renames (wine), replacing a file that a
        // writer process is reading is refused until it closes it: a
        // moment; bounded, so that a real refusal fails the test.
        let mut tries = 0;
        while let Err(e) = std::fs::rename(&temp, path) {
            tries += 1;
            assert!(
                cfg!(windows) && e.kind() == std::io::ErrorKind::PermissionDenied && tries < 1000,
                "set the test's clock: {e}"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }
}

impl Clock for FileClock {
    fn now(&self) -> SystemTime {
        let secs: u64 = std::fs::read_to_string(&self.0)
            .expect("the test's clock file")
            .parse()
            .expect("seconds in the clock file");
        UNIX_EPOCH + Duration::from_secs(secs)
    }
}

fn open(dir: &Path, backups: usize, restart_proof: bool) -> RotatingFile {
    RotatingFile::builder(dir.join("app.log"))
        .rotate_every(Period::Minute)
        .utc(true)
        .max_bytes(0)
        .backups(backups)
        .restart_proof(restart_proof)
        .clock(FileClock(dir.join("clock")))
        .open()
        .unwrap()
}

/// The writer processes' entry point: does nothing unless this executable
/// was started by one of the tests below as a writer.
#[test]
fn writer_process() {
    let Ok(spec) = std::env::var(WRITER) else {
        return;
    };
    let find = |key: &str| {
        spec.split(' ')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .map(str::to_owned)
    };
    let arg = |key: &str| find(key).unwrap_or_else(|| panic!("{key} missing from {spec}"));
    let dir = PathBuf::from(arg("dir"));
    if arg("mode") == "dst" {
        return daylight_saving_time(&dir);
    }
    let id: u32 = arg("id").parse().unwrap();
    let clock = FileClock(dir.join("clock"));
    let restart_proof = find("restart_proof").is_some();
    let mut log = open(&dir, arg("backups").parse().unwrap(), restart_proof);
    let mut record = |seq: u64| {
        // The time read before the record: it cannot land in an earlier
        // period's file.
        let t = clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        writeln!(log, "{id} {seq} {t}").unwrap();
    };
    match arg("mode").as_str() {
        "steady" => {
            for seq in 0..arg("lines").parse().unwrap() {
                record(seq);
                std::thread::sleep(Duration::from_micros(200));
            }
        }
        "idle" => {
            record(0);
            std::fs::write(dir.join(format!("ready.{id}")), "").unwrap();
            while !dir.join("go").exists() {
                std::thread::sleep(Duration::from_millis(2));
            }
            record(1);
        }
        other => panic!("unknown mode {other}"),
    }
}

/// Run with `TZ` set to New York's rules: in 2026 its clocks go back from
/// 02:00 EDT to 01:00 EST on 1 November.
fn daylight_saving_time(dir: &Path) {
    let clock = dir.join("clock");
    // (UTC time, record): 05:30 UTC is 01:30 EDT, 06:30 UTC is 01:30 EST.
    let hourly = dir.join("hourly.log");
    let mut log = RotatingFile::builder(&hourly)
        .rotate_every(Period::Hour)
        .max_bytes(0)
        .clock(FileClock(clock.clone()))
        .open()
        .unwrap();
    for (t, record) in [
        (1_793_511_000, "01:30 EDT"),
        (1_793_514_600, "01:30 EST"),
        (1_793_516_400, "02:00 EST"),
    ] {
        FileClock::set(&clock, t);
        writeln!(log, "{record}").unwrap();
    }
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    // The repeated hour is one period, under its one name.
    assert_eq!(read("hourly.log.2026-11-01_01"), "01:30 EDT\n01:30 EST\n");
    assert_eq!(read("hourly.log"), "02:00 EST\n");

    let daily = dir.join("daily.log");
    let mut log = RotatingFile::builder(&daily)
        .rotate_every(Period::Day)
        .max_bytes(0)
        .clock(FileClock(clock.clone()))
        .open()
        .unwrap();
    // 1 November lasts 25 hours: from 04:00 UTC to 05:00 UTC the next day.
    for (t, record) in [
        (1_793_505_600, "00:00 EDT"),
        (1_793_595_540, "23:59 EST"),
        (1_793_595_600, "00:00 EST"),
    ] {
        FileClock::set(&clock, t);
        writeln!(log, "{record}").unwrap();
    }
    assert_eq!(read("daily.log.2026-11-01"), "00:00 EDT\n23:59 EST\n");
    assert_eq!(read("daily.log"), "00:00 EST\n");
}

fn spawn(dir: &Path, processes: u32, spec: &str) -> Vec<Child> {
    (0..processes)
        .map(|id| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "writer_process", "--test-threads=1"])
                .env(WRITER, format!("dir={} id={id} {spec}", dir.display()))
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

fn wait_all(children: Vec<Child>) {
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer process failed");
    }
}

/// One file's records: (process, sequence number, time read before).
type Records = Vec<(u32, u64, i64)>;

/// The backups, oldest first (minute labels sort as time), then the live
/// file, each with its name and records.
fn chain(dir: &Path) -> Vec<(String, Records)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("app.log."))
        .collect();
    names.sort();
    names.push("app.log".into());
    with_records(dir, names)
}

/// Each file of `names` in `dir` with its records.
fn with_records(dir: &Path, names: Vec<String>) -> Vec<(String, Records)> {
    names
        .into_iter()
        .map(|name| {
            let records = read_records(&dir.join(&name));
            (name, records)
        })
        .collect()
}

/// The records of one file.
fn read_records(path: &Path) -> Records {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| {
            let mut fields = line.split(' ');
            let mut next = || fields.next().unwrap_or_else(|| panic!("torn: {line:?}"));
            (
                next().parse().unwrap(),
                next().parse().unwrap(),
                next().parse().unwrap(),
            )
        })
        .collect()
}

fn minute_label(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%d_%H-%M")
        .to_string()
}

/// Checks what every chain must satisfy, and returns each process's
/// sequence numbers in chain order.
fn check_chain(chain: &[(String, Records)]) -> BTreeMap<u32, Vec<u64>> {
    let mut seen: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for (name, records) in chain {
        if let Some(label) = name.strip_prefix("app.log.") {
            assert_eq!(label.len(), 16, "{name}: a second rotation in one period");
            for &(_, _, t) in records {
                assert!(
                    minute_label(t).as_str() <= label,
                    "{name} holds a record from {}",
                    minute_label(t)
                );
            }
            assert!(!records.is_empty(), "{name} is empty");
        }
        for &(id, seq, _) in records {
            seen.entry(id).or_default().push(seq);
        }
    }
    for (id, seqs) in &seen {
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "process {id}'s records are duplicated or out of order"
        );
    }
    seen
}

/// Moves the clock a minute forward every 30 ms until the writers exit.
fn tick_while_writing(dir: &Path, children: Vec<Child>) {
    let clock = dir.join("clock");
    let mut now = T;
    let mut children: Vec<Option<Child>> = children.into_iter().map(Some).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while children.iter().any(Option::is_some) {
        assert!(Instant::now() < deadline, "the writers did not finish");
        std::thread::sleep(Duration::from_millis(30));
        now += 60;
        FileClock::set(&clock, now);
        for slot in &mut children {
            if let Some(child) = slot
                && let Some(status) = child.try_wait().unwrap()
            {
                assert!(status.success(), "a writer process failed");
                *slot = None;
            }
        }
    }
}

/// 4 processes write 1500 records each while the clock moves a minute
/// every 30 ms; returns the files, oldest first, after checking that every
/// process's records are all there, once and in order.
fn write_while_ticking(dir: &Path, restart_proof: bool) -> Vec<(String, Records)> {
    FileClock::set(&dir.join("clock"), T);
    let lines = 1500;
    let mut spec = format!("mode=steady lines={lines} backups=1000");
    if restart_proof {
        spec.push_str(" restart_proof=1");
    }
    tick_while_writing(dir, spawn(dir, 4, &spec));
    let files = match restart_proof {
        true => numbered_files(dir),
        false => chain(dir),
    };
    let seen = check_chain(&files);
    assert_eq!(seen.len(), 4);
    for (id, seqs) in seen {
        assert_eq!(
            seqs,
            (0..lines).collect::<Vec<_>>(),
            "process {id} lost records"
        );
    }
    files
}

#[test]
fn one_rotation_per_boundary_while_processes_write() {
    let dir = tempfile::tempdir().unwrap();
    let chain = write_while_ticking(dir.path(), false);
    let backups = chain.len() as u64 - 1;
    assert!(
        backups >= 3,
        "only {backups} boundaries crossed while writing"
    );
    assert_eq!(open(dir.path(), 1000, false).rotations(), backups);
}

/// A restart-proof log's files in number order (the live one last), each
/// with its records.
fn numbered_files(dir: &Path) -> Vec<(String, Records)> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("app.") && n.ends_with(".log") && n != "app.log")
        .collect();
    names.sort();
    with_records(dir, names)
}

#[cfg(unix)]
#[test]
fn restart_proof_files_switch_once_per_boundary_while_processes_write() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_while_ticking(dir.path(), true);
    // A record read just before a boundary may land in the next file, never
    // in an earlier one: each file's newest period is later than the last
    // file's, or two switches happened in one period.
    let newest: Vec<String> = files
        .iter()
        .map(|(name, records)| {
            let newest = records.iter().map(|r| r.2).max();
            minute_label(newest.unwrap_or_else(|| panic!("{name} is empty")))
        })
        .collect();
    assert!(
        newest.windows(2).all(|w| w[0] < w[1]),
        "two switches in one period: {newest:?}"
    );
    let backups = files.len() as u64 - 1;
    assert!(
        backups >= 3,
        "only {backups} boundaries crossed while writing"
    );
    assert_eq!(open(dir.path(), 1000, true).rotations(), backups);
    // Nothing renamed: the stable name is the live file, the last number.
    let inode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().ino();
    assert_eq!(inode("app.log"), inode(&files.last().unwrap().0));
}

#[test]
#[cfg_attr(
    windows,
    ignore = "needs Unix: the time zone is given as POSIX rules in TZ, which Windows does not read"
)]
fn local_periods_follow_daylight_saving_time() {
    let dir = tempfile::tempdir().unwrap();
    FileClock::set(&dir.path().join("clock"), T);
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "writer_process", "--test-threads=1"])
        .env(WRITER, format!("dir={} mode=dst", dir.path().display()))
        // POSIX rules, so that no time zone database is needed.
        .env("TZ", "EST5EDT,M3.2.0,M11.1.0")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the daylight saving time checks failed");
}

#[test]
fn processes_idle_across_boundaries_rotate_once_when_they_wake() {
    let dir = tempfile::tempdir().unwrap();
    let clock = dir.path().join("clock");
    FileClock::set(&clock, T);
    let children = spawn(dir.path(), 4, "mode=idle backups=10");
    let deadline = Instant::now() + Duration::from_secs(30);
    while (0..4).any(|id| !dir.path().join(format!("ready.{id}")).exists()) {
        assert!(Instant::now() < deadline, "the writers did not start");
        std::thread::sleep(Duration::from_millis(5));
    }
    FileClock::set(&clock, T + 5 * 60);
    std::fs::write(dir.path().join("go"), "").unwrap();
    wait_all(children);
    let chain = chain(dir.path());
    check_chain(&chain);
    let files: Vec<(&str, Vec<u64>)> = chain
        .iter()
        .map(|(name, records)| (name.as_str(), records.iter().map(|r| r.1).collect()))
        .collect();
    assert_eq!(
        files,
        [
            ("app.log.2026-11-24_05-43", vec![0, 0, 0, 0]),
            ("app.log", vec![1, 1, 1, 1])
        ]
    );
    assert_eq!(open(dir.path(), 10, false).rotations(), 1);
}

#[test]
fn retention_under_many_processes_deletes_only_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    FileClock::set(&dir.path().join("clock"), T);
    let lines = 1500;
    let children = spawn(
        dir.path(),
        4,
        &format!("mode=steady lines={lines} backups=3"),
    );
    tick_while_writing(dir.path(), children);
    let chain = chain(dir.path());
    let seen = check_chain(&chain);
    assert_eq!(chain.len(), 4, "three backups and the live file");
    let rotations = open(dir.path(), 3, false).rotations();
    assert!(
        rotations > 3,
        "only {rotations} rotations: nothing to delete"
    );
    for (id, seqs) in seen {
        // What is left of each process is its newest records, all of them.
        let first = seqs[0];
        assert_eq!(seqs, (first..lines).collect::<Vec<_>>(), "process {id}");
    }
    let hidden: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("pruned"))
        .collect();
    assert!(hidden.is_empty(), "parked backups left behind: {hidden:?}");
}
