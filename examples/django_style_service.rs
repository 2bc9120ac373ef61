//! A service first written in Python (a Django web process and worker
//! processes, each module logging through `get_logger(name)`), in Rust,
//! with its logging set up as its `dictConfig` was:
//!
//! - one file per logger name, `logs/<name>.log`, rotated at 1 MiB with 10
//!   gzipped backups, shared by every process, written by a background
//!   thread: a non-blocking [`Router`];
//! - the seed's line format, `%(asctime)s - %(name)s - %(levelname)s -
//!   %(message)s`, byte for byte what Python writes: [`PythonFormat`];
//! - warnings and errors on the console (stderr, as Python's
//!   `StreamHandler`);
//! - the noisy "HTTP Request:" lines of the HTTP client dropped: a record
//!   filter ([`Builder::filter`]);
//! - an audit trail as JSON lines in `logs/audit.log`;
//! - a graceful stop: `docker stop` and `systemctl stop` send SIGTERM, and
//!   [`flush_on_termination`] writes what is queued and gzips the last
//!   backups before the process dies of it.
//!
//! The same setup twice, in at most 30 lines each: [`logging_with_tracing`]
//! for a service that logs through `tracing` (a crate of it logging through
//! `log` reaches the same files through tracing-subscriber's bridge), and
//! [`logging_with_log`] for one that logs through `log` alone.
//!
//! Run, it starts a web and a worker process of each kind, waits until
//! each has done its work, stops them all with SIGTERM, and reads back every
//! file they wrote: every line exactly once in its name's file, in the
//! seed's format (the audit trail in JSON), no noise, no file over 1 MiB,
//! every backup gzipped, each process's warnings once on its console, and
//! each process dead of SIGTERM. It exits non-zero otherwise.
//!
//! ```text
//! cargo run --example django_style_service            # in a temporary directory
//! cargo run --example django_style_service -- DIR     # ... writing DIR/logs
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file", features = ["log"] }
//! flate2 = "1"
//! libc = "0.2"
//! log = "0.4"
//! serde_json = "1"
//! tempfile = "3"
//! tracing = "0.1"
//! tracing-subscriber = { version = "0.3", features = ["json"] }
//! ```

// The run stops its processes as `docker stop` does, with SIGTERM: on
// Windows the example says so and stops.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

use std::collections::BTreeMap;
use std::error::Error;
use std::io::{BufRead, BufReader, Read, Write};
#[cfg(unix)]
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use concurrent_rotating_file::{
    Compression, Naming, PythonFormat, RotatingFile, Router, RouterGuard,
};
use tracing::{Level, Metadata};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt;
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::prelude::*;

const SEED_FORMAT: &str = "%(asctime)s - %(name)s - %(levelname)s - %(message)s";
/// The library's defaults, which are the seed's: 1 MiB files, 10 backups.
const MAX_BYTES: u64 = 1024 * 1024;
const BACKUPS: usize = 10;
/// Requests each web process serves, jobs each worker runs; every
/// `WARN_EVERY`th is slow, a warning.
const REQUESTS: u64 = 10_000;
const JOBS: u64 = 1000;
const WARN_EVERY: u64 = 500;
/// The processes: each role, logging through each facade.
const PROCESSES: [(&str, &str); 4] = [
    ("web", "tracing"),
    ("worker", "tracing"),
    ("web", "log"),
    ("worker", "log"),
];

// === the logging setup ===

/// A service that logs through `tracing`, each event named at run time by
/// its `logger` field (Python's `get_logger(name)`), left out of the line.
fn logging_with_tracing(logs: PathBuf) -> Result<RouterGuard, Box<dyn Error>> {
    concurrent_rotating_file::flush_on_termination()?;
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log"))) // 1 MiB, 10 backups
            .compression(Compression::Gzip)
            .filter(|line: &[u8]| !line.windows(13).any(|w| w == b"HTTP Request:"))
    })
    .naming(Naming::Field("logger"));
    let (files, guard) = router.non_blocking();
    let seed = router.field_format(PythonFormat::new(SEED_FORMAT)?);
    let audit = |meta: &Metadata<'_>| meta.target() == "audit";
    let console = std::io::stderr.with_max_level(Level::WARN);
    tracing_subscriber::registry()
        .with(
            fmt::layer()
                .event_format(seed.clone())
                .with_writer(files.clone())
                .with_filter(filter_fn(move |meta| !audit(meta))),
        )
        .with(fmt::layer().event_format(seed).with_writer(console))
        .with(
            fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(files)
                .with_filter(filter_fn(audit)),
        )
        .try_init()?; // with the `log` bridge (tracing-subscriber's default)
    Ok(guard)
}

