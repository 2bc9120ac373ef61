//! One crate's turn in a round: its writer processes started and set up,
//! let go at once, timed until the last one exits; then its files read
//! back by the verifier, which counts what is missing, doubled, torn or
//! past the limit.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crf_tools::verify::{self, Expectation};

use crate::args::CompareArgs;
use crate::peers::Peer;

/// What one crate did in one round.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub(crate) lost: u64,
    pub(crate) duplicated: u64,
    pub(crate) torn: u64,
    /// Files it left.
    pub(crate) files: u64,
    pub(crate) largest_file: u64,
    /// Files past the limit with more than one line in them.
    pub(crate) oversize_files: u64,
    /// From the start signal until the last writer exited.
    pub(crate) writing: Duration,
    /// Why each writer process that failed failed, in words.
    pub(crate) failures: Vec<String>,
}

/// Runs `peer`'s writers in `dir` (created) and reads back what they left.
pub(crate) fn run(peer: Peer, args: &CompareArgs, dir: &Path) -> io::Result<Outcome> {
    std::fs::create_dir_all(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display())))?;
    let exe = std::env::current_exe()?;
    let mut writers = Vec::new();
    for id in 0..args.processes {
        let stderr = std::fs::File::create(dir.with_extension(format!("writer-{id}.stderr")))?;
        let spawned = Command::new(&exe)
            .arg("writer")
            .args(["--peer", peer.name()])
            .arg("--dir")
            .arg(dir)
            .args(["--id", &id.to_string()])
            .args(["--lines", &args.lines.to_string()])
            .args(["--line-size", &args.line_size.to_string()])
            .args(["--max-bytes", &args.max_bytes.to_string()])
            .args(["--backups", &args.backups().to_string()])
            // A panic's message in one line, without a backtrace.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn();
        match spawned {
            Ok(child) => writers.push(child),
            Err(e) => {
                // Those started get EOF instead of `go`, and exit.
                drop(writers);
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot start a writer: {e}"),
                ));
            }
        }
    }
    let mut failures = Vec::new();
    for (id, writer) in writers.iter_mut().enumerate() {
        if !ready(writer)? {
            failures.push((id, "could not set it up".to_owned()));
        }
    }
    let started = Instant::now();
    for writer in &mut writers {
        // A writer that is not ready has exited, and takes no `go`.
        if let Some(mut stdin) = writer.stdin.take() {
            let _ = stdin.write_all(b"go\n");
        }
    }
    for (id, writer) in writers.iter_mut().enumerate() {
        let status = writer.wait()?;
        if !status.success() {
            failures.push((id, status.to_string()));
        }
    }
    let writing = started.elapsed();
    let files = peer.files(dir)?;
    let report = verify::verify_files(&expectation(args, dir), &files)?;
    let failures = failures
        .into_iter()
        .map(|(id, what)| match last_words(dir, id) {
            Some(last) => format!("{what}: {last}"),
            None => what,
        })
        .collect();
    Ok(Outcome {
        lost: report.lost,
        duplicated: report.duplicated,
        torn: report.torn,
        files: files.len() as u64,
        largest_file: report.largest_file,
        oversize_files: report.oversize_files,
        writing,
        failures,
    })
}

/// Waits for the writer's `ready`; false if it exited instead.
fn ready(writer: &mut Child) -> io::Result<bool> {
    let stdout = writer.stdout.take().expect("stdout is piped");
    let mut said = String::new();
    BufReader::new(stdout).read_line(&mut said)?;
    Ok(said.trim() == "ready")
}

/// What the writers were to write, every line of every one.
fn expectation(args: &CompareArgs, dir: &Path) -> Expectation {
    let writers: BTreeMap<_, _> = (0..args.processes).map(|p| ((p, 0), args.lines)).collect();
    Expectation {
        log: dir.join("app.log"),
        max_bytes: args.max_bytes,
        backups: args.backups(),
        line_size: args.line_size as usize,
        writers,
        killed: Vec::new(),
        all_gzipped: false,
        foreign: Vec::new(),
        restart_proof: false,
        rotations: None,
    }
}

/// Why writer `id` failed, from its standard error: a panic's message, or
/// the last line it printed.
fn last_words(dir: &Path, id: usize) -> Option<String> {
    let text = std::fs::read_to_string(dir.with_extension(format!("writer-{id}.stderr"))).ok()?;
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let panic = lines.clone().position(|l| l.contains("panicked at"));
    match panic {
        // `thread 'main' (pid) panicked at <file>:<line>:<col>:` then the message.
        Some(at) => {
            let place = lines.nth(at)?;
            let place = place[place.find("panicked at")?..].trim_end_matches(':');
            // The crate's folder and the file in it, not the registry's path.
            let place = match place.rsplit_once("/src/") {
                Some((dir, file)) => {
                    let krate = dir.rsplit('/').next().unwrap_or(dir);
                    format!("{krate}/src/{file}")
                }
                None => place.to_owned(),
            };
            Some(format!(
                "panicked at {place}: {}",
                lines.next().unwrap_or("")
            ))
        }
        None => text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::to_owned),
    }
}
