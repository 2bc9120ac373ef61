//! Real log shippers follow the log while 4 writer processes write and
//! rotate it about 14.6 times a second, each with the shipping guide's
//! configuration as written (`docs/shipping.md`, read by
//! `common/guide.rs`), run as the test's own process: GNU `tail -F`,
//! rsyslog's imfile and syslog-ng.
//!
//! - On a renamed log, an inotify follower ships every line exactly once,
//!   whole, in each writer's order, gzip or not (guarantees: never torn,
//!   rotated once: a rename that the follower reads to its end), given the
//!   time to notice each file; at 14.6 rotations a second it may skip a
//!   file that lived less than that, whole, never part of one.
//! - On a restart-proof log, followers that keep their place ship every
//!   line though they are restarted three times during the run (SIGTERM
//!   or SIGKILL), and ship a line twice only where their own state says
//!   they had not shipped it yet.
//! - Writers of large records SIGKILLed while they write: the file never
//!   shrinks under the follower, so it ships each line once and a record
//!   cut short as one torn line of its own (guarantee: crash-safe).
//!
//! The whole table of the guide, every follower in every mode, is
//! `shipper_matrix.rs` (`scripts/measure-shippers.sh`). The tests run one
//! at a time: with several at once (each with four writers) on a 2-core
//! machine, a follower under load falls behind in ways of its own.
//!
//! rsyslog and syslog-ng are not on a fresh machine: their tests show as
//! ignored, with the reason, unless the tools' `build.rs` finds them;
//! `.ci/run` installs them (`scripts/followers.sh`) and runs every test.
//! `--nocapture` prints each run's table row.

// Unix only: the followers (tail -F, rsyslog, syslog-ng), Unix programs.
#![cfg(unix)]

mod common;

use std::path::Path;

use common::Fleet;
use common::followers::{Files, Follower, Rsyslog, Tail};
use common::matrix::{Case, Gzip, Kind, Restarts};
use common::shipping::{self, Kills};

const MIB: u64 = 1024 * 1024;

/// Held by each test for its whole run: the shipper tests run one at a
/// time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `case` with the writers at a quarter of the matrix's pace (about
/// 3.6 rotations a second, each file living some 270 ms) and asserts every
/// line was shipped exactly once, whole and in order. A follower of one
/// name skips whole a file that lives less than it takes to notice the
/// next, which at 14.6 rotations a second (68 ms a file) happened on a
/// loaded machine; with time to notice, nothing may be lost.
fn ships_every_line_once_given_time_to_notice_each_file(case: Case) {
    assert!(case.follows_one_name());
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        lines: 5_000,
        rate: 500,
        ..case.fleet(dir.path())
    };
    let follower = case.follower(&dir.path().join("follower"), fleet.log.parent().unwrap());
    let outcome = shipping::follow(follower.as_ref(), &fleet, &[], std::time::Duration::ZERO);
    println!("{outcome}");
    assert!(
        outcome.shipped.ok(),
        "{}: {}",
        outcome.follower,
        outcome.shipped
    );
    assert!(outcome.rotations > 20, "{}", outcome.rotations);
}

#[test]
fn tail_f_ships_every_line_of_a_renamed_log_once() {
    let _one = one_at_a_time();
    ships_every_line_once_given_time_to_notice_each_file(Case::new(
        Kind::Tail,
        Files::Renamed,
        Gzip::Off,
        Restarts::None,
    ));
}

#[test]
fn tail_f_ships_every_line_of_a_renamed_log_once_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once_given_time_to_notice_each_file(Case::new(
        Kind::Tail,
        Files::Renamed,
        Gzip::Default,
        Restarts::None,
    ));
}

/// `tail -F` on a restart-proof log's stable name: `app.log` is a hard link
/// to the live file, moved to the next file at each switch by a rename, so
/// tail (inotify: the name is no symbolic link) reads the file it holds to
/// its end and follows the name to the next one.
#[test]
fn tail_f_via_the_stable_name_ships_every_line_of_a_restart_proof_log_once() {
    let _one = one_at_a_time();
    ships_every_line_once_given_time_to_notice_each_file(Case::new(
        Kind::Tail,
        Files::RestartProof,
        Gzip::Off,
        Restarts::None,
    ));
}

