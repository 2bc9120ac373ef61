//! `crf`'s flags, end to end through a real process: time rotation and
//! retention, file modes, the lock directory, compression level,
//! restart-proof files, the lock timeout and warning against a lock held
//! by another process, each bad flag refused with status 2 and a message
//! naming it, and a file size limit reported as a write failure rather
//! than a kill.

mod common;

use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
#[cfg(unix)]
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use crf_tools::verify::OWN_DIR;
use test_support::names;

const CRF: &str = env!("CARGO_BIN_EXE_crf");

/// Runs `crf` with `args`, `input` on its standard input, to its end.
fn crf(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(CRF)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // crf may stop reading early (a refusal, a failed write).
    let _ = stdin.write_all(input);
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// Writes `path` with `text`, last modified `age` ago.
fn write_aged(path: &Path, text: &str, age: Duration) -> SystemTime {
    std::fs::write(path, text).unwrap();
    let when = SystemTime::now() - age;
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
    when
}

/// The UTC label a period starting at `time` gives its backup.
fn label(time: SystemTime, format: &str) -> String {
    DateTime::<Utc>::from(time).format(format).to_string()
}

const HOUR: Duration = Duration::from_secs(3_600);
const DAY: Duration = Duration::from_secs(86_400);

#[test]
fn rotate_every_day_rotates_a_file_from_an_earlier_day_into_its_dated_backup() {
    // A log last written three days ago, with no shared state yet: the
    // first line today closes that day's file under its date (the period
    // of a file the state does not know is its modification time's).
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let then = write_aged(&log, "three days ago\n", 3 * DAY);
    let out = crf(
        &[log.to_str().unwrap(), "--rotate-every", "day", "--utc"],
        b"today\n",
    );
    assert_ok(&out);
    let backup = dir
        .path()
        .join(format!("app.log.{}", label(then, "%Y-%m-%d")));
    assert_eq!(read(&backup), "three days ago\n", "{:?}", names(dir.path()));
    assert_eq!(read(&log), "today\n");
}

#[test]
fn rotate_every_hour_names_the_backup_by_its_hour() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let then = write_aged(&log, "earlier\n", 3 * HOUR);
    let out = crf(
        &[log.to_str().unwrap(), "--rotate-every", "hour", "--utc"],
        b"now\n",
    );
    assert_ok(&out);
    let backup = dir
        .path()
        .join(format!("app.log.{}", label(then, "%Y-%m-%d_%H")));
    assert_eq!(read(&backup), "earlier\n", "{:?}", names(dir.path()));
}

#[test]
fn rotate_every_alone_rotates_by_time_only() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let line = format!("{}\n", "x".repeat(1023));
    let input = line.repeat(2048); // 2 MiB, twice the default size limit
    let out = crf(
        &[log.to_str().unwrap(), "--rotate-every", "day"],
        input.as_bytes(),
    );
    assert_ok(&out);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), 2 << 20);
    assert_eq!(names(dir.path()), [OWN_DIR, "app.log"]);
}

#[test]
fn max_age_deletes_the_dated_backups_older_than_it_at_the_next_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let now = SystemTime::now();
    let day = |ago: u32| label(now - ago * DAY, "%Y-%m-%d");
    for ago in [40, 10, 5] {
        std::fs::write(dir.path().join(format!("app.log.{}", day(ago))), "old\n").unwrap();
    }
    write_aged(&log, "yesterday\n", DAY);
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--rotate-every",
            "day",
            "--utc",
            "--max-age",
            "7d",
        ],
        b"today\n",
    );
    assert_ok(&out);
    let mut expected = vec![
        "app.log".to_owned(),
        format!("app.log.{}", day(5)),
        format!("app.log.{}", day(1)),
    ];
    expected.sort();
    let kept: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("app.log"))
        .collect();
    assert_eq!(kept, expected);
}

