//! Real log shippers follow `logs/app.log` while 4 writer processes write
//! and rotate it: GNU `tail -F` and rsyslog's imfile, both on inotify, run
//! as the test's own processes with their own configuration. Every line
//! must be shipped exactly once, whole, in each writer's order (guarantees:
//! never torn, rotated once: a rename that an inotify follower reads to
//! its end). The same with restart-proof files, `tail -F` following the
//! stable name; and rsyslog restarted three times during rotations, on a
//! renamed log (what it loses is printed) and on a restart-proof log
//! followed through `app.*.log` (nothing may be lost), in one run. And
//! writers of large records SIGKILLed while they write: the file never
//! shrinks under the follower, so it ships each line once and a record cut
//! short as one torn line of its own.
//!
//! The writers are paced, as a service's are: about 4 rotations/s at
//! 64 KiB and one a second at 1 MiB. The tests run one at a time: with
//! several shipper tests (each with four writers) at once on a 2-core
//! machine, rsyslog's imfile was seen to skip a whole rotated 64 KiB file
//! at 15 rotations/s, a limit of the follower under load rather than of
//! the writers (see the shipping guide).
//!
//! Under `CI=true` a missing program fails the test; elsewhere the test is
//! skipped with the reason printed. `--nocapture` prints each run's figures
//! as a table row (the tables of docs/shipping.md).

mod common;

use std::path::Path;
use std::time::Duration;

use common::Fleet;
use common::followers::{Follower, Rsyslog, SyslogNg, Tail};
use common::shipping::{self, Kills, Outcome, Restart};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// 4 writers of 120-byte lines for about 5 s (64 KiB files, 500 lines/s
/// each) or 8 s (1 MiB, 2,000 lines/s each), keeping the default 10
/// backups.
fn fleet(dir: &Path, max_bytes: u64, gzip: bool) -> Fleet {
    let small = max_bytes < MIB;
    Fleet {
        log: dir.join("logs").join("app.log"),
        processes: 4,
        lines: if small { 2_500 } else { 16_000 },
        line_size: 120,
        max_bytes,
        backups: 10,
        gzip,
        rate: if small { 500 } else { 2_000 },
        ..Fleet::new(dir)
    }
}

/// Held by each test for its whole run: the shipper tests run one at a
/// time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Follows the fleet's log with the follower `make` builds (given its own
/// directory and the log), asserting every line was shipped once.
fn ships_every_line_once(
    make: impl Fn(&Path, &Path) -> Box<dyn Follower>,
    max_bytes: u64,
    gzip: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let fleet = fleet(dir.path(), max_bytes, gzip);
    let follower = make(&dir.path().join("follower"), &fleet.log);
    if !shipping::available(follower.as_ref()) {
        return;
    }
    let outcome = shipping::follow(follower.as_ref(), &fleet, &[], Duration::ZERO);
    println!("{outcome}");
    assert_shipped_once(&outcome);
}

fn assert_shipped_once(outcome: &Outcome) {
    assert!(
        outcome.shipped.ok(),
        "{} ({}): {}",
        outcome.follower,
        outcome.workload,
        outcome.shipped
    );
    assert!(
        outcome.rotations > 0,
        "no rotation happened: {}",
        outcome.workload
    );
}

/// What is certain whatever a follower loses: every line it shipped is a
/// whole line some writer wrote.
fn assert_whole(outcome: &Outcome) {
    let shipped = &outcome.shipped;
    assert!(
        shipped.torn == 0 && !shipped.unterminated,
        "{}: {shipped}",
        outcome.follower
    );
}

fn tail(home: &Path, log: &Path) -> Box<dyn Follower> {
    Box::new(Tail::new(home, log))
}

fn rsyslog(home: &Path, log: &Path) -> Box<dyn Follower> {
    Box::new(Rsyslog::new(home, log))
}

#[test]
fn tail_f_ships_every_line_once_at_64_kib() {
    let _one = one_at_a_time();
    ships_every_line_once(tail, 64 * KIB, false);
}

#[test]
fn tail_f_ships_every_line_once_at_64_kib_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once(tail, 64 * KIB, true);
}

#[test]
fn tail_f_ships_every_line_once_at_1_mib() {
    let _one = one_at_a_time();
    ships_every_line_once(tail, MIB, false);
}

#[test]
fn tail_f_ships_every_line_once_at_1_mib_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once(tail, MIB, true);
}

