//! A run of `crf-stress` stopped before its end, as people and service
//! managers stop it: Ctrl-C typed into a real terminal (which sends SIGINT
//! to the whole foreground process group, writers included), SIGTERM to the
//! whole process group, SIGTERM to each process one by one, SIGINT to the
//! run alone. Each ends with "interrupted: nothing was verified", status
//! 130, no figure printed, the temporary directory removed (a `--dir`
//! kept), and no writer left. A run killed outright (SIGKILL, which it
//! cannot handle) leaves no writer either.
//!
//! Linux only: the tests find a process group's members in `/proc`, and
//! the kernel's parent-death signal is Linux's.

#![cfg(target_os = "linux")]

mod common;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::STRESS;
use test_support::{names, within};

/// How long a step that must happen may take before the test gives up on
/// it: a bound against hanging, not a measure of speed.
const PATIENCE: Duration = Duration::from_secs(60);

/// The process group a test's run leads: whatever is left of it when the
/// test ends, a failed one included, is killed, so that no run outlives
/// its test.
struct Group(u32);

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: kill(2) of a process group by its number; nothing if no
        // process is left in it.
        unsafe { libc::kill(-(self.0 as libc::pid_t), libc::SIGKILL) };
    }
}

/// Starts `command` as the leader of a process group of its own (which its
/// writers join), its output piped; the group is killed when the returned
/// guard goes.
fn start_in_own_group(command: &mut Command) -> (Child, Group) {
    let child = command
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let group = Group(child.id());
    (child, group)
}

/// Waits until `done` holds, failing the test with `what` after
/// [`PATIENCE`].
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A pseudo-terminal with a program running in it as a person's shell
/// runs one: the program leads a new session whose controlling terminal it
/// is, so its process group (the program and the writers it starts) is the
/// terminal's foreground group, and Ctrl-C typed into the terminal reaches
/// that whole group as SIGINT, sent by the kernel's line discipline.
struct Terminal {
    /// The terminal's own side, where a person types and reads.
    master: File,
    /// Everything the program and its writers printed, read as it comes so
    /// that the terminal never fills up.
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl Terminal {
    /// Starts `command` in a new 80x24 terminal: its standard input,
    /// output and error.
    fn start(mut command: Command) -> (Terminal, Child) {
        let (mut master, mut slave) = (-1, -1);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into the integers given;
        // a null name and termios ask for none and the defaults (ISIG on,
        // ^C the interrupt character). std has no pseudo-terminals.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned by nothing
        // else.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        command
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: setsid and ioctl are async-signal-safe and allocate
        // nothing; std can neither start a session nor take a controlling
        // terminal.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() == -1 || libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().unwrap();
        // The slave's last copies here go with the command: once the program
        // and its writers have all closed theirs, reading ends.
        drop(command);
        let master = File::from(master);
        let screen = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let (mut master, screen) = (master.try_clone().unwrap(), Arc::clone(&screen));
            std::thread::spawn(move || {
                let mut buf = [0; 4096];
                // EIO once no process holds the terminal any more.
                while let Ok(n @ 1..) = master.read(&mut buf) {
                    screen.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            })
        };
        let terminal = Terminal {
            master,
            screen,
            reader: Some(reader),
        };
        (terminal, child)
    }

    /// Types Ctrl-C.
    fn press_ctrl_c(&mut self) {
        self.master.write_all(b"\x03").unwrap();
    }

    /// Everything printed so far.
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.screen.lock().unwrap()).into_owned()
    }

    /// Waits until no process holds the terminal any more (the program and
    /// every writer it started have exited), then returns the screen.
    fn closed(mut self) -> String {
        let reader = self.reader.take().unwrap();
        within(PATIENCE.as_secs(), move || reader.join().unwrap());
        self.screen()
    }
}

/// The live processes of process group `group` (zombies, which are dead,
/// left out), read from `/proc`.
fn live_members(group: u32) -> Vec<u32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap() {
        let Ok(pid) = entry.unwrap().file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // Gone since the listing: not a member.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After the name in parentheses (which may hold anything): the
        // state, the parent and the process group.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
        let (state, pgrp) = (fields[0], fields[2].parse::<u32>().unwrap());
        if pgrp == group && state != "Z" && state != "X" {
            members.push(pid);
        }
    }
    members
}

/// Waits until the run that leads process group `group` has both its
/// writers started (each one in the group: a signal to the group reaches
/// it) and writing into the `app.log` of some directory `runs` holds (or
/// of `runs` itself).
fn wait_for_writers(group: u32, runs: &Path) {
    wait_until("the writers never started", || {
        live_members(group).len() == 3
    });
    wait_for_writing(runs);
}

/// Waits until writers are writing into the `app.log` of some directory
/// `runs` holds (or of `runs` itself).
fn wait_for_writing(runs: &Path) {
    let writing = || {
        let here = std::fs::metadata(runs.join("app.log")).is_ok_and(|m| m.len() > 0);
        here || runs.is_dir()
            && names(runs).iter().any(|run| {
                std::fs::metadata(runs.join(run).join("app.log")).is_ok_and(|m| m.len() > 0)
            })
    };
    wait_until("the writers never wrote", writing);
}

/// Waits for `child` to exit, failing the test if it hangs.
fn exit_status(child: Child) -> Output {
    within(PATIENCE.as_secs(), move || {
        child.wait_with_output().unwrap()
    })
}

/// What must not follow an interruption: any figure of a verification or
/// a write rate, as if the run had finished.
fn assert_no_figures(screen: &str) {
    for figure in [
        "written ", "lines/s", "checked", "lost", "FAILED", "PROBLEM", "OK:",
    ] {
        assert!(!screen.contains(figure), "`{figure}` printed: {screen}");
    }
}