#[test]
fn max_age_deletes_old_numbered_backups_at_the_next_rotation() {
    // Size rotation only: a numbered backup's age is its modification time.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    for n in 1..=3 {
        write_aged(&dir.path().join(format!("app.log.{n}")), "old\n", 10 * DAY);
    }
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--max-bytes",
            "20",
            "--max-age",
            "7d",
        ],
        b"first line, 16B\nsecond line, 17B\n",
    );
    assert_ok(&out);
    assert_eq!(read(dir.path().join("app.log.1")), "first line, 16B\n");
    assert_eq!(read(&log), "second line, 17B\n");
    assert!(
        !dir.path().join("app.log.2").exists(),
        "{:?}",
        names(dir.path())
    );
}

#[test]
fn max_total_bytes_keeps_the_newest_backups_within_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let input: String = (0..60)
        .map(|i| format!("{i:04} {}\n", "x".repeat(94)))
        .collect();
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--max-bytes",
            "1K",
            "--backups",
            "100",
            "--max-total-bytes",
            "3K",
        ],
        input.as_bytes(),
    );
    assert_ok(&out);
    let backups: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.starts_with("app.log."))
        .collect();
    let total: u64 = backups
        .iter()
        .map(|n| std::fs::metadata(dir.path().join(n)).unwrap().len())
        .sum();
    // 60 lines of 100 bytes, 10 per file: 5 backups made, 3 of them fit.
    assert_eq!(backups, ["app.log.1", "app.log.2", "app.log.3"], "{total}");
    assert!(total <= 3 * 1024, "{total}");
    assert!(read(dir.path().join("app.log.3")).starts_with("0020 "));
    assert!(read(&log).ends_with(&format!("0059 {}\n", "x".repeat(94))));
}

#[cfg(unix)]
#[test]
fn mode_sets_the_permission_bits_of_every_file_created() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let out = crf(&[log.to_str().unwrap(), "--mode", "640"], b"line\n");
    assert_ok(&out);
    let lock = format!("{OWN_DIR}/app.log.lock");
    for name in ["app.log", &lock] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "{name}: {mode:o}");
    }
}

#[cfg(unix)]
#[test]
fn dir_mode_and_group_reach_every_directory_and_file_created() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/app.log");
    // SAFETY: getegid cannot fail and touches no memory.
    let group = unsafe { libc::getegid() };
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--mode",
            "640",
            "--dir-mode",
            "750",
            "--group",
            &group.to_string(),
            "--max-bytes",
            "64",
            "--gzip",
        ],
        "a line of about thirty bytes\n".repeat(8).as_bytes(),
    );
    assert_ok(&out);
    let logs = dir.path().join("logs");
    let own = logs.join(OWN_DIR);
    let mut checked = 0;
    for path in [logs.clone(), own.clone()]
        .into_iter()
        .chain(std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()))
        .chain(std::fs::read_dir(&own).unwrap().map(|e| e.unwrap().path()))
    {
        let meta = std::fs::metadata(&path).unwrap();
        let expected = if meta.is_dir() { 0o750 } else { 0o640 };
        assert_eq!(meta.permissions().mode() & 0o7777, expected, "{path:?}");
        assert_eq!(
            std::os::unix::fs::MetadataExt::gid(&meta),
            group,
            "{path:?}"
        );
        checked += 1;
    }
    assert!(
        logs.join("app.log.1.gz").exists() && checked >= 6,
        "{:?}",
        names(&logs)
    );
}

#[test]
fn rotate_now_rotates_without_reading_and_gzips_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    assert_ok(&crf(&[log.to_str().unwrap()], b"before the deploy\n"));
    let out = crf(
        &[log.to_str().unwrap(), "--rotate-now", "--gzip"],
        b"not read\n",
    );
    assert_ok(&out);
    let gz = std::fs::File::open(dir.path().join("app.log.1.gz")).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
    assert_eq!(text, "before the deploy\n");
    assert_eq!(read(&log), "");
    // Nothing more to rotate: said, and no error.
    let out = crf(&[log.to_str().unwrap(), "--rotate-now"], b"");
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not rotated"));
    assert!(!dir.path().join("app.log.2").exists());
}

#[test]
fn reopen_starts_a_fresh_file_after_an_outside_move() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    assert_ok(&crf(&[log.to_str().unwrap()], b"old\n"));
    std::fs::rename(&log, dir.path().join("moved.log")).unwrap();
    assert_ok(&crf(&[log.to_str().unwrap(), "--reopen"], b"not read\n"));
    assert_eq!(read(&log), "");
    assert_eq!(read(dir.path().join("moved.log")), "old\n");
}

