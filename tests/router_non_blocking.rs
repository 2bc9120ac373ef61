//! A router's background writer in one process: one thread for every name,
//! flush and shutdown lose nothing (guarantee: acknowledged means
//! written), a lossy queue counts what it drops, handles alive after the
//! guard write synchronously. Several processes are in
//! `router_processes.rs`.
//!
//! The tests count this process's threads by name, so they run one at a
//! time.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use concurrent_rotating_file::{NonBlockingRouter, RotatingFile, Router};
use log::Log;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Held for a whole test; a test that failed holding it does not fail the
/// others.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn router(dir: &Path, max_bytes: u64) -> Router {
    let dir = dir.to_path_buf();
    Router::new(move |name: &str| {
        RotatingFile::builder(dir.join(format!("{name}.log")))
            .max_bytes(max_bytes)
            .backups(1000)
    })
}

/// Lines of `name`'s live file and backups, each with the file it is in.
fn lines_of(dir: &Path, name: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if file == format!("{name}.log") || file.starts_with(&format!("{name}.log.")) {
            let text = std::fs::read_to_string(dir.join(&file)).unwrap();
            lines.extend(text.lines().map(str::to_owned));
        }
    }
    lines
}

/// The threads of this process with this name.
fn threads_named(name: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end() == name)
        .count()
}

fn record(writer: &NonBlockingRouter, target: &str, text: &str) {
    writer.log(
        &log::Record::builder()
            .level(log::Level::Info)
            .target(target)
            .args(format_args!("{text}"))
            .build(),
    );
}

#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "needs Linux: threads are counted by name in /proc/self/task"
)]
fn one_background_thread_writes_for_every_name() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let before = threads_named("crf-router");
    let (writer, guard) = router(dir.path(), 1 << 20).non_blocking();
    for i in 0..200 {
        record(&writer, &format!("name{}", i % 20), &format!("event {i}"));
    }
    writer.flush().unwrap();
    assert_eq!(threads_named("crf-router"), before + 1);
    assert_eq!(writer.router().stats().open_files, 20);
    for n in 0..20 {
        assert_eq!(lines_of(dir.path(), &format!("name{n}")).len(), 10);
    }
    drop(guard);
    assert_eq!(threads_named("crf-router"), before);
}

#[test]
fn flush_and_shutdown_lose_nothing_across_names_and_rotations() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let (writer, guard) = router(dir.path(), 4096)
        .non_blocking_builder()
        .capacity(64)
        .finish();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer.clone())
        .with_ansi(false)
        .finish();
    let dispatch = tracing::Dispatch::new(subscriber);
    let send =
        |round: u32| {
            std::thread::scope(|scope| {
                for t in 0..4 {
                    let writer = writer.clone();
                    let dispatch = dispatch.clone();
                    scope.spawn(move || {
                    tracing::dispatcher::with_default(&dispatch, || {
                        for i in 0..500 {
                            tracing::info!(target: "web", "round {round} thread {t} web {i}");
                            tracing::info!(target: "db::pool", "round {round} thread {t} db {i}");
                            record(&writer, "jobs", &format!("round {round} thread {t} jobs {i}"));
                        }
                    });
                });
                }
            });
        };
    send(1);
    writer.flush().unwrap();
    for name in ["web", "db", "jobs"] {
        let lines = lines_of(dir.path(), name);
        assert_eq!(lines.len(), 2000, "{name} after flush");
    }
    send(2);
    drop(guard);
    for name in ["web", "db", "jobs"] {
        let mut seen: Vec<String> = lines_of(dir.path(), name)
            .iter()
            .map(|l| {
                let at = l.find("round ").expect("the message");
                l[at..].to_owned()
            })
            .collect();
        seen.sort();
        let mut expected: Vec<String> = (1..=2)
            .flat_map(|round| {
                (0..4).flat_map(move |t| {
                    (0..500).map(move |i| format!("round {round} thread {t} {name} {i}"))
                })
            })
            .collect();
        expected.sort();
        assert_eq!(seen, expected, "{name}: each event exactly once");
    }
    assert!(writer.router().file("web").unwrap().rotations() > 5);
}

#[test]
fn a_handle_alive_after_the_guard_writes_synchronously() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let (writer, guard) = router(dir.path(), 1 << 20).non_blocking();
    record(&writer, "web", "queued");
    drop(guard);
    record(&writer, "web", "after the guard");
    writer.flush().unwrap();
    let lines = lines_of(dir.path(), "web");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].ends_with("web: after the guard"));
}

#[test]
fn a_lossy_router_counts_every_event_it_drops() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    // The thread stalls opening `web` until the gate opens: the queue fills.
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let (logs, waiting) = (dir.path().to_path_buf(), Arc::clone(&gate));
    let router = Router::new(move |name: &str| {
        let (open, opened) = &*waiting;
        let mut open = open.lock().unwrap();
        while !*open {
            open = opened.wait(open).unwrap();
        }
        RotatingFile::builder(logs.join(format!("{name}.log")))
    });
    let (writer, guard) = router
        .non_blocking_builder()
        .capacity(4)
        .lossy(true)
        .finish();
    for i in 0..100 {
        record(&writer, "web", &format!("event {i}"));
    }
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    writer.flush().unwrap();
    let written = lines_of(dir.path(), "web").len() as u64;
    assert!(writer.dropped() > 0);
    assert_eq!(written + writer.dropped(), 100);
    drop(guard);
}

#[test]
fn a_router_whose_thread_died_counts_every_event_as_lost_at_once() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_path_buf();
    // A closure that panics kills the thread that called it.
    let router = Router::new(move |name: &str| {
        assert_ne!(name, "boom", "the closure broke");
        RotatingFile::builder(logs.join(format!("{name}.log")))
    });
    let (writer, guard) = router.non_blocking_builder().capacity(4).finish();
    record(&writer, "boom", "kills the thread");
    let writer = test_support::within(10, move || {
        while writer.flush().is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        // A small queue: a writer waiting for room would wait for ever.
        for i in 0..100 {
            record(&writer, "web", &format!("after {i}"));
        }
        writer
    });
    assert!(writer.flush().is_err());
    assert_eq!(writer.router().stats().lost, 101);
    assert!(lines_of(dir.path(), "web").is_empty());
    test_support::within(10, move || drop(guard));
}