#[test]
fn tail_f_on_a_log_rotating_14_times_a_second_loses_at_most_whole_files() {
    let _one = one_at_a_time();
    Case::new(
        Kind::Tail,
        Files::RestartProof,
        Gzip::Default,
        Restarts::None,
    )
    .run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_ships_every_line_of_a_renamed_log_once() {
    let _one = one_at_a_time();
    ships_every_line_once_given_time_to_notice_each_file(Case::new(
        Kind::Rsyslog,
        Files::Renamed,
        Gzip::Off,
        Restarts::None,
    ));
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_ships_every_line_of_a_renamed_log_once_with_gzip() {
    let _one = one_at_a_time();
    ships_every_line_once_given_time_to_notice_each_file(Case::new(
        Kind::Rsyslog,
        Files::Renamed,
        Gzip::Default,
        Restarts::None,
    ));
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_on_a_renamed_log_rotating_14_times_a_second_loses_at_most_whole_files() {
    let _one = one_at_a_time();
    Case::new(Kind::Rsyslog, Files::Renamed, Gzip::Off, Restarts::None).run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_restarted_with_sigterm_loses_nothing_of_a_restart_proof_log_and_ships_nothing_twice() {
    let _one = one_at_a_time();
    Case::new(
        Kind::Rsyslog,
        Files::RestartProof,
        Gzip::Default,
        Restarts::Sigterm,
    )
    .run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_restarted_with_sigkill_loses_nothing_of_a_restart_proof_log_and_ships_twice_only_what_its_state_missed()
 {
    let _one = one_at_a_time();
    Case::new(
        Kind::Rsyslog,
        Files::RestartProof,
        Gzip::Default,
        Restarts::Sigkill,
    )
    .run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_syslog_ng),
    ignore = "needs syslog-ng: scripts/followers.sh unpacks Debian's and prints CRF_SYSLOG_NG; run with --include-ignored, as .ci/run does"
)]
fn syslog_ng_ships_only_whole_lines_of_a_renamed_log_polled_past_its_rotations() {
    let _one = one_at_a_time();
    // file() polls the path once a second: at 14.6 rotations/s it skips
    // most files (measured in the guide); what it ships is whole.
    Case::new(Kind::SyslogNg, Files::Renamed, Gzip::Off, Restarts::None).run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_syslog_ng),
    ignore = "needs syslog-ng: scripts/followers.sh unpacks Debian's and prints CRF_SYSLOG_NG; run with --include-ignored, as .ci/run does"
)]
fn syslog_ng_restarted_with_sigterm_loses_nothing_of_a_restart_proof_log() {
    let _one = one_at_a_time();
    Case::new(
        Kind::SyslogNg,
        Files::RestartProof,
        Gzip::Default,
        Restarts::Sigterm,
    )
    .run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_syslog_ng),
    ignore = "needs syslog-ng: scripts/followers.sh unpacks Debian's and prints CRF_SYSLOG_NG; run with --include-ignored, as .ci/run does"
)]
fn syslog_ng_restarted_with_sigkill_loses_nothing_of_a_restart_proof_log() {
    let _one = one_at_a_time();
    Case::new(
        Kind::SyslogNg,
        Files::RestartProof,
        Gzip::Default,
        Restarts::Sigkill,
    )
    .run_and_check();
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_ships_a_line_longer_than_its_default_message_size_whole() {
    let _one = one_at_a_time();
    // imfile cuts a line longer than rsyslog's maxMessageSize (8 KiB by
    // default) and drops the rest; the guide's configuration raises it.
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet {
        log: dir.path().join("logs").join("app.log"),
        processes: 4,
        lines: 200,
        line_size: 20_000,
        max_bytes: MIB,
        backups: 10,
        rate: 100,
        ..Fleet::new(dir.path())
    };
    let follower = Rsyslog::new(
        &dir.path().join("follower"),
        fleet.log.parent().unwrap(),
        Files::Renamed,
    );
    let outcome = shipping::follow(&follower, &fleet, &[], std::time::Duration::ZERO);
    println!("{outcome}");
    assert!(outcome.shipped.ok(), "{}", outcome.shipped);
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
        let outcome = shipping::follow_with_kills(follower.as_ref(), &fleet, kills);
        let on_disk = outcome.on_disk.as_ref().unwrap();
        let shipped = &outcome.shipped;
        println!(
            "{} ({:?}), run {attempt}: {} writers killed, {} inside a record (torn lines in the files); {} lines shipped: {} once, {} torn by a kill, in {:.1} s",
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
        assert!(shipped.ok(), "{}: {shipped}", outcome.follower);
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
    kills_inside_large_records_ship_one_torn_line_each(
        |home, log| Box::new(Tail::new(home, log)),
        Some("file truncated"),
    );
}

#[test]
#[cfg_attr(
    not(crf_has_rsyslogd),
    ignore = "needs rsyslogd: apt-get install rsyslog (scripts/followers.sh); run with --include-ignored, as .ci/run does"
)]
fn rsyslog_ships_a_record_cut_by_a_kill_as_one_torn_line_and_nothing_twice() {
    let _one = one_at_a_time();
    // The records are longer than the guide's maxMessageSize: raised, as
    // the guide says to, above the longest record (imfile would cut a
    // longer line itself).
    kills_inside_large_records_ship_one_torn_line_each(
        |home, log| {
            Box::new(Rsyslog {
                max_message_size: Some("8m"),
                ..Rsyslog::new(home, log.parent().unwrap(), Files::Renamed)
            })
        },
        None,
    );
}