#[test]
fn lock_dir_keeps_the_lock_file_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let locks = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--lock-dir",
            locks.path().to_str().unwrap(),
        ],
        b"line\n",
    );
    assert_ok(&out);
    let in_lock_dir = names(locks.path());
    assert!(
        in_lock_dir
            .iter()
            .any(|n| n.starts_with("app.log.") && n.ends_with(".lock")),
        "{in_lock_dir:?}"
    );
    assert!(!dir.path().join(OWN_DIR).join("app.log.lock").exists());
    assert!(!dir.path().join(".__app.lock").exists());
}

#[test]
fn share_with_python_locks_pythons_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    assert_ok(&crf(&[log.to_str().unwrap()], b"line\n"));
    assert!(!dir.path().join(".__app.lock").exists());
    let shared = tempfile::tempdir().unwrap();
    let log = shared.path().join("app.log");
    assert_ok(&crf(
        &[log.to_str().unwrap(), "--share-with-python"],
        b"line\n",
    ));
    assert!(
        shared.path().join(".__app.lock").exists(),
        "{:?}",
        names(shared.path())
    );
}

#[test]
fn compression_level_reaches_the_gzipped_backups() {
    // The gzip header's XFL byte says how hard the data was compressed:
    // 4 for the fastest levels, 2 for level 9.
    let input: String = (0..40)
        .map(|i| format!("line {i:04} {}\n", "y".repeat(60)))
        .collect();
    for (args, xfl) in [(&[][..], 4), (&["--compression-level", "9"][..], 2)] {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let mut all = vec![log.to_str().unwrap(), "--max-bytes", "1K", "--gzip"];
        all.extend(args);
        assert_ok(&crf(&all, input.as_bytes()));
        let gz = std::fs::read(dir.path().join("app.log.1.gz")).unwrap();
        assert_eq!(gz[8], xfl, "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn restart_proof_starts_numbered_files_and_keeps_the_file_a_name_of_the_live_one() {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let input: String = (0..10).map(|i| format!("line {i:04}\n")).collect(); // 10 bytes each
    for half in [&input[..50], &input[50..]] {
        let out = crf(
            &[
                log.to_str().unwrap(),
                "--max-bytes",
                "30",
                "--restart-proof",
            ],
            half.as_bytes(),
        );
        assert_ok(&out);
    }
    assert_eq!(
        names(dir.path()),
        [
            OWN_DIR,
            "app.000001.log",
            "app.000002.log",
            "app.000003.log",
            "app.000004.log",
            "app.log"
        ]
    );
    assert_eq!(read(dir.path().join("app.000002.log")), input[30..60]);
    let inode = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().ino();
    assert_eq!(inode("app.log"), inode("app.000004.log"));
    // A crf without the flag refuses the log rather than rename its files.
    let out = crf(&[log.to_str().unwrap()], b"refused\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("restart_proof(true)"), "{err}");
}

/// Runs `crf` on a fresh log with `args` after the file; asserts it refused
/// with status 2 and `message`, once, and created no file.
fn refused(args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut all = vec![log.to_str().unwrap()];
    all.extend(args);
    let out = crf(&all, b"never written\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.matches(message).count(), 1, "{args:?}: {err}");
    assert!(
        names(dir.path()).is_empty(),
        "{args:?}: {:?}",
        names(dir.path())
    );
}

#[test]
fn no_backups_with_rotation_on_is_refused() {
    refused(
        &["--backups", "0"],
        "--backups must be at least 1 while the file rotates",
    );
    refused(
        &[
            "--backups",
            "0",
            "--max-bytes",
            "0",
            "--rotate-every",
            "day",
        ],
        "--backups must be at least 1 while the file rotates",
    );
}

#[test]
fn restart_proof_with_share_with_python_is_refused() {
    refused(
        &["--restart-proof", "--share-with-python"],
        "'--restart-proof' cannot be used with '--share-with-python'",
    );
}

#[test]
fn bad_sizes_durations_and_periods_are_refused_naming_the_flag() {
    refused(
        &["--max-bytes", "1.5X"],
        "'--max-bytes <SIZE>': `1.5X`: unknown unit `X`",
    );
    refused(
        &["--max-total-bytes", "much"],
        "'--max-total-bytes <SIZE>': `much` is not a size",
    );
    refused(&["--max-age", "90"], "'--max-age <AGE>': `90` needs a unit");
    refused(
        &["--max-age", "5x"],
        "'--max-age <AGE>': `5x`: unknown unit `x`",
    );
    refused(&["--max-age", "0s"], "--max-age must be longer than 0s");
    refused(
        &["--max-total-bytes", "0"],
        "--max-total-bytes must be more than 0",
    );
    refused(
        &["--rotate-every", "fortnight"],
        "'--rotate-every <PERIOD>': `fortnight` is not a period",
    );
}

#[test]
fn exclude_drops_the_lines_containing_any_of_its_texts() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let out = crf(
        &[
            log.to_str().unwrap(),
            "--exclude",
            "HTTP Request:",
            "--exclude",
            "DEBUG",
        ],
        b"INFO started\nINFO HTTP Request: GET /a\nDEBUG cache warm\nWARNING disk 91% full\nHTTP Request: no newline",
    );
    assert_ok(&out);
    assert_eq!(read(&log), "INFO started\nWARNING disk 91% full\n");
    refused(&["--exclude", ""], "--exclude needs some text");
}

#[test]
fn bad_modes_and_levels_are_refused_naming_the_flag() {
    refused(
        &["--mode", "1777"],
        "'--mode <OCTAL>': `1777` has bits beyond 777",
    );
    refused(
        &["--mode", "rw-r-----"],
        "'--mode <OCTAL>': `rw-r-----` is not permission bits in octal",
    );
    refused(
        &["--gzip", "--compression-level", "10"],
        "'--compression-level <0-9>': 10 is not in 0..=9",
    );
    refused(
        &["--compression-level", "9"],
        "required arguments were not provided:\n  --gzip",
    );
    refused(
        &["--utc"],
        "required arguments were not provided:\n  --rotate-every <PERIOD>",
    );
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_is_a_write_failure_with_its_message_not_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let mut command = Command::new(CRF);
    command
        .arg(&log)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the struct
    // on the stack; nothing else runs between fork and exec. std sets no
    // resource limits.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = format!("{}\n", "z".repeat(99));
    for _ in 0..100 {
        if stdin.write_all(line.as_bytes()).is_err() {
            break; // crf stopped reading: it failed, as it should
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), None, "killed by a signal: {err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("crf: ")
            && err.contains(log.to_str().unwrap())
            && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // What was written is within the limit: whole lines, then at most the
    // beginning of the line the limit cut.
    let written = read(&log);
    assert!(written.len() <= 4096, "{}", written.len());
    let mut lines: Vec<&str> = written.split_inclusive('\n').collect();
    let last = lines.pop().unwrap();
    assert!(lines.iter().all(|l| *l == line), "{written}");
    assert!(line.starts_with(last.trim_end_matches('\n')), "{last}");
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_root)),
    ignore = "needs Linux and root (mounts a 256 KiB tmpfs to fill); .ci/run runs it as root"
)]
#[cfg(unix)]
fn a_full_disk_at_the_first_open_is_status_2_and_one_line_naming_the_path_not_a_sigbus() {
    // Status 2: the log cannot be opened (see `crf --help`).
    test_support::require_root("mounts a tmpfs to fill");
    let dir = tempfile::tempdir().unwrap();
    let fs = test_support::SmallFs::mount(&dir.path().join("small"));
    fs.fill("ballast");
    let log = fs.path().join("app.log");
    let mut child = Command::new(CRF)
        .arg(&log)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // crf may fail before it reads: a write it refuses is fine.
    let _ = child.stdin.take().unwrap().write_all(b"a line\n");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), None, "killed by a signal: {err}");
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("crf: ")
            && err.contains(fs.path().to_str().unwrap())
            && err.contains("app.log.state")
            && err.contains("No space left on device"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn help_opens_with_what_the_tool_is_for_and_an_example() {
    let out = Command::new(CRF).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.starts_with("Append standard input to a rotating log file, line by line"),
        "{help}"
    );
    assert!(
        help.contains("Examples:\n  some-program 2>&1 | crf logs/app.log"),
        "{help}"
    );
    assert!(!help.contains(env!("CARGO_PKG_DESCRIPTION")), "{help}");
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: a holder outside this library is named from /proc/locks"
)]
fn lock_timeout_gives_up_a_write_whose_lock_another_process_holds_naming_it() {
    // Bounded: without the timeout, crf would wait for ever.
    test_support::within(30, || {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let log_arg = log.to_str().unwrap();
        let mut child = Command::new(CRF)
            .args([log_arg, "--lock-timeout", "0.3s"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"before the lock was taken\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !std::fs::read_to_string(&log).is_ok_and(|text| text.contains("before")) {
            assert!(std::time::Instant::now() < deadline, "crf wrote nothing");
            std::thread::sleep(Duration::from_millis(10));
        }
        // Held by this process; crf sees another process present at its next
        // look (within 100 ms) and takes the flock from then on.
        let held = test_support::HeldLock::of(&dir.path().join(OWN_DIR).join("app.log.lock"));
        std::thread::sleep(Duration::from_millis(300));
        let started = std::time::Instant::now();
        // crf may have stopped reading already.
        let _ = stdin.write_all(b"while it is held\n");
        drop(stdin);
        let out = child.wait_with_output().unwrap();
        let waited = started.elapsed();
        drop(held);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("app.log.lock"), "{err}");
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        assert!(waited < Duration::from_secs(5), "{waited:?}");
        assert_eq!(read(&log), "before the lock was taken\n");
    });
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: a holder outside this library is named from /proc/locks"
)]
fn lock_timeout_at_the_start_is_status_2_and_lock_warning_names_the_holder() {
    // Bounded: without the timeout, crf would wait for ever.
    test_support::within(30, || {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let log_arg = log.to_str().unwrap();
        assert_ok(&crf(&[log_arg], b"first\n"));
        let held = test_support::HeldLock::of(&dir.path().join(OWN_DIR).join("app.log.lock"));
        let timed_out = crf(&[log_arg, "--lock-timeout", "0.3s"], b"never written\n");
        let err = String::from_utf8_lossy(&timed_out.stderr);
        assert_eq!(timed_out.status.code(), Some(2), "{err}");
        assert!(err.contains("app.log.lock"), "{err}");
        // No timeout: it waits, says once who holds the lock, and writes once
        // the lock is let go.
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1500));
            drop(held);
        });
        let waited = crf(&[log_arg, "--lock-warning", "0.5s"], b"second\n");
        releaser.join().unwrap();
        assert_ok(&waited);
        let err = String::from_utf8_lossy(&waited.stderr);
        assert_eq!(
            err.matches(&format!("process {}", std::process::id()))
                .count(),
            1,
            "{err}"
        );
        assert_eq!(read(&log), "first\nsecond\n");
        refused(
            &["--lock-timeout", "0s"],
            "--lock-timeout must be longer than 0s",
        );
    });
}

#[test]
fn restart_proof_backups_stay_plain_by_default_and_compress_after_0s_gzips_them_at_once() {
    // A shipper of a restart-proof log finds the files a restart made it
    // miss still in its glob: gzip waits 5 minutes unless told otherwise.
    let lines: String = (0..40)
        .map(|i| format!("request {i:03} served\n"))
        .collect();
    let files = |extra: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let mut args = vec![
            log.to_str().unwrap(),
            "--restart-proof",
            "--gzip",
            "--max-bytes",
            "200",
        ];
        args.extend(extra);
        assert_ok(&crf(&args, lines.as_bytes()));
        let mut names = names(dir.path());
        names.retain(|n| !n.starts_with('.'));
        names
    };
    let plain = files(&[]);
    assert!(
        plain.len() > 3 && !plain.iter().any(|n| n.ends_with(".gz")),
        "{plain:?}"
    );
    let gzipped = files(&["--compress-after", "0s"]);
    assert_eq!(
        gzipped.iter().filter(|n| n.ends_with(".log.gz")).count(),
        gzipped.len() - 2,
        "every file but the live one and app.log: {gzipped:?}"
    );
}