/// A service that logs through `log` alone, naming each record at run
/// time by its target (`log::info!(target: name, ...)`); its audit trail
/// is JSON written straight to `audit.log`.
fn logging_with_log(logs: PathBuf) -> Result<(RouterGuard, RotatingFile), Box<dyn Error>> {
    concurrent_rotating_file::flush_on_termination()?;
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log"))) // 1 MiB, 10 backups
            .compression(Compression::Gzip)
            .filter(|line: &[u8]| !line.windows(13).any(|w| w == b"HTTP Request:"))
    })
    .log_python_format(PythonFormat::new(SEED_FORMAT)?)
    .log_console(log::LevelFilter::Warn);
    let audit = router.file("audit")?;
    let (files, guard) = router.non_blocking();
    concurrent_rotating_file::install_logger(files, log::LevelFilter::Info)?;
    Ok((guard, audit))
}

// === the service ===

/// One process of the service: its work, then waiting to be stopped.
fn serve(role: &str, facade: &str, id: &str, dir: &Path) -> Result<(), Box<dyn Error>> {
    let logs = dir.join("logs");
    let (_guard, mut audit) = match facade {
        "tracing" => (logging_with_tracing(logs)?, None),
        _ => {
            let (guard, audit) = logging_with_log(logs)?;
            (guard, Some(audit))
        }
    };
    let (work, count) = match role {
        "web" => ("web", REQUESTS),
        _ => ("worker", JOBS),
    };
    for i in 0..count {
        let logger = work; // a name chosen at run time, as `get_logger(name)`
        let tag = format!("{id}:{work}:{i}");
        let slow = i.is_multiple_of(WARN_EVERY);
        match facade {
            "tracing" => {
                tracing::info!(
                    logger = "httpx",
                    "HTTP Request: GET http://inventory/items/{i} \"HTTP/1.1 200 OK\""
                );
                if slow {
                    tracing::warn!(logger, "tag={tag} slow: {i} took 2.5 s");
                } else {
                    tracing::info!(logger, "tag={tag} {work} {i} done");
                }
                tracing::info!(target: "audit", tag = format!("{id}:audit:{i}"), action = work, "done");
            }
            _ => {
                log::info!(target: "httpx", "HTTP Request: GET http://inventory/items/{i} \"HTTP/1.1 200 OK\"");
                if slow {
                    log::warn!(target: logger, "tag={tag} slow: {i} took 2.5 s");
                } else {
                    log::info!(target: logger, "tag={tag} {work} {i} done");
                }
                if let Some(audit) = audit.as_mut() {
                    let event =
                        serde_json::json!({"tag": format!("{id}:audit:{i}"), "action": work});
                    writeln!(audit, "{event}")?;
                }
            }
        }
        if role == "worker" {
            payments::charge(id, i);
        }
    }
    // Done: it waits to be stopped, as a service does. The records of the
    // last few milliseconds are still queued; SIGTERM writes them.
    println!("ready");
    std::io::stdout().flush()?;
    // Stopped by SIGTERM; should the parent vanish, the end of input.
    std::io::stdin().read_to_end(&mut Vec::new())?;
    Ok(())
}

/// Stands for a crate that logs through the `log` facade: its records'
/// target is its module path, `payments::gateway` in a crate of its own.
mod payments {
    pub fn charge(id: &str, order: u64) {
        log::info!(target: "payments::gateway", "tag={id}:payments:{order} charged order {order}");
    }
}

// === the run and its check ===

#[cfg(not(unix))]
fn main() {
    eprintln!(
        "this example stops its processes with SIGTERM, as `docker stop` does: it runs on Unix"
    );
}

