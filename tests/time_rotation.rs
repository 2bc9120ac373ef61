//! Time-based rotation and retention in one process, the clock moved by
//! hand: period names, size rotation within a period, idle boundaries,
//! retention by count, age and size, gzip. The multi-process side is in
//! `time_processes.rs`.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use concurrent_rotating_file::{Clock, Compression, ErrorKind, Period, RotatingFile, Weekday};

/// 2026-11-24 05:43:27 UTC, a Tuesday.
const T: i64 = 1_795_499_007;

/// A clock the test moves; clones share the time.
#[derive(Debug, Clone)]
struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    fn at(secs: i64) -> ManualClock {
        ManualClock(Arc::new(AtomicI64::new(secs)))
    }

    fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.0.load(Ordering::Relaxed) as u64)
    }
}

/// The log's files, hidden ones left out, sorted as `ls -v` would.
fn backups(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('.') && n != "app.log")
        .collect();
    names.sort_by_key(|n| {
        let (label, number) = match n.trim_end_matches(".gz").rsplit_once('.') {
            Some((label, k)) if k.bytes().all(|b| b.is_ascii_digit()) => {
                (label.to_owned(), k.parse::<u32>().unwrap())
            }
            _ => (n.trim_end_matches(".gz").to_owned(), 0),
        };
        (label, number)
    });
    names
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

fn minutely(path: &Path, clock: &ManualClock) -> concurrent_rotating_file::Builder {
    RotatingFile::builder(path)
        .rotate_every(Period::Minute)
        .utc(true)
        .max_bytes(0)
        .clock(clock.clone())
}

#[test]
fn a_boundary_rotates_the_file_into_a_backup_named_for_its_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock).open().unwrap();
    writeln!(log, "at 05:43:27").unwrap();
    clock.advance(32); // 05:43:59
    writeln!(log, "at 05:43:59").unwrap();
    clock.advance(1); // 05:44:00
    writeln!(log, "at 05:44:00").unwrap();
    assert_eq!(backups(dir.path()), ["app.log.2026-11-24_05-43"]);
    assert_eq!(
        read(dir.path(), "app.log.2026-11-24_05-43"),
        "at 05:43:27\nat 05:43:59\n"
    );
    assert_eq!(read(dir.path(), "app.log"), "at 05:44:00\n");
    assert_eq!(log.rotations(), 1);
}

#[test]
fn an_idle_stretch_over_several_boundaries_rotates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock).open().unwrap();
    writeln!(log, "before").unwrap();
    clock.advance(5 * 60);
    writeln!(log, "five minutes later").unwrap();
    writeln!(log, "and again").unwrap();
    assert_eq!(backups(dir.path()), ["app.log.2026-11-24_05-43"]);
    assert_eq!(
        read(dir.path(), "app.log"),
        "five minutes later\nand again\n"
    );
    assert_eq!(log.rotations(), 1);
}

#[test]
fn a_file_without_records_is_not_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock).open().unwrap();
    clock.advance(120);
    writeln!(log, "first record").unwrap();
    assert!(backups(dir.path()).is_empty());
    assert_eq!(log.rotations(), 0);
}

#[test]
fn size_rotations_within_a_period_are_numbered_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = RotatingFile::builder(&path)
        .rotate_every(Period::Hour)
        .utc(true)
        .max_bytes(6)
        .clock(clock.clone())
        .open()
        .unwrap();
    for line in ["one", "two", "three", "four"] {
        writeln!(log, "{line}").unwrap(); // two do not fit in 6 bytes
    }
    clock.advance(3600);
    writeln!(log, "five").unwrap();
    assert_eq!(
        backups(dir.path()),
        [
            "app.log.2026-11-24_05",
            "app.log.2026-11-24_05.1",
            "app.log.2026-11-24_05.2",
            "app.log.2026-11-24_05.3",
        ]
    );
    let chain: Vec<String> = backups(dir.path())
        .iter()
        .map(|n| read(dir.path(), n))
        .collect();
    assert_eq!(chain, ["one\n", "two\n", "three\n", "four\n"]);
    assert_eq!(read(dir.path(), "app.log"), "five\n");
}