/// `tail -F` on a restart-proof log's stable name: `app.log` is a hard link
/// to the live file, moved to the next file at each switch by a rename, so
/// tail (inotify: the name is no symbolic link) reads the file it holds to
/// its end and follows the name to the next one.
fn tail_f_via_the_stable_name(gzip: bool) {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        restart_proof: true,
        ..fleet(dir.path(), 64 * KIB, gzip)
    };
    let follower = Tail::new(&dir.path().join("follower"), &fleet.log);
    if !shipping::available(&follower) {
        return;
    }
    let outcome = shipping::follow(&follower, &fleet, &[], Duration::ZERO);
    println!("{outcome}");
    assert_shipped_once(&outcome);
}

#[test]
fn tail_f_via_the_stable_name_ships_every_line_of_a_restart_proof_log_once() {
    let _one = one_at_a_time();
    tail_f_via_the_stable_name(false);
}

#[test]
fn tail_f_via_the_stable_name_ships_every_line_of_a_restart_proof_log_once_with_gzip() {
    let _one = one_at_a_time();
    tail_f_via_the_stable_name(true);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_64_kib() {
    let _one = one_at_a_time();
    ships_every_line_once(rsyslog, 64 * KIB, false);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_64_kib_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once(rsyslog, 64 * KIB, true);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_1_mib() {
    let _one = one_at_a_time();
    ships_every_line_once(rsyslog, MIB, false);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_1_mib_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once(rsyslog, MIB, true);
}

#[test]
fn rsyslog_imfile_ships_a_line_longer_than_its_default_message_size_whole() {
    let _one = one_at_a_time();
    // imfile cuts a line longer than rsyslog's maxMessageSize (8 KiB by
    // default) and drops the rest; the configuration raises it.
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        lines: 200,
        line_size: 20_000,
        rate: 100,
        ..fleet(dir.path(), MIB, false)
    };
    let follower = Rsyslog::new(&dir.path().join("follower"), &fleet.log);
    if !shipping::available(&follower) {
        return;
    }
    let outcome = shipping::follow(&follower, &fleet, &[], Duration::ZERO);
    println!("{outcome}");
    assert_shipped_once(&outcome);
}

/// 4 writers of 4,000,037-byte records (large, so that a kill lands inside
/// a `write(2)` often; of an odd size, so that no record is copied in one
/// piece), 3 of them SIGKILLed at once at a moment when a write is under
/// way, while `make`'s follower follows the log (32 MiB files, none
/// pruned, a rotation every second or so). A kill inside a write leaves
/// the record's beginning; the next writer ends it with a newline, never
/// cuts it off (guarantee: crash-safe; the file never shrinks). The
/// follower must ship exactly what the files hold: every line once, whole
/// and in order (a killed writer's acknowledged lines included), and at
/// most one torn line per killed writer, the beginning of the line it was
/// writing. A run in which no kill landed inside a record proves nothing:
/// it is run again, up to 5 times. `shrunk` is what the follower says when
/// a file shrinks.
fn kills_inside_large_records_ship_one_torn_line_each(
    make: impl Fn(&Path, &Path) -> Box<dyn Follower>,
    shrunk: Option<&str>,
) {
    let kills = Kills {
        writers: 3,
        rounds: 1,
    };
    for attempt in 1..=5 {
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            log: dir.path().join("logs").join("app.log"),
            processes: 4,
            lines: 16,
            line_size: 4_000_037,
            max_bytes: 32 * MIB,
            backups: 1_000,
            rate: 3,
            ..Fleet::new(dir.path())
        };
        let follower = make(&dir.path().join("follower"), &fleet.log);
        if !shipping::available(follower.as_ref()) {
            return;
        }
        let outcome = shipping::follow_with_kills(follower.as_ref(), &fleet, kills);
        let on_disk = outcome.on_disk.as_ref().unwrap();
        let shipped = &outcome.shipped;
        println!(
            "{} ({}), run {attempt}: {} writers killed, {} inside a record (torn lines in the files); {} lines shipped: {} once, {} torn by a kill, in {:.1} s",
            outcome.follower,
            outcome.workload,
            outcome.killed.len(),
            on_disk.torn_by_kill,
            shipped.lines,
            shipped.once,
            shipped.torn_by_kill,
            outcome.seconds,
        );
        assert!(on_disk.ok(), "the files:\n{on_disk}");
        assert_shipped_once(&outcome);
        // Exactly what the files hold: nothing read twice, nothing skipped.
        assert_eq!(
            (shipped.once, shipped.torn_by_kill, shipped.lines),
            (
                on_disk.found,
                on_disk.torn_by_kill,
                on_disk.found + on_disk.torn_by_kill
            ),
            "{}: {shipped}\nthe files:\n{on_disk}",
            outcome.follower
        );
        assert!(shipped.torn_by_kill <= outcome.killed.len() as u64);
        if let Some(shrunk) = shrunk {
            let messages = shipping::messages(follower.as_ref());
            assert!(
                !messages.contains(shrunk),
                "{}: {messages}",
                outcome.follower
            );
        }
        if on_disk.torn_by_kill > 0 {
            return;
        }
    }
    panic!("in 5 runs, no kill landed inside a record: nothing was shown");
}

