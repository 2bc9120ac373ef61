//! Writers in different pid namespaces, as in containers on one host that
//! share a log volume. A pid says nothing there: two writers may have one
//! (each the first process of its namespace, pid 1), and a newcomer may
//! not see the pid of one inside (pid 2 of its namespace, none in the
//! newcomer's). Neither may let a newcomer enter beside a writer stopped
//! inside a record (a frozen container): tokens differ by a random part of
//! each process, and whether a holder lives is asked of a lock it holds,
//! not of its pid (guarantee: one writer at a time, whatever happens to
//! the lock file).

// Unix only: Linux's pid namespaces.
#![cfg(unix)]

mod common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Fleet;
use crf_tools::verify::OWN_DIR;

const CRF: &str = env!("CARGO_BIN_EXE_crf");

/// The holder slot of the state file (its 13th word): who is inside, with
/// the top bit set if it entered without the `flock`.
const HOLDER_OFFSET: usize = 12 * 8;
const ENTERED_ALONE: u64 = 1 << 63;

/// `command` in a new pid namespace: as its first process (pid 1), or
/// after a shell, as its second (pid 2).
fn in_new_pid_namespace(command: &Command, pid: u32) -> Command {
    let mut unshare = Command::new("unshare");
    unshare.args(["--pid", "--fork", "--kill-child"]);
    if pid == 2 {
        unshare.args(["sh", "-c", "\"$@\" & wait", "sh"]);
    }
    unshare.arg(command.get_program()).args(command.get_args());
    unshare
}

/// The pid, in this namespace, of the first child of `parent`.
fn first_child(parent: u32) -> u32 {
    let path = format!("/proc/{parent}/task/{parent}/children");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let children = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            return pid.parse().unwrap();
        }
        assert!(Instant::now() < deadline, "{parent} started no child");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn signal(pid: u32, signal: libc::c_int) {
    // SAFETY: kill only sends a signal to a pid this test started.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, signal) }, 0);
}

/// Ends a writer, stopped or not, whatever the test's outcome.
struct Ends(u32, Child);

impl Drop for Ends {
    fn drop(&mut self) {
        // SAFETY: kill only sends signals to a pid this test started.
        unsafe {
            libc::kill(self.0 as libc::pid_t, libc::SIGCONT);
            libc::kill(self.0 as libc::pid_t, libc::SIGKILL);
        }
        let _ = self.1.wait();
    }
}

fn holder(state: &std::path::Path) -> u64 {
    let bytes = std::fs::read(state).unwrap();
    u64::from_le_bytes(bytes[HOLDER_OFFSET..HOLDER_OFFSET + 8].try_into().unwrap())
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_unshare)),
    ignore = "needs Linux, root and unshare (makes pid namespaces); .ci/run runs it as root"
)]
fn a_newcomer_with_the_same_pid_never_enters_beside_a_writer_stopped_inside() {
    newcomer_waits_for_a_writer_stopped_inside(1);
}

#[test]
#[cfg_attr(
    not(all(target_os = "linux", crf_has_unshare)),
    ignore = "needs Linux, root and unshare (makes pid namespaces); .ci/run runs it as root"
)]
fn a_newcomer_that_cannot_see_the_pid_never_enters_beside_a_writer_stopped_inside() {
    newcomer_waits_for_a_writer_stopped_inside(2);
}

/// A writer, pid `pid` of its namespace, stopped inside a record; a
/// newcomer, pid 1 of another, must wait for it and give up after its
/// timeout, which is longer than the time after which a holder that looks
/// dead is taken for dead.
fn newcomer_waits_for_a_writer_stopped_inside(pid: u32) {
    test_support::require_root("makes pid namespaces with unshare");
    // Bounded: a newcomer let in would not hang, but a writer left stopped
    // would.
    test_support::within(120, move || {
        let dir = tempfile::tempdir().unwrap();
        let fleet = Fleet {
            processes: 1,
            lines: 100_000_000,
            max_bytes: 1 << 20,
            backups: 3,
            ..Fleet::new(dir.path())
        };
        let state = dir.path().join(OWN_DIR).join("app.log.state");
        // A writer alone with the log, pid 1 of its namespace: after its
        // first 100 ms it enters without the flock.
        let alone = in_new_pid_namespace(&fleet.command(0), pid)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut writer = first_child(alone.id());
        if pid == 2 {
            writer = first_child(writer);
        }
        let _ends = Ends(writer, alone);
        std::thread::sleep(Duration::from_millis(400));
        // Stopped until it is stopped inside a record.
        let mut inside = 0;
        for _ in 0..200 {
            signal(writer, libc::SIGSTOP);
            std::thread::sleep(Duration::from_millis(20));
            inside = holder(&state);
            if inside & ENTERED_ALONE != 0 {
                break;
            }
            signal(writer, libc::SIGCONT);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_ne!(inside & ENTERED_ALONE, 0, "never stopped inside a record");
        assert_eq!(inside as u32, pid, "the writer's pid in its namespace");
        // A newcomer, pid 1 of another namespace: it must wait for the one
        // inside (stopped, not dead) and give up after its timeout.
        let mut crf = Command::new(CRF);
        crf.arg(&fleet.log).args(["--lock-timeout", "2s"]);
        let mut newcomer = in_new_pid_namespace(&crf, 1)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = newcomer.stdin.take().unwrap();
        let _ = stdin.write_all(b"the newcomer's line\n");
        drop(stdin);
        let out = newcomer.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let still_inside = holder(&state);
        assert_ne!(
            out.status.code(),
            Some(0),
            "the newcomer entered beside the writer stopped inside: {err}"
        );
        assert!(err.contains("app.log.lock"), "{err}");
        assert_eq!(still_inside, inside, "the holder slot changed hands");
    });
}