#[test]
fn days_and_weeks_are_named_by_their_first_day() {
    for (period, expected) in [
        (Period::Day, "app.log.2026-11-24"),
        (Period::Week(Weekday::Mon), "app.log.2026-11-23"),
        (Period::Week(Weekday::Sun), "app.log.2026-11-22"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let clock = ManualClock::at(T);
        let mut log = RotatingFile::builder(&path)
            .rotate_every(period)
            .utc(true)
            .clock(clock.clone())
            .open()
            .unwrap();
        writeln!(log, "old").unwrap();
        clock.advance(8 * 86_400);
        writeln!(log, "new").unwrap();
        assert_eq!(backups(dir.path()), [expected], "{period:?}");
    }
}

#[test]
fn without_a_recorded_period_the_files_last_write_decides() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "written two days ago\n").unwrap();
    let two_days_ago = UNIX_EPOCH + Duration::from_secs((T - 2 * 86_400) as u64);
    std::fs::File::options()
        .append(true)
        .open(&path)
        .unwrap()
        .set_modified(two_days_ago)
        .unwrap();
    let clock = ManualClock::at(T);
    let mut log = RotatingFile::builder(&path)
        .rotate_every(Period::Day)
        .utc(true)
        .clock(clock)
        .open()
        .unwrap();
    writeln!(log, "today").unwrap();
    assert_eq!(backups(dir.path()), ["app.log.2026-11-22"]);
    assert_eq!(read(dir.path(), "app.log"), "today\n");
}

/// "minute 43" at 05:43:27, then one 10-byte record a minute to
/// "minute 50" at 05:50:27.
fn write_one_record_a_minute(log: &mut RotatingFile, clock: &ManualClock) {
    for minute in 43..=50 {
        if minute > 43 {
            clock.advance(60);
        }
        writeln!(log, "minute {minute}").unwrap();
    }
}

#[test]
fn retention_by_count_keeps_the_newest_periods() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock).backups(3).open().unwrap();
    write_one_record_a_minute(&mut log, &clock);
    assert_eq!(
        backups(dir.path()),
        [
            "app.log.2026-11-24_05-47",
            "app.log.2026-11-24_05-48",
            "app.log.2026-11-24_05-49",
        ]
    );
    drop(log);
    let hidden: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("pruned"))
        .collect();
    assert!(hidden.is_empty(), "parked backups left behind: {hidden:?}");
}

#[test]
fn retention_by_age_deletes_exactly_the_expired_backups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock)
        .backups(100)
        .max_age(Duration::from_secs(150))
        .open()
        .unwrap();
    // Ends at 05:50:27: a backup is kept while its period ended after 05:47:57.
    write_one_record_a_minute(&mut log, &clock);
    assert_eq!(
        backups(dir.path()),
        [
            "app.log.2026-11-24_05-47",
            "app.log.2026-11-24_05-48",
            "app.log.2026-11-24_05-49"
        ]
    );
}

#[test]
fn retention_by_total_size_keeps_the_newest_that_fit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock)
        .backups(100)
        .max_total_bytes(25)
        .open()
        .unwrap();
    write_one_record_a_minute(&mut log, &clock);
    assert_eq!(
        backups(dir.path()),
        ["app.log.2026-11-24_05-48", "app.log.2026-11-24_05-49"]
    );
}

#[test]
fn numbered_backups_expire_by_modification_time_without_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    for (n, age_days) in [(1, 1), (2, 3), (3, 10), (4, 20)] {
        let backup = dir.path().join(format!("app.log.{n}"));
        std::fs::write(&backup, format!("backup {n}\n")).unwrap();
        let written = UNIX_EPOCH + Duration::from_secs((T - age_days * 86_400) as u64);
        std::fs::File::options()
            .append(true)
            .open(&backup)
            .unwrap()
            .set_modified(written)
            .unwrap();
    }
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .max_age(Duration::from_secs(7 * 86_400))
        .clock(clock)
        .open()
        .unwrap();
    writeln!(log, "live one").unwrap();
    writeln!(log, "live two").unwrap(); // rotates: "live one" becomes .1
    assert_eq!(backups(dir.path()), ["app.log.1", "app.log.2", "app.log.3"]);
    assert_eq!(read(dir.path(), "app.log.1"), "live one\n");
    assert_eq!(read(dir.path(), "app.log.3"), "backup 2\n");
}

