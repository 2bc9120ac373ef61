//! Record filters (`Builder::filter`) on every front end: a line written
//! through `io::Write`, a `tracing` event (whole, however many lines), a
//! `log` record, the background writer, every name of a router (and its
//! background writer); each record dropped counted in `stats()`, and the
//! filter run outside the lock.

mod common;

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use concurrent_rotating_file::{FileLogger, RotatingFile, Router};
use log::Log;
use tracing_subscriber::fmt::MakeWriter;

/// The seed's noise: an HTTP client's request lines.
fn no_http_requests(record: &[u8]) -> bool {
    memchr::memmem::find(record, b"HTTP Request:").is_none()
}

fn filtered_log(path: &Path) -> RotatingFile {
    RotatingFile::builder(path)
        .filter(no_http_requests)
        .open()
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn events_through<W>(writer: W, events: impl FnOnce())
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_level(false)
        .finish();
    tracing::subscriber::with_default(subscriber, events);
}

#[test]
fn a_filter_drops_lines_written_through_io_write_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = filtered_log(&dir.path().join("app.log"));
    // Several lines per write, and a line split across writes: each line
    // is judged whole.
    log.write_all(b"kept 1\nHTTP Request: GET /a\nkept 2\nHTTP Req")
        .unwrap();
    log.write_all(b"uest: GET /b\nkept 3\n").unwrap();
    assert_eq!(read(log.path()), "kept 1\nkept 2\nkept 3\n");
    assert_eq!(log.stats().filtered, 2);
}

#[test]
fn the_filter_sees_a_partial_line_with_the_newline_it_is_written_with() {
    let dir = tempfile::tempdir().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let saw = Arc::clone(&seen);
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .filter(move |record: &[u8]| {
            saw.lock().unwrap().push(record.to_vec());
            true
        })
        .open()
        .unwrap();
    log.write_all(b"no newline yet").unwrap();
    log.flush().unwrap();
    assert_eq!(*seen.lock().unwrap(), [b"no newline yet\n".to_vec()]);
    assert_eq!(read(log.path()), "no newline yet\n");
}

#[test]
fn a_filter_dropping_everything_writes_nothing_and_every_write_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = RotatingFile::builder(dir.path().join("app.log"))
        .filter(|_: &[u8]| false)
        .open()
        .unwrap();
    for i in 0..100 {
        writeln!(log, "line {i}").unwrap();
    }
    assert_eq!(read(log.path()), "");
    assert_eq!(log.stats().filtered, 100);
    assert_eq!(log.stats().write_errors, 0);
}

#[test]
fn a_filter_sees_a_tracing_event_whole_even_on_several_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = filtered_log(&dir.path().join("app.log"));
    events_through(log.clone(), || {
        // The noise is on the event's second line: the whole event goes.
        tracing::info!("client call\nHTTP Request: GET /items");
        tracing::info!("item shown\non two lines");
    });
    assert_eq!(read(log.path()), "item shown\non two lines\n");
    assert_eq!(log.stats().filtered, 1);
}

