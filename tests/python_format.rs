//! `PythonFormat`: the lines a Rust process writes, for `log` records and
//! for `tracing` events, are byte for byte those Python's own
//! `logging.Formatter` writes for the same name, level, time, message and
//! source: a table of records times a table of format strings, each line
//! compared with what `python3` prints for it. Once in this process's time
//! zone, and once in a zone with a half-hour offset and daylight saving
//! (this test binary run again with `TZ` set).

// Some tests here need Unix (marked `#[cfg(unix)]`); their helpers
// are unused elsewhere.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use concurrent_rotating_file::{Clock, FileLogger, Naming, PythonFormat, RotatingFile, Router};
use log::Log;
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;

/// The seed service's format, and formats that use every field, flag,
/// width and conversion a Rust record can fill.
const FORMATS: [(&str, Option<&str>, bool); 7] = [
    (
        "%(asctime)s - %(name)s - %(levelname)s - %(message)s",
        None,
        false,
    ),
    (
        "%(levelname)-8s|%(name)12s|%(name)-8.3s|%(lineno)05d|%(msecs)03d|%(levelno)+d|%(message)-20s|",
        None,
        false,
    ),
    (
        "%(created)f %(created).3f %(created)d %(created)s %(msecs)s %(msecs)d %(levelno)x %(levelno)#o %(lineno)#X %(levelno)010.2f",
        None,
        false,
    ),
    (
        "%(pathname)s %(filename)s %(module)s %(funcName)s %(process)d %(thread)d %(processName)s %(threadName)s",
        None,
        false,
    ),
    ("[%(asctime)s] 100%% %(message)s %%(name)s", None, false),
    (
        "%(asctime)s %(levelname)s %(message)s",
        Some("%d/%m/%Y %H:%M:%S %j %a %b"),
        false,
    ),
    ("%(asctime)s %(name)s: %(message)s", None, true),
];

/// Times, in nanoseconds since the epoch: an ordinary one, the end of a
/// second (whose float Python rounds up to the next second), the first
/// millisecond, the epoch, the instants around the starts and ends of
/// daylight saving time in the zone of the second run, and the last
/// millisecond of a century.
const TIMES: [i128; 10] = [
    1_796_564_701_123_000_000,
    1_796_564_701_999_999_999,
    1_796_564_701_000_999_999,
    0,
    1_772_947_799_500_000_000,
    1_772_947_800_000_000_000,
    1_793_514_599_999_000_000,
    1_793_514_600_001_000_000,
    946_684_799_999_000_000,
    1_700_000_000_456_789_123,
];

const NAMES: [&str; 5] = [
    "web",
    "web.views",
    "worker-2",
    "payments",
    "a_rather_long_logger_name",
];
const MESSAGES: [&str; 5] = [
    "request served",
    "unicode é ✓ 日本",
    "two\nlines",
    "literal %s %(name)s 100%",
    "",
];
const FILES: [Option<(&str, u32)>; 3] = [
    Some(("src/web/views.rs", 42)),
    Some(("examples/django_style_service.rs", 7)),
    None,
];

/// A clock that says what the test says.
#[derive(Debug, Clone)]
struct Times(Arc<Mutex<SystemTime>>);

impl Default for Times {
    fn default() -> Times {
        Times(Arc::new(Mutex::new(UNIX_EPOCH)))
    }
}

impl Times {
    fn set(&self, nanos: i128) {
        *self.0.lock().unwrap() = UNIX_EPOCH + Duration::from_nanos(nanos as u64);
    }
}

