//! `flush_on_termination()` with real processes and real signals: a
//! service writing through `non_blocking` with gzip, stopped by SIGTERM
//! (or SIGINT) mid-stream, has every record it acknowledged before the
//! signal in the files, every backup gzipped, no temporary left, and dies
//! of the signal. A signal inherited as ignored stays ignored; a handler
//! the service installs afterwards takes the signal over; a second signal
//! while the writers are being written out ends the process at once.
//!
//! Each test runs this test binary again as the service (the same test,
//! with `CRF_SERVICE` set to what the service does), and reads its
//! acknowledgements, `ack N` (every record up to N is sent), on its
//! standard output.

// Unix only: SIGTERM and SIGINT sent to real processes.
#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{gunzip, own_file};
use concurrent_rotating_file::{Compression, RotatingFile};
use test_support::names;

const SERVICE: &str = "CRF_SERVICE";
const DIR: &str = "CRF_SERVICE_DIR";
/// Records per acknowledgement: `ack N` says records 0 to N - 1 are sent.
const ACK_EVERY: u64 = 500;
/// Records the service writes, 10 MB: about 150 rotations.
const RECORDS: u64 = 100_000;

// === the service ===

/// What the service does, as `CRF_SERVICE` says, if this process is one:
/// it writes `RECORDS` records (a millisecond's pause every `ACK_EVERY`,
/// so that a signal finds it mid-stream), then waits to be stopped.
fn serve_if_asked() -> bool {
    let Ok(role) = std::env::var(SERVICE) else {
        return false;
    };
    let dir = std::env::var(DIR).expect("the service's directory");
    let log = Path::new(&dir).join("app.log");
    concurrent_rotating_file::flush_on_termination().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    if role == "taken-over" {
        // The service's own handler, installed afterwards (as tokio's
        // `signal::ctrl_c` would be): it takes SIGTERM over.
        signal_hook::flag::register(signal_hook::consts::SIGTERM, Arc::clone(&stop)).unwrap();
    }
    let stuck = role == "stuck";
    let file = RotatingFile::builder(&log)
        .max_bytes(64 * 1024)
        .backups(1000)
        .compression(Compression::Gzip)
        // A service whose writes cannot end: only a second signal can.
        .filter(move |record: &[u8]| {
            if stuck && record.starts_with(b"stuck") {
                println!("stuck");
                std::thread::sleep(Duration::from_secs(3600));
            }
            true
        })
        .open()
        .unwrap();
    let (mut writer, guard) = file
        .non_blocking_builder()
        .shutdown_timeout(Duration::from_secs(3600))
        .finish();
    let mut out = std::io::stdout();
    let mut i = 0u64;
    while i < RECORDS && !stop.load(Ordering::SeqCst) {
        writeln!(writer, "record {i:09} {}", "x".repeat(80)).unwrap();
        i += 1;
        if i.is_multiple_of(ACK_EVERY) {
            writeln!(out, "ack {i}").unwrap();
            out.flush().unwrap();
            std::thread::sleep(Duration::from_millis(1));
            if stuck && i == 10 * ACK_EVERY {
                writeln!(writer, "stuck").unwrap();
            }
            if role == "ignored" && i == 10 * ACK_EVERY {
                // Asked whether it lives after the test's SIGTERM, it
                // answers, and stops at the end of its input.
                let mut line = String::new();
                while std::io::stdin().read_line(&mut line).unwrap() > 0 {
                    writeln!(out, "alive").unwrap();
                    out.flush().unwrap();
                    line.clear();
                }
                break;
            }
        }
    }
    while role != "ignored" && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(10));
    }
    writeln!(out, "ack {i}").unwrap();
    drop(writer);
    drop(guard);
    true
}

// === the test's side ===

/// The service, killed if the test ends before it does (it would write on).
struct Service {
    child: Child,
    out: Option<BufReader<ChildStdout>>,
}

