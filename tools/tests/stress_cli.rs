//! `crf-stress` as a user meets it: every bad flag refused before anything
//! starts (status 2, one message naming the flag), the run directory
//! checked, the defaults (1 MiB files, 10 backups, pruning verified), the
//! help, and the reports for people and for programs.

// Some tests here need Unix (marked `#[cfg(unix)]`); their helpers
// are unused elsewhere.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

mod common;

#[cfg(unix)]
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Output};

use common::{STRESS, json, stress};
use test_support::names;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `crf-stress` with `args` and a `--dir` that does not exist yet;
/// asserts it refused with status 2, saying `message` once, and started
/// nothing: the directory was never created.
fn refused(args: &[&str], message: &str) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("run");
    let mut all = args.to_vec();
    all.extend(["--dir", dir.to_str().unwrap()]);
    let out = stress(&all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.matches(message).count(), 1, "{args:?}: {err}");
    assert!(!dir.exists(), "{args:?}: something started");
}

#[test]
fn zero_processes_are_refused() {
    refused(&["-p", "0"], "--processes must be at least 1");
    refused(&["--processes", "0"], "--processes must be at least 1");
}

#[test]
fn zero_lines_are_refused() {
    refused(&["-n", "0"], "--lines must be at least 1");
}

#[test]
fn zero_or_too_many_threads_are_refused() {
    refused(&["--threads", "0"], "--threads must be between 1 and 100");
    refused(&["--threads", "101"], "--threads must be between 1 and 100");
}

#[test]
fn killing_more_writers_than_there_are_is_refused() {
    refused(
        &["-p", "4", "--kill", "5"],
        "--kill must be at most 4, the number of writer processes",
    );
    // Python's writers count too (checked before Python is looked for).
    refused(
        &["-p", "4", "--python", "2", "--kill", "7"],
        "--kill must be at most 6, the number of writer processes",
    );
}

#[test]
fn a_line_too_short_for_its_header_is_refused_with_the_sizes_involved() {
    for size in ["5", "19"] {
        refused(
            &["--line-size", size],
            &format!(
                "--line-size must be at least 20 bytes: each line holds a 19-byte header (`0000-00 0000000000 `) and a newline; {size} is too small"
            ),
        );
    }
}

#[test]
fn no_backups_with_rotation_on_is_refused_once() {
    refused(
        &["--backups", "0"],
        "--backups must be at least 1 while --max-bytes is not 0",
    );
}