#[cfg(unix)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, role, facade, id, dir] = &args[..]
        && flag == "--role"
    {
        if let Err(e) = serve(role, facade, id, Path::new(dir)) {
            eprintln!("{role} {id}: {e}");
            std::process::exit(1);
        }
        return;
    }
    let temp = tempfile::tempdir().expect("a temporary directory");
    let dir = args
        .first()
        .map_or_else(|| temp.path().to_path_buf(), PathBuf::from);
    let problems = run(&dir).unwrap_or_else(|e| vec![e.to_string()]);
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("django_style_service: {problem}");
        }
        std::process::exit(1);
    }
}

/// Starts the processes, stops them with SIGTERM once each has done its
/// work, and checks what they wrote.
#[cfg(unix)]
fn run(dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let exe = std::env::current_exe()?;
    std::fs::create_dir_all(dir)?;
    let mut children = Vec::new();
    for (id, (role, facade)) in PROCESSES.iter().enumerate() {
        let console = std::fs::File::create(dir.join(format!("console-{id}.txt")))?;
        let child = Command::new(&exe)
            .args(["--role", role, facade, &id.to_string()])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(console)
            .spawn()?;
        children.push(child);
    }
    // Held until every process has ended: their input ends only then.
    let _inputs: Vec<_> = children
        .iter_mut()
        .map(|child| child.stdin.take())
        .collect();
    let mut problems = Vec::new();
    for child in &mut children {
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().ok_or("no stdout")?).read_line(&mut line)?;
        if line != "ready\n" {
            problems.push(format!("process {} never got ready", child.id()));
        }
    }
    // `docker stop`: SIGTERM to each.
    for child in &children {
        // SAFETY: kill(2) of our own child, not yet waited for.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    }
    for mut child in children {
        let status = child.wait()?;
        if status.signal() != Some(libc::SIGTERM) {
            problems.push(format!(
                "a process ended otherwise than by SIGTERM: {status}"
            ));
        }
    }
    problems.extend(check(dir)?);
    Ok(problems)
}

/// The name each file's lines carry.
fn logger_of(file_name: &str) -> &str {
    match file_name {
        "payments" => "payments::gateway",
        name => name,
    }
}

/// Reads every file in `dir/logs` (and each process's console) and lists
/// what is wrong.
fn check(dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let logs = dir.join("logs");
    let mut problems = Vec::new();
    // (process, name, number) -> times seen.
    let mut seen: BTreeMap<(String, String, u64), u32> = BTreeMap::new();
    let mut backups: BTreeMap<String, usize> = BTreeMap::new();
    for entry in std::fs::read_dir(&logs)? {
        let file = entry?
            .file_name()
            .into_string()
            .map_err(|_| "a file name not in UTF-8")?;
        if file.starts_with('.') {
            continue; // the library's own lock and state files
        }
        let Some((name, suffix)) = file.split_once(".log") else {
            problems.push(format!("{file}: not a log file"));
            continue;
        };
        let text = if suffix.is_empty() {
            std::fs::read_to_string(logs.join(&file))?
        } else if suffix.ends_with(".gz") {
            *backups.entry(name.to_owned()).or_default() += 1;
            let mut text = String::new();
            flate2::read::GzDecoder::new(std::fs::File::open(logs.join(&file))?)
                .read_to_string(&mut text)?;
            text
        } else {
            problems.push(format!("{file}: a backup left plain"));
            continue;
        };
        if text.len() as u64 > MAX_BYTES {
            problems.push(format!("{file}: {} bytes, over {MAX_BYTES}", text.len()));
        }
        for line in text.lines() {
            if line.contains("HTTP Request:") {
                problems.push(format!("{file}: noise got through: {line}"));
                continue;
            }
            let tag = if name == "audit" {
                let event: serde_json::Value = serde_json::from_str(line)?;
                event["tag"].as_str().map(str::to_owned)
            } else {
                match seed_line(line, logger_of(name)) {
                    Ok(message) => tag_of(message),
                    Err(why) => {
                        problems.push(format!("{file}: {why}: {line}"));
                        continue;
                    }
                }
            };
            match tag.as_deref().and_then(parse_tag) {
                Some((process, named, n)) if named == name => {
                    *seen
                        .entry((process.to_owned(), name.to_owned(), n))
                        .or_default() += 1;
                }
                _ => problems.push(format!("{file}: a line not of `{name}`: {line}")),
            }
        }
    }
    // Two web processes write about 1.4 MiB to `web.log`: it must rotate.
    if !backups.contains_key("web") {
        problems.push("web.log never rotated: rotation was not exercised".to_owned());
    }
    for (name, count) in &backups {
        if *count > BACKUPS {
            problems.push(format!("{name}: {count} backups, more than {BACKUPS}"));
        }
    }
    let mut expected = Vec::new();
    for (id, (role, _)) in PROCESSES.iter().enumerate() {
        let id = id.to_string();
        let names: &[(&str, u64)] = match *role {
            "web" => &[("web", REQUESTS), ("audit", REQUESTS)],
            _ => &[("worker", JOBS), ("payments", JOBS), ("audit", JOBS)],
        };
        for &(name, count) in names {
            expected.extend((0..count).map(|n| (id.clone(), name.to_owned(), n)));
        }
        problems.extend(check_console(dir, &id, role)?);
    }
    for key in &expected {
        match seen.remove(key) {
            Some(1) => {}
            Some(times) => problems.push(format!("{key:?} written {times} times")),
            None => problems.push(format!("{key:?} missing")),
        }
    }
    problems.extend(
        seen.keys()
            .map(|key| format!("{key:?} never written by anyone")),
    );
    println!(
        "{}: {} lines each exactly once in its name's file, in the seed's format; {} gzipped backups{}",
        logs.display(),
        expected.len(),
        backups.values().sum::<usize>(),
        if problems.is_empty() {
            ""
        } else {
            "; PROBLEMS FOUND"
        }
    );
    Ok(problems)
}