#[test]
fn timed_backups_are_gzipped_under_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = minutely(&path, &clock)
        .compression(Compression::Gzip)
        .max_bytes(16)
        .open()
        .unwrap();
    writeln!(log, "first file").unwrap();
    writeln!(log, "second file").unwrap();
    clock.advance(60);
    writeln!(log, "next minute").unwrap();
    drop(log); // waits for the compressions
    let names = backups(dir.path());
    assert_eq!(
        names,
        [
            "app.log.2026-11-24_05-43.gz",
            "app.log.2026-11-24_05-43.1.gz"
        ]
    );
    let text: Vec<String> = names
        .iter()
        .map(|n| {
            let mut text = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(dir.path().join(n)).unwrap()),
                &mut text,
            )
            .unwrap();
            text
        })
        .collect();
    assert_eq!(text, ["first file\n", "second file\n"]);
}

#[test]
fn retention_options_that_would_delete_everything_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let cases = [
        RotatingFile::builder(&path).max_age(Duration::ZERO),
        RotatingFile::builder(&path).max_total_bytes(0),
        RotatingFile::builder(&path)
            .max_bytes(0)
            .backups(0)
            .rotate_every(Period::Day),
    ];
    for builder in cases {
        let err = builder.open().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidOption, "{err}");
    }
}

#[test]
fn a_clock_jump_past_max_age_keeps_the_backup_just_made() {
    // Numbered: the backups' modification times are real, the clock a year
    // ahead, so every backup looks a year old.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let year = 365 * 86_400;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut log = RotatingFile::builder(&path)
        .max_bytes(10)
        .max_age(Duration::from_secs(7 * 86_400))
        .clock(ManualClock::at(now + year))
        .open()
        .unwrap();
    for record in ["one", "two", "three"] {
        writeln!(log, "live {record}").unwrap();
    }
    assert_eq!(backups(dir.path()), ["app.log.1"]);
    assert_eq!(read(dir.path(), "app.log.1"), "live two\n");
    assert_eq!(log.rotations(), 2);

    // Time-named: ten days pass between two records of a minutely log kept
    // for 150 s.
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T);
    let mut log = minutely(&dir.path().join("app.log"), &clock)
        .max_age(Duration::from_secs(150))
        .open()
        .unwrap();
    writeln!(log, "before the jump").unwrap();
    clock.advance(10 * 86_400);
    writeln!(log, "after the jump").unwrap();
    assert_eq!(backups(dir.path()), ["app.log.2026-11-24_05-43"]);
    assert_eq!(
        read(dir.path(), "app.log.2026-11-24_05-43"),
        "before the jump\n"
    );
}

#[test]
fn a_period_alone_rotates_by_time_only_whatever_the_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let clock = ManualClock::at(T);
    let mut log = RotatingFile::builder(&path)
        .rotate_every(Period::Day)
        .utc(true)
        .clock(clock.clone())
        .open()
        .unwrap();
    // A busy day: 2 MiB, twice what the size limit would be by default.
    let line = format!("{}\n", "x".repeat(1023));
    for _ in 0..2048 {
        log.write_all(line.as_bytes()).unwrap();
    }
    assert_eq!(backups(dir.path()), Vec::<String>::new());
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 2 << 20);
    clock.advance(86_400);
    writeln!(log, "the next day").unwrap();
    assert_eq!(backups(dir.path()), ["app.log.2026-11-24"]);
    assert_eq!(read(dir.path(), "app.log"), "the next day\n");
    // Both limits when both are asked for.
    let both = dir.path().join("both.log");
    let mut log = RotatingFile::builder(&both)
        .rotate_every(Period::Day)
        .max_bytes(4096)
        .clock(clock)
        .open()
        .unwrap();
    for _ in 0..8 {
        log.write_all(line.as_bytes()).unwrap();
    }
    assert_eq!(std::fs::metadata(&both).unwrap().len(), 4096);
}