#[test]
fn tail_f_ships_a_record_cut_by_a_kill_as_one_torn_line_and_nothing_twice() {
    let _one = one_at_a_time();
    // GNU tail says "file truncated" when a file it follows shrinks, and
    // reads it again from the start.
    kills_inside_large_records_ship_one_torn_line_each(tail, Some("file truncated"));
}

#[test]
fn rsyslog_imfile_ships_a_record_cut_by_a_kill_as_one_torn_line_and_nothing_twice() {
    let _one = one_at_a_time();
    // The records are within rsyslog's maximum message size, which the
    // configuration raises (`Rsyslog::MAX_MESSAGE_SIZE`): imfile would cut
    // a longer line itself.
    kills_inside_large_records_ship_one_torn_line_each(rsyslog, None);
}

/// The restart workload: 4 writers, 500 lines/s each for 15 s, 64 KiB
/// files, about 3.7 rotations/s: fewer rotations in a follower's 2 s down
/// time than the 10 backups kept, so no file is pruned before it could be
/// read. What is lost, the renames lost.
fn restart_fleet(dir: &Path) -> Fleet {
    Fleet {
        lines: 7_500,
        rate: 500,
        ..fleet(dir, 64 * KIB, false)
    }
}

/// Runs the restart workload with rsyslog following `watch` (the live
/// file's path, or a glob), stopped with `signal` three times, 2 s down
/// each time, 2 s apart. It keeps its place in each file across a SIGKILL
/// too (its state written after each batch shipped).
fn rsyslog_with_restarts(
    dir: &Path,
    fleet: &Fleet,
    watch: &Path,
    signal: libc::c_int,
) -> Option<Outcome> {
    let follower = Rsyslog {
        persist_state: true,
        ..Rsyslog::new(&dir.join("follower"), watch)
    };
    if !shipping::available(&follower) {
        return None;
    }
    let restart = Restart {
        signal,
        down: Duration::from_secs(2),
    };
    let outcome = shipping::follow(&follower, fleet, &[restart; 3], Duration::from_secs(2));
    // What is certain whatever the timing: every line shipped is a whole
    // line some writer wrote, and the follower shipped again after its
    // restarts. How many were lost or duplicated is the measurement.
    assert_whole(&outcome);
    let shipped = &outcome.shipped;
    assert!(shipped.once > 0, "{}: {shipped}", outcome.follower);
    Some(outcome)
}

/// rsyslog restarted while the writers rotate, in rename mode and then,
/// the same restarts, on a restart-proof log. Renamed: a file renamed while
/// it is down is never read to its end (the state it kept names a file
/// that `app.log` no longer is); what was lost and duplicated is printed.
/// Restart-proof, followed through the glob `logs/app.*.log`: every file
/// keeps its name, so imfile resumes each where its state says and reads
/// the files made while it was down from their start: no line lost, and
/// after SIGTERM none shipped twice.
fn restarts_lose_lines_only_when_files_are_renamed(signal: libc::c_int) {
    let renamed_dir = tempfile::tempdir().unwrap();
    let fleet = restart_fleet(renamed_dir.path());
    let Some(renamed) = rsyslog_with_restarts(renamed_dir.path(), &fleet, &fleet.log, signal)
    else {
        return;
    };
    let proof_dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        restart_proof: true,
        ..restart_fleet(proof_dir.path())
    };
    let glob = fleet.log.with_file_name("app.*.log");
    let proof = rsyslog_with_restarts(proof_dir.path(), &fleet, &glob, signal)
        .expect("rsyslog ran a moment ago");
    println!("{}\n{renamed}\n{proof}", shipping::TABLE_HEAD);
    // Whole lines (`rsyslog_with_restarts`), none lost. Restarted, imfile
    // reads the files it finds and the live one in turns, so a few lines
    // may come out of order across files; that is the follower's. After a
    // SIGKILL it may ship lines twice: it rewrites its state file in place
    // (truncated, then written), and a kill in between loses its place in
    // the file it was reading, which it then reads again from the start.
    let shipped = &proof.shipped;
    assert!(shipped.lost == 0, "{}: {shipped}", proof.follower);
    if signal != libc::SIGKILL {
        assert!(shipped.duplicated == 0, "{}: {shipped}", proof.follower);
    }
}

#[test]
fn rsyslog_restarted_with_sigterm_during_rotations_loses_nothing_of_a_restart_proof_log() {
    let _one = one_at_a_time();
    restarts_lose_lines_only_when_files_are_renamed(libc::SIGTERM);
}