impl Clock for Times {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

#[derive(Debug, Clone, Copy)]
struct Record {
    name: &'static str,
    level: log::Level,
    nanos: i128,
    message: &'static str,
    file: Option<(&'static str, u32)>,
}

fn records() -> Vec<Record> {
    let levels = [
        log::Level::Error,
        log::Level::Warn,
        log::Level::Info,
        log::Level::Debug,
        log::Level::Trace,
    ];
    (0..TIMES.len() * 2)
        .map(|i| Record {
            name: NAMES[i % NAMES.len()],
            level: levels[i % levels.len()],
            nanos: TIMES[i % TIMES.len()],
            message: MESSAGES[i % MESSAGES.len()],
            file: FILES[i % FILES.len()],
        })
        .collect()
}

fn python_level(level: log::Level) -> u32 {
    match level {
        log::Level::Error => 40,
        log::Level::Warn => 30,
        log::Level::Info => 20,
        log::Level::Debug => 10,
        log::Level::Trace => 5,
    }
}

#[cfg(unix)]
fn thread_id() -> u64 {
    // SAFETY: pthread_self cannot fail.
    #[allow(clippy::unnecessary_cast)]
    let id = unsafe { libc::pthread_self() } as u64;
    id
}

#[cfg(unix)]
/// What Python's `logging.Formatter` writes for each format and record,
/// in that order.
fn pythons_lines(records: &[Record]) -> Vec<String> {
    const SCRIPT: &str = r#"
import json, logging, sys, time
logging.addLevelName(5, "TRACE")
job = json.load(sys.stdin)
out = []
for fmt, datefmt, utc in job["formats"]:
    formatter = logging.Formatter(fmt, datefmt)
    if utc:
        formatter.converter = time.gmtime
    for r in job["records"]:
        record = logging.LogRecord(r["name"], r["levelno"], r["pathname"], r["lineno"],
                                   r["msg"], None, None, func="(unknown function)")
        # As Python 3.13's LogRecord sets them from time.time_ns().
        record.created = r["nanos"] / 1e9
        record.msecs = (r["nanos"] % 1_000_000_000) // 1_000_000 + 0.0
        record.process = r["process"]
        record.processName = "MainProcess"
        record.thread = r["thread"]
        record.threadName = r["threadName"]
        out.append(formatter.format(record))
json.dump(out, sys.stdout)
"#;
    let thread = std::thread::current();
    let job = json!({
        "formats": FORMATS.iter().map(|(f, d, u)| json!([f, d, u])).collect::<Vec<_>>(),
        "records": records.iter().map(|r| json!({
            "name": r.name,
            "levelno": python_level(r.level),
            "pathname": r.file.map_or("(unknown file)", |(f, _)| f),
            "lineno": r.file.map_or(0, |(_, l)| l),
            "msg": r.message,
            "nanos": r.nanos,
            "process": std::process::id(),
            "thread": thread_id(),
            "threadName": thread.name().unwrap_or("<unnamed>"),
        })).collect::<Vec<_>>(),
    });
    let python = std::env::var("CRF_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("this test needs `{python}` (Python 3, or CRF_PYTHON): {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{python} failed: {}",
        output.status
    );
    let lines: Value = serde_json::from_slice(&output.stdout).unwrap();
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap().to_owned())
        .collect()
}

fn format(clock: &Times, (format, date_format, utc): (&str, Option<&str>, bool)) -> PythonFormat {
    let mut parsed = PythonFormat::new(format)
        .unwrap()
        .utc(utc)
        .clock(clock.clone());
    if let Some(date_format) = date_format {
        parsed = parsed.date_format(date_format).unwrap();
    }
    parsed
}

/// Each record through a `FileLogger` with `format`, read back.
fn rust_log_lines(records: &[Record], clock: &Times, python: PythonFormat) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let file = RotatingFile::builder(&path).max_bytes(0).open().unwrap();
    let logger = FileLogger::new(file).python_format(python);
    let mut lines = Vec::new();
    for record in records {
        clock.set(record.nanos);
        let before = std::fs::metadata(&path).unwrap().len() as usize;
        logger.log(
            &log::Record::builder()
                .level(record.level)
                .target(record.name)
                .args(format_args!("{}", record.message))
                .file(record.file.map(|(f, _)| f))
                .line(record.file.map(|(_, l)| l))
                .build(),
        );
        let text = std::fs::read_to_string(&path).unwrap();
        lines.push(text[before..].strip_suffix('\n').unwrap().to_owned());
    }
    lines
}

/// A `MakeWriter` into a buffer the test reads.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Each record as a `tracing` event named at run time by a router's
/// naming field, through the format; and the source line of the events.
fn rust_tracing_lines(
    records: &[Record],
    clock: &Times,
    python: PythonFormat,
) -> (Vec<String>, u32) {
    let router = Router::new(|name: &str| RotatingFile::builder(format!("{name}.log")))
        .naming(Naming::Field("logger"));
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .event_format(router.field_format(python))
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::TRACE)
        .finish();
    let mut lines = Vec::new();
    let mut line = 0;
    tracing::subscriber::with_default(subscriber, || {
        for record in records {
            clock.set(record.nanos);
            let (name, message) = (record.name, record.message);
            buffer.0.lock().unwrap().clear();
            line = event(record.level, name, message);
            let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
            lines.push(text.strip_suffix('\n').unwrap().to_owned());
        }
    });
    (lines, line)
}