#[test]
fn a_filter_applies_to_log_records() {
    let dir = tempfile::tempdir().unwrap();
    let log = filtered_log(&dir.path().join("app.log"));
    let logger = FileLogger::new(log.clone());
    for message in ["HTTP Request: GET /a", "charged order 7"] {
        logger.log(
            &log::Record::builder()
                .level(log::Level::Info)
                .target("payments")
                .args(format_args!("{message}"))
                .build(),
        );
    }
    let text = read(log.path());
    assert!(
        text.ends_with(" INFO payments: charged order 7\n"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(log.stats().filtered, 1);
}

#[test]
fn a_filter_applies_to_the_background_writer_and_the_log_call_never_runs_it() {
    let dir = tempfile::tempdir().unwrap();
    let caller = std::thread::current().id();
    let ran_on_caller = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&ran_on_caller);
    let log = RotatingFile::builder(dir.path().join("app.log"))
        .filter(move |record: &[u8]| {
            if std::thread::current().id() == caller {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            no_http_requests(record)
        })
        .open()
        .unwrap();
    let (mut writer, guard) = log.non_blocking();
    for i in 0..1000 {
        writeln!(writer, "kept {i}").unwrap();
        writeln!(writer, "HTTP Request: GET /items/{i}").unwrap();
    }
    events_through(writer.clone(), || {
        tracing::info!("HTTP Request: GET /event");
        tracing::info!("event kept");
    });
    writer.flush().unwrap();
    let text = read(log.path());
    assert_eq!(text.lines().count(), 1001, "{text}");
    assert!(!text.contains("HTTP Request:"));
    assert!(text.ends_with("\nevent kept\n"));
    assert_eq!(log.stats().filtered, 1001);
    assert!(!ran_on_caller.load(std::sync::atomic::Ordering::SeqCst));
    drop(guard);
    // Once the thread has stopped, the handle writes for itself, filtered
    // all the same.
    writeln!(writer, "HTTP Request: GET /late").unwrap();
    writeln!(writer, "late").unwrap();
    assert!(read(log.path()).ends_with("\nevent kept\nlate\n"));
    assert_eq!(log.stats().filtered, 1002);
}

#[test]
fn a_filter_set_in_a_routers_closure_applies_to_every_name_and_is_counted_in_its_stats() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().to_path_buf();
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log"))).filter(no_http_requests)
    });
    events_through(router.clone(), || {
        tracing::info!(target: "web", "HTTP Request: GET /a");
        tracing::info!(target: "web", "page served");
        tracing::info!(target: "worker", "HTTP Request: POST /b");
        tracing::info!(target: "worker", "job done");
    });
    // And a `log` record through the same router.
    router.log(
        &log::Record::builder()
            .level(log::Level::Info)
            .target("worker")
            .args(format_args!("HTTP Request: GET /c"))
            .build(),
    );
    assert_eq!(read(&dir.path().join("web.log")), "page served\n");
    assert_eq!(read(&dir.path().join("worker.log")), "job done\n");
    assert_eq!(router.stats().filtered, 3);
    assert_eq!(router.file("web").unwrap().stats().filtered, 1);
    assert_eq!(router.file("worker").unwrap().stats().filtered, 2);

    // The router's background writer: filtered on its thread, per name.
    let (writer, guard) = router.non_blocking();
    events_through(writer.clone(), || {
        for i in 0..500 {
            tracing::info!(target: "web", "HTTP Request: GET /{i}");
            tracing::info!(target: "web", "page {i}");
        }
    });
    writer.flush().unwrap();
    drop(guard);
    let web = read(&dir.path().join("web.log"));
    assert_eq!(web.lines().count(), 501, "{web}");
    assert!(!web.contains("HTTP Request:"));
    assert_eq!(router.stats().filtered, 503);
}

#[test]
fn the_filter_runs_outside_the_lock_so_a_slow_one_holds_up_no_other_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    // The filter of the slow record says it has begun, then waits until
    // another clone has written: were it run under the in-process mutex or
    // the lock, that write, and so this test, would never end.
    let (began, has_begun) = mpsc::channel();
    let (written, was_written) = mpsc::channel::<()>();
    let gates = Mutex::new((began, was_written));
    let log = RotatingFile::builder(&path)
        .filter(move |record: &[u8]| {
            if record.starts_with(b"slow") {
                let gates = gates.lock().unwrap();
                gates.0.send(()).unwrap();
                gates.1.recv_timeout(Duration::from_secs(60)).unwrap();
            }
            true
        })
        .open()
        .unwrap();
    let mut slow = log.clone();
    let slow = std::thread::spawn(move || writeln!(slow, "slow record").unwrap());
    let mut quick = log.clone();
    common::within(30, move || {
        has_begun.recv().unwrap();
        writeln!(quick, "quick record").unwrap();
        written.send(()).unwrap();
    });
    slow.join().unwrap();
    assert_eq!(read(&path), "quick record\nslow record\n");
}