#[test]
fn rsyslog_restarted_with_sigkill_during_rotations_loses_nothing_of_a_restart_proof_log() {
    let _one = one_at_a_time();
    restarts_lose_lines_only_when_files_are_renamed(libc::SIGKILL);
}

// Measurements for docs/shipping.md (`scripts/measure-shippers.sh`): the
// followers that poll, at about 0.2, 1 and 15 rotations/s of 64 KiB files.
// They lose lines; what is certain is that every line they ship is whole.

/// (lines per writer, lines/s per writer): about 0.2, 1 and 15 rotations/s.
const POLLING_WORKLOADS: [(u64, u64); 3] = [(550, 27), (1_400, 140), (10_000, 2_000)];

fn measure(make: impl Fn(&Path, &Path) -> Box<dyn Follower>) {
    for (lines, rate) in POLLING_WORKLOADS {
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            lines,
            rate,
            ..fleet(dir.path(), 64 * KIB, false)
        };
        let follower = make(&dir.path().join("follower"), &fleet.log);
        if !shipping::available(follower.as_ref()) {
            return;
        }
        let outcome = shipping::follow(follower.as_ref(), &fleet, &[], Duration::ZERO);
        println!("{outcome}");
        assert_whole(&outcome);
    }
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_tail_f_polling_every_second() {
    let _one = one_at_a_time();
    measure(|home, log| {
        Box::new(Tail {
            poll_seconds: Some(1.0),
            ..Tail::new(home, log)
        })
    });
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_rsyslog_imfile_polling_every_second() {
    let _one = one_at_a_time();
    measure(|home, log| {
        Box::new(Rsyslog {
            poll_seconds: Some(1),
            ..Rsyslog::new(home, log)
        })
    });
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_syslog_ng_file() {
    let _one = one_at_a_time();
    measure(|home, log| Box::new(SyslogNg::new(home, log)));
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_syslog_ng_wildcard_file() {
    let _one = one_at_a_time();
    measure(|home, log| {
        Box::new(SyslogNg {
            wildcard: true,
            ..SyslogNg::new(home, log)
        })
    });
}

/// The restart workload in rename mode and on a restart-proof log (its
/// files matched by `app.*.log`), the follower stopped with SIGTERM, then
/// with SIGKILL, three times each: one table row per run.
fn measure_restarts(make: impl Fn(&Path, &Path) -> Box<dyn Follower>) {
    for signal in [libc::SIGTERM, libc::SIGKILL] {
        for restart_proof in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let fleet = Fleet {
                restart_proof,
                ..restart_fleet(dir.path())
            };
            let watch = match restart_proof {
                true => fleet.log.with_file_name("app.*.log"),
                false => fleet.log.clone(),
            };
            let follower = make(&dir.path().join("follower"), &watch);
            if !shipping::available(follower.as_ref()) {
                return;
            }
            let restart = Restart {
                signal,
                down: Duration::from_secs(2),
            };
            let outcome = shipping::follow(
                follower.as_ref(),
                &fleet,
                &[restart; 3],
                Duration::from_secs(2),
            );
            println!("{outcome}");
            assert_whole(&outcome);
        }
    }
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_syslog_ng_wildcard_file_restarted() {
    let _one = one_at_a_time();
    measure_restarts(|home, watch| {
        Box::new(SyslogNg {
            wildcard: true,
            ..SyslogNg::new(home, watch)
        })
    });
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_rsyslog_restarted_on_a_gzipped_restart_proof_log() {
    // A gzipped file is out of the glob: one compressed while rsyslog is
    // down is never read to its end, unless compress_after keeps it plain
    // for longer than that.
    let _one = one_at_a_time();
    for compress_after in [None, Some(Duration::from_secs(60))] {
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            restart_proof: true,
            gzip: true,
            compress_after,
            ..restart_fleet(dir.path())
        };
        let glob = fleet.log.with_file_name("app.*.log");
        let Some(outcome) = rsyslog_with_restarts(dir.path(), &fleet, &glob, libc::SIGTERM) else {
            return;
        };
        println!("{outcome}");
    }
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_rsyslog_with_a_glob_that_also_matches_the_stable_name() {
    // `logs/*.log` matches `app.log` too: the live file under two names.
    let _one = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        restart_proof: true,
        ..fleet(dir.path(), 64 * KIB, false)
    };
    let follower = Rsyslog::new(
        &dir.path().join("follower"),
        &fleet.log.with_file_name("*.log"),
    );
    if !shipping::available(&follower) {
        return;
    }
    let outcome = shipping::follow(&follower, &fleet, &[], Duration::ZERO);
    println!("\n{outcome}");
    assert_whole(&outcome);
}