impl Service {
    /// Starts the service as `role`, writing into `dir`, as the test `test`
    /// of this binary.
    fn start(role: &str, test: &str, dir: &Path, ignore_term: bool) -> Service {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(SERVICE, role)
            .env(DIR, dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        // As a service manager or a terminal starts a service, whatever
        // this test inherited.
        test_support::stop_signals_at_default(&mut command);
        if ignore_term {
            // SAFETY: only signal(2), async-signal-safe, between fork and
            // exec; std has no way to set a child's signal disposition.
            unsafe {
                command.pre_exec(|| {
                    libc::signal(libc::SIGTERM, libc::SIG_IGN);
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Service {
            child,
            out: Some(out),
        }
    }

    /// Reads the output until `at_least` records are acknowledged; returns
    /// how many are.
    fn acknowledged(&mut self, at_least: u64) -> u64 {
        loop {
            let line = self.line().expect("the service ended early");
            if let Some(n) = line.strip_prefix("ack ") {
                let n: u64 = n.parse().unwrap();
                if n >= at_least {
                    return n;
                }
            }
        }
    }

    /// The next line of the service's output, `None` at its end.
    fn line(&mut self) -> Option<String> {
        let mut line = String::new();
        let out = self.out.as_mut().expect("the output not yet let go");
        (out.read_line(&mut line).unwrap() > 0).then(|| line.trim_end().to_owned())
    }

    /// Reads the rest of the output; returns the last acknowledgement.
    fn last_acknowledged(&mut self) -> u64 {
        let mut last = 0;
        while let Some(line) = self.line() {
            if let Some(n) = line.strip_prefix("ack ") {
                last = n.parse().unwrap();
            }
        }
        last
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) of our own child, not yet waited for.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Its status once it has ended, if it ends within `seconds` (nothing
    /// may hang); its output is read meanwhile, so that it never waits for
    /// room in the pipe.
    fn ended_within(&mut self, seconds: u64) -> Option<ExitStatus> {
        if let Some(mut out) = self.out.take() {
            std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        }
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn ended(&mut self) -> ExitStatus {
        self.ended_within(60)
            .expect("the service did not end within a minute")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // Already ended: std does nothing.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The numbers of the records in `dir`'s log and backups (gunzipped);
/// fails on a line that is not a whole record, on a record twice, and on
/// a plain backup or a temporary left.
fn records_in(dir: &Path) -> BTreeSet<u64> {
    let mut seen = BTreeSet::new();
    for name in names(dir) {
        let text = match name.as_str() {
            "app.log" => std::fs::read_to_string(dir.join(&name)).unwrap(),
            n if n.starts_with("app.log.") && n.ends_with(".gz") => gunzip(&dir.join(n)),
            n if n.starts_with("app.log.") => panic!("a backup left plain: {n}"),
            _ => continue,
        };
        for line in text.lines() {
            let n = line
                .strip_prefix("record ")
                .and_then(|rest| rest.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not a whole record in {name}: {line:?}"));
            assert!(seen.insert(n), "record {n} written twice");
        }
    }
    let temporaries: Vec<String> = names(&own_file(dir, ""))
        .into_iter()
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert_eq!(temporaries, Vec::<String>::new(), "temporaries left");
    seen
}

/// Every record below `count` is there, and the records are one run from
/// 0 (the service writes them in order: nothing after a gap).
fn every_record_below(dir: &Path, count: u64) {
    let seen = records_in(dir);
    assert!(
        seen.len() as u64 >= count,
        "{count} records acknowledged, {} in the files",
        seen.len()
    );
    assert_eq!(
        seen.last().copied(),
        Some(seen.len() as u64 - 1),
        "records missing"
    );
}

fn stopped_mid_stream_by(sig: libc::c_int, test: &str) {
    if serve_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut service = Service::start("stream", test, dir.path(), false);
    // Tens of rotations in, compressions running, the queue filling.
    let acked = service.acknowledged(40 * ACK_EVERY);
    service.signal(sig);
    let status = service.ended();
    assert_eq!(status.signal(), Some(sig), "{status}");
    let backups = names(dir.path())
        .iter()
        .filter(|n| n.ends_with(".gz"))
        .count();
    assert!(
        backups >= 10,
        "{backups} backups: rotation was not exercised"
    );
    every_record_below(dir.path(), acked);
}

#[test]
fn sigterm_mid_stream_writes_every_acknowledged_record_gzips_every_backup_and_dies_of_it() {
    stopped_mid_stream_by(
        libc::SIGTERM,
        "sigterm_mid_stream_writes_every_acknowledged_record_gzips_every_backup_and_dies_of_it",
    );
}

#[test]
fn sigint_mid_stream_writes_every_acknowledged_record_and_dies_of_it() {
    stopped_mid_stream_by(
        libc::SIGINT,
        "sigint_mid_stream_writes_every_acknowledged_record_and_dies_of_it",
    );
}

#[test]
fn a_sigterm_inherited_as_ignored_stays_ignored() {
    if serve_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let test = "a_sigterm_inherited_as_ignored_stays_ignored";
    let mut service = Service::start("ignored", test, dir.path(), true);
    service.acknowledged(10 * ACK_EVERY);
    service.signal(libc::SIGTERM);
    // Still there to answer, after the signal.
    let mut stdin = service.child.stdin.take().unwrap();
    writeln!(stdin, "are you there?").unwrap();
    assert_eq!(service.line().as_deref(), Some("alive"));
    drop(stdin);
    let written = service.last_acknowledged();
    let status = service.ended();
    assert!(status.success(), "{status}");
    every_record_below(dir.path(), written);
    assert_eq!(records_in(dir.path()).len() as u64, written);
}

#[test]
fn a_handler_the_service_installs_afterwards_takes_sigterm_over() {
    if serve_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let test = "a_handler_the_service_installs_afterwards_takes_sigterm_over";
    let mut service = Service::start("taken-over", test, dir.path(), false);
    service.acknowledged(10 * ACK_EVERY);
    service.signal(libc::SIGTERM);
    // The service's own shutdown: it stops writing, drops its guard and
    // returns from main, with status 0.
    let written = service.last_acknowledged();
    let status = service.ended();
    assert!(status.success(), "{status}");
    assert_eq!(records_in(dir.path()).len() as u64, written);
}

#[test]
fn a_second_signal_while_writing_out_ends_the_process_at_once() {
    if serve_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let test = "a_second_signal_while_writing_out_ends_the_process_at_once";
    let mut service = Service::start("stuck", test, dir.path(), false);
    // Its background writer is stuck in a record for an hour, and so is
    // the first signal's writing out: only a second signal ends it.
    while service.line().expect("the service ended early") != "stuck" {}
    let mut status = None;
    for _ in 0..600 {
        service.signal(libc::SIGTERM);
        std::thread::sleep(Duration::from_millis(100));
        status = service.ended_within(0);
        if status.is_some() {
            break;
        }
    }
    let status = status.expect("still alive after a minute of SIGTERMs");
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status}");
}