/// A run that writes until it is stopped (two writers, as many lines as a
/// run may have), with its temporary directory in `tmp`.
fn endless_run(tmp: &Path) -> Command {
    let mut command = Command::new(STRESS);
    command
        .args(["-p", "2", "-n", "1000000000"])
        .env("TMPDIR", tmp);
    command
}

#[test]
fn ctrl_c_in_a_terminal_ends_the_run_unverified_and_removes_its_temporary_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut terminal, child) = Terminal::start(endless_run(tmp.path()));
    let group = child.id();
    let _cleanup = Group(group);
    wait_for_writers(group, tmp.path());
    // The line saying what runs comes before the progress bar.
    wait_until("no progress bar", || {
        terminal.screen().contains("writing [")
    });
    let screen = terminal.screen();
    let header = screen
        .find("crf-stress: 2 processes × 1 thread × 1,000,000,000 lines of 120 B, mode sync, rotating at 1.00 MiB, keeping 10 backups")
        .unwrap_or_else(|| panic!("no header: {screen}"));
    assert!(header < screen.find("writing [").unwrap(), "{screen}");

    terminal.press_ctrl_c();
    let status = exit_status(child).status;
    let screen = terminal.closed();
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(
        screen.contains(
            "crf-stress: interrupted: nothing was verified; the writers were stopped and their temporary directory removed"
        ),
        "{screen}"
    );
    assert_no_figures(&screen[header..]);
    assert_eq!(names(tmp.path()), Vec::<String>::new());
    assert_eq!(live_members(group), Vec::<u32>::new());
}

#[test]
fn sigterm_to_the_process_group_ends_the_run_unverified_and_keeps_the_dir_given() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let mut command = endless_run(tmp.path());
    command.arg("--dir").arg(&dir);
    let (terminal, child) = Terminal::start(command);
    let group = child.id();
    let _cleanup = Group(group);
    wait_for_writers(group, &dir);

    // SAFETY: kill(2) of the process group our child leads; it has not
    // been waited for, so the group still exists.
    assert_eq!(
        unsafe { libc::kill(-(group as libc::pid_t), libc::SIGTERM) },
        0
    );
    let status = exit_status(child).status;
    let screen = terminal.closed();
    assert_eq!(status.code(), Some(130), "{screen}");
    assert!(
        screen.contains(&format!(
            "crf-stress: interrupted: nothing was verified; the writers were stopped and what they wrote left in {}",
            dir.display()
        )),
        "{screen}"
    );
    assert_no_figures(&screen);
    assert!(
        names(&dir).contains(&"app.log".to_owned()),
        "{:?}",
        names(&dir)
    );
    assert_eq!(live_members(group), Vec::<u32>::new());
}

#[test]
fn a_stop_sent_to_each_process_writers_first_as_a_service_manager_does_ends_the_run_unverified() {
    // A service manager's stop signals every process of the service in
    // turn: the writers may get it before the run. They leave it to the
    // run, and keep writing until the run stops them.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let (child, cleanup) = start_in_own_group(endless_run(tmp.path()).arg("--dir").arg(&dir));
    let group = cleanup.0;
    wait_for_writers(group, &dir);
    let writers: Vec<u32> = live_members(group)
        .into_iter()
        .filter(|&pid| pid != group)
        .collect();
    assert_eq!(writers.len(), 2, "{writers:?}");
    for &writer in &writers {
        // SAFETY: kill(2) of a live writer of our child, which our child
        // has not reaped: it cannot reap it before it has exited.
        assert_eq!(
            unsafe { libc::kill(writer as libc::pid_t, libc::SIGTERM) },
            0
        );
    }
    // Half a megabyte more, written after the signal (far more than the
    // lines in flight when it came): the writers took no harm.
    let size = || std::fs::metadata(dir.join("app.log")).map_or(0, |m| m.len());
    let (mut last, mut since) = (size(), 0);
    wait_until("the writers died of a SIGTERM meant for the run", || {
        let now = size();
        // A smaller file is a new one, after a rotation.
        since += if now < last { now } else { now - last };
        last = now;
        since > (1 << 20) / 2
    });
    assert_eq!(live_members(group).len(), 3);

    // SAFETY: kill(2) of our own child, which has not been waited for.
    assert_eq!(
        unsafe { libc::kill(group as libc::pid_t, libc::SIGTERM) },
        0
    );
    let out = exit_status(child);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: nothing was verified"), "{err}");
    assert_no_figures(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(live_members(group), Vec::<u32>::new());
}

#[test]
fn sigint_to_the_run_alone_ends_it_unverified_and_removes_its_temporary_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let (child, group) = start_in_own_group(&mut endless_run(tmp.path()));
    wait_for_writers(group.0, tmp.path());
    // SAFETY: kill(2) of our own child, which has not been waited for.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let out = exit_status(child);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: nothing was verified; the writers were stopped and their temporary directory removed"),
        "{err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("crf-stress: 2 processes"), "{stdout}");
    assert_no_figures(&stdout);
    assert_eq!(names(tmp.path()), Vec::<String>::new());
}

#[test]
fn no_writer_outlives_a_run_killed_with_sigkill() {
    // SIGKILL cannot be handled: the run dies at once, without stopping its
    // writers. Paced at one line a second, they would not notice for
    // minutes on their own (their next report, into a pipe nobody reads).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let (mut run, cleanup) = start_in_own_group(
        endless_run(tmp.path())
            .args(["--rate", "1", "--dir"])
            .arg(&dir),
    );
    let group = cleanup.0;
    wait_for_writers(group, &dir);
    run.kill().unwrap();
    run.wait().unwrap();
    wait_until("writers outlived the run", || {
        live_members(group).is_empty()
    });
}