/// Emits one event of `level` named `name`, from the one source line it
/// returns.
#[rustfmt::skip]
fn event(level: log::Level, name: &str, message: &str) -> u32 {
    match level { log::Level::Error => tracing::error!(logger = name, "{message}"), log::Level::Warn => tracing::warn!(logger = name, "{message}"), log::Level::Info => tracing::info!(logger = name, "{message}"), log::Level::Debug => tracing::debug!(logger = name, "{message}"), log::Level::Trace => tracing::trace!(logger = name, "{message}") }; line!()
}

fn assert_same(rust: &[String], python: &[String], what: &str) {
    assert_eq!(rust.len(), python.len());
    for (i, (rust, python)) in rust.iter().zip(python).enumerate() {
        assert_eq!(
            rust, python,
            "{what}, line {i}: Rust wrote {rust:?}, Python {python:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn lines_match_pythons_logging_formatter_for_log_records_and_tracing_events() {
    let clock = Times::default();
    let records = records();
    let python = pythons_lines(&records);
    let per_format = records.len();
    for (i, spec) in FORMATS.into_iter().enumerate() {
        let expected = &python[i * per_format..(i + 1) * per_format];
        let rust = rust_log_lines(&records, &clock, format(&clock, spec));
        assert_same(
            &rust,
            expected,
            &format!("log records, format {:?}", spec.0),
        );
    }

    // The same through `tracing`: the events' source is this file, and
    // their names come from a field, not printed in the message.
    let (_, line) = rust_tracing_lines(&records[..1], &clock, format(&clock, FORMATS[0]));
    let from_here: Vec<Record> = records
        .iter()
        .map(|r| Record {
            file: Some(("tests/python_format.rs", line)),
            ..*r
        })
        .collect();
    let python = pythons_lines(&from_here);
    for (i, spec) in FORMATS.into_iter().enumerate() {
        let expected = &python[i * per_format..(i + 1) * per_format];
        let (rust, _) = rust_tracing_lines(&from_here, &clock, format(&clock, spec));
        assert_same(
            &rust,
            expected,
            &format!("tracing events, format {:?}", spec.0),
        );
    }
}

#[test]
fn lines_match_pythons_in_a_zone_with_a_half_hour_offset_and_daylight_saving() {
    // Newfoundland's rule, written out: no time zone database needed.
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lines_match_pythons_logging_formatter_for_log_records_and_tracing_events",
            "--test-threads=1",
        ])
        .env("TZ", "NST3:30NDT,M3.2.0,M11.1.0")
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
}

#[test]
fn a_tracing_events_other_fields_follow_its_message_and_log_fields_are_its_source() {
    let events = |format: &str, events: fn()| {
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::fmt()
            .event_format(PythonFormat::new(format).unwrap())
            .with_writer(buffer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, events);
        String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap()
    };
    let text = events("%(name)s|%(module)s|%(message)s", || {
        tracing::info!(target: "web", user = "ann", id = 7, r#type = "x", "served {}", 3);
        tracing::info!(target: "web", user = "bob");
    });
    assert_eq!(
        text,
        "web|python_format|served 3 user=\"ann\" id=7 type=\"x\"\nweb|python_format|user=\"bob\"\n"
    );
    // A `log` record through tracing-subscriber's `log` bridge: its `log.*`
    // fields are its source, never printed.
    let text = events("%(name)s|%(pathname)s|%(lineno)d|%(message)s", || {
        tracing_log::format_trace(
            &log::Record::builder()
                .level(log::Level::Info)
                .target("payments::gateway")
                .module_path(Some("payments::gateway"))
                .file(Some("src/gateway.rs"))
                .line(Some(12))
                .args(format_args!("charged"))
                .build(),
        )
        .unwrap();
    });
    assert_eq!(text, "payments::gateway|src/gateway.rs|12|charged\n");
}