/// Process `id`'s console: its warnings, each once, in the seed's format.
fn check_console(dir: &Path, id: &str, role: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let text = std::fs::read_to_string(dir.join(format!("console-{id}.txt")))?;
    let work = if role == "web" { "web" } else { "worker" };
    let count = if role == "web" { REQUESTS } else { JOBS };
    let expected: Vec<String> = (0..count)
        .step_by(WARN_EVERY as usize)
        .map(|i| format!("tag={id}:{work}:{i} slow: {i} took 2.5 s"))
        .collect();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for line in text.lines() {
        match seed_line(line, work) {
            Ok(message) if line.contains(" - WARNING - ") => found.push(message.to_owned()),
            Ok(_) => problems.push(format!("console {id}: not a warning: {line}")),
            Err(why) => problems.push(format!("console {id}: {why}: {line}")),
        }
    }
    if found != expected {
        problems.push(format!("console {id}: {found:?}, expected {expected:?}"));
    }
    Ok(problems)
}

/// The message of a line in the seed's format, `2026-12-06 13:45:01,123 -
/// NAME - LEVEL - message`, whose name is `name`.
fn seed_line<'a>(line: &'a str, name: &str) -> Result<&'a str, &'static str> {
    let (stamp, rest) = line.split_at_checked(23).ok_or("too short")?;
    let stamp_ok = stamp.bytes().enumerate().all(|(i, c)| match i {
        4 | 7 => c == b'-',
        10 => c == b' ',
        13 | 16 => c == b':',
        19 => c == b',',
        _ => c.is_ascii_digit(),
    });
    if !stamp_ok {
        return Err("not Python's asctime");
    }
    let rest = rest
        .strip_prefix(" - ")
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix(" - "))
        .ok_or("not the name of its file")?;
    ["INFO - ", "WARNING - "]
        .iter()
        .find_map(|level| rest.strip_prefix(level))
        .ok_or("not a level of the service")
}

fn tag_of(message: &str) -> Option<String> {
    let rest = message.strip_prefix("tag=")?;
    Some(rest.split(' ').next()?.to_owned())
}

/// `process:name:number`.
fn parse_tag(tag: &str) -> Option<(&str, &str, u64)> {
    let mut parts = tag.splitn(3, ':');
    Some((parts.next()?, parts.next()?, parts.next()?.parse().ok()?))
}