#[test]
fn no_backups_without_rotation_runs() {
    let out = stress(&[
        "-p",
        "2",
        "-n",
        "500",
        "--backups",
        "0",
        "--max-bytes",
        "0",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json(&out)["lines_found"], 1000);
}

#[test]
fn malformed_sizes_are_refused_naming_the_flag() {
    let out = stress(&["--max-bytes", "1.5X"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("'--max-bytes <SIZE>'") && err.contains("unknown unit `X`"),
        "{err}"
    );
    let out = stress(&["--line-size", "lots"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("'--line-size <SIZE>'") && err.contains("`lots` is not a size"),
        "{err}"
    );
}

#[test]
fn sizes_take_the_units_crf_takes() {
    let out = stress(&[
        "-p",
        "1",
        "-n",
        "100",
        "--max-bytes",
        "1.5M",
        "--line-size",
        "1K",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["max_bytes"], 1_572_864);
    assert_eq!(report["line_size"], 1024);
}

#[test]
fn a_baseline_loop_with_rotation_is_refused() {
    refused(
        &["--mode", "raw-flock"],
        "--mode raw-flock is a baseline loop that never rotates: add --max-bytes 0",
    );
}

#[test]
fn a_python_without_the_handler_is_refused_naming_it() {
    refused(
        &["--python", "1", "--python-bin", "/nonexistent/python"],
        "--python-bin /nonexistent/python: Python's ConcurrentRotatingFileHandler is not available",
    );
}

#[test]
fn a_dir_that_is_a_file_is_refused_naming_it() {
    let parent = tempfile::tempdir().unwrap();
    let file = parent.path().join("plain-file");
    std::fs::write(&file, "kept\n").unwrap();
    let out = stress(&["--dir", file.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(
        err.matches(&format!("--dir {} is not a directory", file.display()))
            .count(),
        1,
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept\n");
}

#[test]
fn a_dir_that_is_not_writable_is_refused_naming_it() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("read-only");
    std::fs::create_dir(&dir).unwrap();
    let _read_only = common::Immutable::new(&dir);
    let out = stress(&["-n", "10", "--dir", dir.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("--dir {} is not writable", dir.display())),
        "{err}"
    );
}

#[test]
fn a_dir_holding_other_files_is_refused_and_left_alone_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine\n").unwrap();
    let path = dir.path().to_str().unwrap();
    let out = stress(&["-n", "10", "--dir", path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("--dir {path} is not empty (it holds `notes.txt`)")),
        "{err}"
    );
    let out = stress(&["-n", "10", "--dir", path, "--force"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("such as `notes.txt`"), "{err}");
    assert_eq!(names(dir.path()), ["notes.txt"]);
}

#[test]
fn an_earlier_runs_files_are_refused_unless_forced_then_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let run = [
        "-p",
        "2",
        "-n",
        "3000",
        "--max-bytes",
        "16K",
        "--json",
        "--dir",
        path,
    ];
    let first = stress(&run);
    assert!(first.status.success(), "{}", stderr(&first));
    let again = stress(&run);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("--dir {path} holds an earlier run's files"))
            && err.contains("add --force"),
        "{err}"
    );
    // With --force the earlier files go first: were any left (the shared
    // state's rotation count included), the second run would not verify.
    let forced = stress(&[&run[..], &["--force"]].concat());
    assert!(forced.status.success(), "{}", stderr(&forced));
    let (first, forced) = (json(&first), json(&forced));
    assert_eq!(forced["ok"], true, "{forced}");
    assert_eq!(forced["rotations"], first["rotations"], "{forced}");
    assert!(forced["files_pruned"].as_u64().unwrap() > 0, "{forced}");
}

#[test]
fn an_earlier_restart_proof_runs_files_are_deleted_by_force() {
    // A restart-proof run, then a renaming run forced into its directory:
    // a numbered file or the state's file number left behind would fail
    // the second run (an unexpected file; a log refused as restart-proof).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let run = ["-p", "2", "-n", "3000", "--max-bytes", "16K", "--dir", path];
    let first = stress(&[&run[..], &["--restart-proof"]].concat());
    assert!(first.status.success(), "{}", stderr(&first));
    let numbered = |dir: &std::path::Path| names(dir).into_iter().any(|n| n.starts_with("app.0"));
    assert!(numbered(dir.path()), "{:?}", names(dir.path()));
    let forced = stress(&[&run[..], &["--force", "--json"]].concat());
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(json(&forced)["ok"], true);
    assert!(!numbered(dir.path()), "{:?}", names(dir.path()));
}

#[test]
fn restart_proof_with_python_or_a_baseline_loop_is_refused() {
    refused(
        &["--restart-proof", "--python", "1"],
        "--restart-proof cannot be combined with --python or --only-python",
    );
    refused(
        &["--restart-proof", "--mode", "raw-flock", "--max-bytes", "0"],
        "--mode raw-flock writes app.log itself, without the library: --restart-proof does not apply",
    );
}

#[test]
fn the_defaults_rotate_at_1_mib_keeping_10_backups_and_verify_the_pruned_chain() {
    // Every default but the number of lines: 8 processes write 29 MB.
    let out = stress(&["-n", "30000", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["processes"], 8);
    assert_eq!(report["max_bytes"], 1_048_576);
    assert_eq!(report["backups_allowed"], 10);
    assert_eq!(report["backups_found"], 10);
    assert_eq!(report["pruned"], true);
    let rotations = report["rotations"].as_u64().unwrap();
    assert_eq!(report["files_pruned"], rotations - 10, "{report}");
    assert_eq!(
        report["lines_pruned"].as_u64().unwrap() + report["lines_found"].as_u64().unwrap(),
        240_000,
        "{report}"
    );
    assert_eq!(report["lost"], 0);
}

#[test]
fn the_run_with_no_flags_at_all_is_the_mission_configuration_and_verified() {
    // What the README's first command runs: 8 processes write 12,000,000
    // lines (1.3 GiB) through 1 MiB files keeping 10 backups, in a fresh
    // temporary directory removed afterwards.
    let started = std::time::Instant::now();
    let out = stress(&[]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{report}{}", stderr(&out));
    assert!(
        report.contains("8 processes × 1 thread × 1,500,000 lines of 120 B, mode sync, rotating at 1.00 MiB, keeping 10 backups"),
        "{report}"
    );
    assert!(
        report.contains("10 backups (0 gzipped) and the live file"),
        "{report}"
    );
    assert!(
        report.contains("lost 0, duplicated 0, torn 0, out of order 0"),
        "{report}"
    );
    assert!(report.contains("OK: every check held"), "{report}");
    eprintln!("crf-stress with no flags took {:.1?}", started.elapsed());
}

#[test]
fn the_json_report_has_exactly_the_documented_keys_and_types() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/crf-stress-json.md"))
        .unwrap();
    // Rows of the table: | `key` | type | meaning |
    let documented: Vec<(String, String)> = doc
        .lines()
        .filter_map(|row| {
            let mut cells = row.split('|').map(str::trim).skip(1);
            let key = cells.next()?.strip_prefix('`')?.strip_suffix('`')?;
            Some((key.to_owned(), cells.next()?.to_owned()))
        })
        .collect();
    assert!(documented.len() > 30, "{documented:?}");
    // One run with pruning (numbers) and one with a kill (nulls).
    let counted = json(&stress(&[
        "-p",
        "2",
        "-n",
        "3000",
        "--max-bytes",
        "16K",
        "--json",
    ]));
    let killed = json(&stress(&[
        "-p",
        "2",
        "-n",
        "3000",
        "--max-bytes",
        "16K",
        "--kill",
        "1",
        "--json",
    ]));
    for report in [&counted, &killed] {
        let object = report.as_object().unwrap();
        let mut keys: Vec<&String> = object.keys().collect();
        keys.sort();
        let mut expected: Vec<&String> = documented.iter().map(|(key, _)| key).collect();
        expected.sort();
        assert_eq!(keys, expected, "keys differ from tools/crf-stress-json.md");
        for (key, kind) in &documented {
            let value = &object[key];
            let fits = match kind.as_str() {
                "number" => value.is_number(),
                "bool" => value.is_boolean(),
                "string" => value.is_string(),
                "array" => value.is_array(),
                "number or null" => value.is_number() || value.is_null(),
                other => panic!("undocumented type {other} for {key}"),
            };
            assert!(fits, "{key} is documented as {kind}, found {value}");
        }
        assert_eq!(report["schema_version"], 1);
    }
    assert!(counted["lines_pruned"].is_number(), "{counted}");
    assert!(
        killed["lines_pruned"].is_null() || killed["killed"] == 0,
        "{killed}"
    );
}

#[test]
fn the_report_for_people_is_in_human_units() {
    let out = stress(&["-p", "2", "-n", "3000", "--max-bytes", "16K"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} row in:\n{text}"))
            .to_owned()
    };
    assert!(row("written").contains("6,000 lines"), "{text}");
    assert!(
        row("written").contains(" lines/s, ") && row("written").contains(" MB/s"),
        "{text}"
    );
    let latency = row("latency");
    for part in ["p50 ", "p99 ", "p99.9 ", "max "] {
        assert!(latency.contains(part), "{latency}");
    }
    assert!(
        ["ns", "µs", "ms"].iter().any(|unit| latency.contains(unit)),
        "{latency}"
    );
    assert!(row("found").contains("KiB"), "{text}");
    assert!(
        row("pruned").contains("as the rotations account for"),
        "{text}"
    );
    assert!(
        row("checked").contains("lost 0, duplicated 0, torn 0, out of order 0"),
        "{text}"
    );
    assert!(text.ends_with("OK: every check held\n"), "{text}");
    assert!(!text.contains("Some("), "{text}");
}

#[test]
fn help_opens_with_what_the_tool_is_for_and_an_example() {
    let out = stress(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.starts_with("Many processes write one rotating log at once"),
        "{help}"
    );
    assert!(help.contains("Examples:\n  crf-stress "), "{help}");
    assert!(!help.contains(env!("CARGO_PKG_DESCRIPTION")), "{help}");
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_is_reported_as_file_too_large_not_a_death_by_sigxfsz() {
    // The run and its writers under a 64 KiB file size limit: each writer
    // fails at the limit with EFBIG and says so, naming the file, and so
    // does the run, with status 1. No process dies of SIGXFSZ.
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("run");
    let mut command = Command::new(STRESS);
    command.args(["-p", "2", "-n", "1000", "--line-size", "200", "--dir"]);
    command.arg(&dir);
    // SAFETY: setrlimit is async-signal-safe and touches only the struct
    // on the stack; nothing else runs between fork and exec. std sets no
    // resource limits.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 64 * 1024,
                rlim_max: 64 * 1024,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = command.output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.signal(), None, "killed by a signal: {err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    let log = dir.join("app.log");
    // Each writer, then the run itself (its repair, as the next writer,
    // meets the limit too): one line each.
    let said = [
        "crf-stress writer 0: ",
        "crf-stress writer 1: ",
        "crf-stress: ",
    ];
    for who in said {
        let line = err.lines().find(|l| l.starts_with(who));
        assert!(
            line.is_some_and(|l| l.contains(log.to_str().unwrap()) && l.contains("File too large")),
            "{who}: {err}"
        );
    }
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn the_writers_rate_with_gzip_ends_when_the_lines_are_in_the_files_not_after_the_compressions() {
    // Every writer says when its lines are all in the files, before it
    // waits for its compressions at exit: that instant, not the exit, ends
    // the writers' own rate.
    let out = stress(&[
        "-p",
        "2",
        "-n",
        "20000",
        "--max-bytes",
        "64KiB",
        "--backups",
        "20",
        "--gzip",
        "--mode",
        "non-blocking",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["gzipped"].as_u64().unwrap() > 0, "{report}");
    let (in_files, seconds) = (
        report["in_files_seconds"].as_f64().unwrap(),
        report["seconds"].as_f64().unwrap(),
    );
    assert!(in_files > 0.0 && in_files < seconds, "{report}");
    assert!(
        report["writers_lines_per_second"].as_f64().unwrap()
            > report["lines_per_second"].as_f64().unwrap(),
        "{report}"
    );
}

#[test]
fn compress_after_keeps_a_restart_proof_logs_backups_plain_and_is_verified_so() {
    // By default a restart-proof log's backups stay plain for a shipper's
    // restart; --compress-after 0s gzips them at once. Either way every
    // check holds, the backups as the option leaves them.
    let run = |extra: &[&str]| {
        let mut args = vec![
            "-p",
            "2",
            "-n",
            "2000",
            "--max-bytes",
            "16KiB",
            "--backups",
            "100",
            "--restart-proof",
            "--gzip",
            "--json",
        ];
        args.extend(extra);
        let out = stress(&args);
        let report = json(&out);
        assert!(
            out.status.success() && report["ok"] == true,
            "{extra:?}: {report}\n{}",
            stderr(&out)
        );
        (report["gzipped"].as_u64(), report["backups_found"].as_u64())
    };
    let (gzipped, backups) = run(&[]);
    assert!(
        backups > Some(10) && gzipped == Some(0),
        "{backups:?} {gzipped:?}"
    );
    let (gzipped, backups) = run(&["--compress-after", "0s"]);
    assert!(
        backups > Some(10) && gzipped == backups,
        "{backups:?} {gzipped:?}"
    );
    let (gzipped, _) = run(&["--compress-after", "10m"]);
    assert_eq!(gzipped, Some(0));
}

#[test]
fn compress_after_without_gzip_is_refused() {
    refused(
        &["--compress-after", "5m"],
        "the following required arguments were not provided:\n  --gzip",
    );
}
