//! Real log shippers follow `logs/app.log` while 4 writer processes write
//! and rotate it: GNU `tail -F` and rsyslog's imfile, both on inotify, run
//! as the test's own processes with their own configuration. Every line
//! must be shipped exactly once, whole, in each writer's order (guarantees:
//! never torn, rotated once: a rename that an inotify follower reads to
//! its end).
//!
//! The writers are paced, as a service's are: 8,000 lines/s in all, about
//! 15 rotations/s at 64 KiB and one a second at 1 MiB.
//!
//! Under `CI=true` a missing program fails the test; elsewhere the test is
//! skipped with the reason printed. `--nocapture` prints each run's figures
//! as a table row (the README's "Shipping logs" table).

mod common;

use std::path::Path;
use std::time::Duration;

use common::Fleet;
use common::followers::{Follower, Rsyslog, SyslogNg, Tail};
use common::shipping::{self, Outcome, Restart};

const KIB: u64 = 1024;
const MIB: u64 = 1024 * 1024;

/// 4 writers of 120-byte lines, 2,000 lines/s each, for about 5 s (64 KiB
/// files) or 8 s (1 MiB), keeping the default 10 backups.
fn fleet(dir: &Path, max_bytes: u64, gzip: bool) -> Fleet {
    Fleet {
        log: dir.join("logs").join("app.log"),
        processes: 4,
        lines: if max_bytes < MIB { 10_000 } else { 16_000 },
        line_size: 120,
        max_bytes,
        backups: 10,
        gzip,
        rate: 2_000,
        ..Fleet::new(dir)
    }
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

fn tail(home: &Path, log: &Path) -> Box<dyn Follower> {
    Box::new(Tail::new(home, log))
}

fn rsyslog(home: &Path, log: &Path) -> Box<dyn Follower> {
    Box::new(Rsyslog::new(home, log))
}

#[test]
fn tail_f_ships_every_line_once_at_64_kib() {
    ships_every_line_once(tail, 64 * KIB, false);
}

#[test]
fn tail_f_ships_every_line_once_at_64_kib_with_gzip() {
    ships_every_line_once(tail, 64 * KIB, true);
}

#[test]
fn tail_f_ships_every_line_once_at_1_mib() {
    ships_every_line_once(tail, MIB, false);
}

#[test]
fn tail_f_ships_every_line_once_at_1_mib_with_gzip() {
    ships_every_line_once(tail, MIB, true);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_64_kib() {
    ships_every_line_once(rsyslog, 64 * KIB, false);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_64_kib_with_gzip() {
    ships_every_line_once(rsyslog, 64 * KIB, true);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_1_mib() {
    ships_every_line_once(rsyslog, MIB, false);
}

#[test]
fn rsyslog_imfile_ships_every_line_once_at_1_mib_with_gzip() {
    ships_every_line_once(rsyslog, MIB, true);
}

#[test]
fn rsyslog_imfile_ships_a_line_longer_than_its_default_message_size_whole() {
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
/// each time, 2 s apart.
fn rsyslog_with_restarts(
    dir: &Path,
    fleet: &Fleet,
    watch: &Path,
    signal: libc::c_int,
) -> Option<Outcome> {
    let follower = Rsyslog::new(&dir.join("follower"), watch);
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
    let shipped = &outcome.shipped;
    assert!(
        shipped.torn == 0 && !shipped.unterminated,
        "{}: {shipped}",
        outcome.follower
    );
    assert!(shipped.once > 0, "{}: {shipped}", outcome.follower);
    Some(outcome)
}

/// rsyslog restarted while the writers rotate: a file renamed while it is
/// down is never read to its end (the state it kept names a file that
/// `app.log` no longer is). Prints what was lost and duplicated.
fn rename_mode_under_restarts(signal: libc::c_int) {
    let dir = tempfile::tempdir().unwrap();
    let fleet = restart_fleet(dir.path());
    let Some(renamed) = rsyslog_with_restarts(dir.path(), &fleet, &fleet.log, signal) else {
        return;
    };
    println!("{}\n{renamed}", shipping::TABLE_HEAD);
}

#[test]
fn rsyslog_restarted_with_sigterm_during_rotations_ships_only_whole_lines() {
    rename_mode_under_restarts(libc::SIGTERM);
}

#[test]
fn rsyslog_restarted_with_sigkill_during_rotations_ships_only_whole_lines() {
    rename_mode_under_restarts(libc::SIGKILL);
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
        let shipped = &outcome.shipped;
        assert!(
            shipped.torn == 0 && !shipped.unterminated,
            "{}: {shipped}",
            outcome.follower
        );
    }
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_tail_f_polling_every_second() {
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
    measure(|home, log| Box::new(SyslogNg::new(home, log)));
}

#[test]
#[ignore = "measurement for docs/shipping.md: scripts/measure-shippers.sh"]
fn measure_syslog_ng_wildcard_file() {
    measure(|home, log| {
        Box::new(SyslogNg {
            wildcard: true,
            ..SyslogNg::new(home, log)
        })
    });
}
