//! A service first written in Python (a Django web process and worker
//! processes, logging through `get_logger(name)` to `logs/<name>.log`
//! with a concurrent rotating handler per name), in Rust, through this
//! crate alone:
//!
//! - one file per name (`logs/web.log`, `logs/worker.log`, ...), rotated at
//!   1 MiB with 10 backups, shared by every process: a [`Router`] behind
//!   one background thread per process;
//! - the same lines on the console (`MakeWriterExt::and`);
//! - the noisy "HTTP Request:" lines of an HTTP client dropped;
//! - an audit trail as JSON lines in `logs/audit.log`;
//! - a crate that logs through `log` (here `payments`) in its own file, with
//!   no bridge.
//!
//! It starts one web and two worker processes (itself, re-invoked), then
//! reads back every file they wrote and checks that every line is in its
//! name's file exactly once, that no noise got through, and that no file is
//! over 1 MiB; it exits non-zero otherwise.
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
//! log = "0.4"
//! serde_json = "1"
//! tempfile = "3"
//! tracing = "0.1"
//! tracing-subscriber = { version = "0.3", features = ["json"] }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use concurrent_rotating_file::{RotatingFile, Router};
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::fmt::writer::MakeWriterExt;
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

const MAX_BYTES: u64 = 1024 * 1024;
const BACKUPS: usize = 10;
/// Requests the web process serves, and jobs each worker runs.
const REQUESTS: u64 = 7000;
const JOBS: u64 = 1000;
const ROLES: [&str; 3] = ["web", "worker", "worker"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, role, id, dir] = &args[..]
        && flag == "--role"
    {
        if let Err(e) = serve(role, id, Path::new(dir)) {
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

/// Starts the processes, waits for them, and checks what they wrote.
fn run(dir: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let children: Vec<_> = ROLES
        .iter()
        .enumerate()
        .map(|(id, role)| {
            Command::new(&exe)
                .args(["--role", role, &id.to_string()])
                .arg(dir)
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut problems = Vec::new();
    for mut child in children {
        if !child.wait()?.success() {
            problems.push("a process failed".to_owned());
        }
    }
    problems.extend(check(&dir.join("logs"))?);
    Ok(problems)
}

/// The web process serves requests, a worker runs jobs; both leave an
/// audit trail.
fn serve(role: &str, id: &str, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let logs = dir.join("logs");
    let router = Router::new(move |name: &str| {
        RotatingFile::builder(logs.join(format!("{name}.log")))
            .max_bytes(MAX_BYTES)
            .backups(BACKUPS)
    });
    // One background thread for every name; the guard writes what is still
    // queued when `serve` returns.
    let (files, _guard) = router.non_blocking();
    let console = std::io::stdout.with_max_level(tracing::Level::INFO);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(files.clone().and(console))
                .with_ansi(false)
                .with_filter(DropMessages("HTTP Request:"))
                .with_filter(Targets::new().with_default(tracing::Level::INFO))
                .with_filter(filter_fn(|meta| meta.target() != "audit")),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_writer(files.clone())
                .with_filter(filter_fn(|meta| meta.target() == "audit")),
        )
        .try_init()?;
    // Crates that log through `log` go to the files of their targets.
    log::set_boxed_logger(Box::new(files.clone()))
        .map(|()| log::set_max_level(log::LevelFilter::Info))?;

    let agent = "Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0";
    match role {
        "web" => {
            for i in 0..REQUESTS {
                tracing::info!(target: "http_client", "HTTP Request: GET http://inventory/items/{i} \"HTTP/1.1 200 OK\"");
                tracing::info!(target: "web::views", user_agent = agent, "tag={id}:web:{i} GET /api/items/{i} 200");
                tracing::info!(target: "audit", tag = format!("{id}:audit:{i}"), user = i % 7, action = "view_item", "item viewed");
            }
        }
        _ => {
            for i in 0..JOBS {
                tracing::info!(target: "worker::tasks", job = i, "tag={id}:worker:{i} send_invoice done");
                payments::charge(id, i);
                tracing::info!(target: "audit", tag = format!("{id}:audit:{i}"), job = i, action = "invoice_sent", "invoice sent");
            }
        }
    }
    Ok(())
}

/// Stands for a crate that logs through the `log` facade: its records'
/// target is its module path, `payments::gateway` in a crate of its own.
mod payments {
    pub fn charge(id: &str, order: u64) {
        log::info!(target: "payments::gateway", "tag={id}:payments:{order} charged order {order}");
    }
}

/// Drops the events whose message contains a needle, as the Python
/// service's logging filter drops the HTTP client's request lines.
struct DropMessages(&'static str);

impl<S> Filter<S> for DropMessages {
    fn enabled(&self, _: &tracing::Metadata<'_>, _: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &tracing::Event<'_>, _: &Context<'_, S>) -> bool {
        struct Message<'a>(&'a str, bool);
        impl Visit for Message<'_> {
            fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
                if field.name() == "message" && format!("{value:?}").contains(self.0) {
                    self.1 = true;
                }
            }
        }
        let mut found = Message(self.0, false);
        event.record(&mut found);
        !found.1
    }
}

/// Reads every file in `logs` and lists what is wrong: a line in another
/// name's file, missing or written twice, noise, a file over the limit,
/// too many backups, a file no name explains.
fn check(logs: &Path) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut problems = Vec::new();
    // (process, name, number) -> times seen.
    let mut seen: BTreeMap<(String, String, u64), u32> = BTreeMap::new();
    let mut backups: BTreeMap<String, usize> = BTreeMap::new();
    let mut files = 0;
    for entry in std::fs::read_dir(logs)? {
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
        if !suffix.is_empty() {
            *backups.entry(name.to_owned()).or_default() += 1;
        }
        files += 1;
        let text = std::fs::read_to_string(logs.join(&file))?;
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
                line.split_once("tag=")
                    .and_then(|(_, rest)| rest.split(' ').next())
                    .map(str::to_owned)
            };
            let parsed = tag.as_deref().and_then(|tag| {
                let mut parts = tag.splitn(3, ':');
                Some((parts.next()?, parts.next()?, parts.next()?.parse().ok()?))
            });
            match parsed {
                Some((process, named, n)) if named == name => {
                    *seen
                        .entry((process.to_owned(), name.to_owned(), n))
                        .or_default() += 1;
                }
                _ => problems.push(format!("{file}: a line not of `{name}`: {line}")),
            }
        }
    }
    // The web process writes about 2 MiB to `web.log`: it must have rotated.
    if !backups.contains_key("web") {
        problems.push("web.log never rotated: rotation was not exercised".to_owned());
    }
    for (name, count) in &backups {
        if *count > BACKUPS {
            problems.push(format!("{name}: {count} backups, more than {BACKUPS}"));
        }
    }
    let mut expected = Vec::new();
    for (id, role) in ROLES.iter().enumerate() {
        let id = id.to_string();
        let names: &[(&str, u64)] = match *role {
            "web" => &[("web", REQUESTS), ("audit", REQUESTS)],
            _ => &[("worker", JOBS), ("payments", JOBS), ("audit", JOBS)],
        };
        for &(name, count) in names {
            expected.extend((0..count).map(|n| (id.clone(), name.to_owned(), n)));
        }
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
        "{}: {files} files, {} lines each exactly once in its name's file, {} backups{}",
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
