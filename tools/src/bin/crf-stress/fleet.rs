//! The writer processes of a run: started (bound to the run: see
//! [`writer_signals`]), heard from (each has a thread reading what it
//! reports), killed on purpose, and accounted for once they have all
//! exited.

use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use tempfile::NamedTempFile;

use crate::args::RunArgs;
use crate::latency::Latencies;
use crate::messages::{self, Message};
use crate::python;
use crate::writer_signals;

/// The running writer processes.
#[derive(Debug)]
pub(crate) struct Fleet {
    writers: Vec<Writer>,
    /// Lines written by every writer, as they reported them.
    lines: Arc<AtomicU64>,
    /// Kept until the Python writers are done with it.
    _python_script: Option<NamedTempFile>,
}

#[derive(Debug)]
struct Writer {
    id: u32,
    child: Child,
    /// Whether the run killed it (SIGKILL).
    killed: bool,
    listener: JoinHandle<Heard>,
}

/// What a writer process reported.
#[derive(Debug, Default)]
struct Heard {
    /// Lines it said it wrote: at its last progress report, or when done.
    lines: u64,
    done: Option<u64>,
    /// When it said every record was in the files (or, if it never said
    /// so, that it was done).
    in_files: Option<Instant>,
    /// The rotations it did itself, if it told.
    rotations: Option<u64>,
    latencies: Latencies,
}

/// How the writers ended.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Writer processes killed on purpose, by number.
    pub(crate) killed: Vec<u32>,
    /// Writer processes that failed, in words.
    pub(crate) failed: Vec<String>,
    /// Every surviving writer's write latencies.
    pub(crate) latencies: Latencies,
    /// Lines the writers said they wrote: all of a surviving writer's, a
    /// killed one's up to its last progress report.
    pub(crate) lines_reported: u64,
    /// When the last surviving writer had every record in the files, before
    /// the wait for its compressions.
    pub(crate) in_files: Option<Instant>,
    /// The rotations the writers did, each counted in its own process, if
    /// every writer told its count (none killed, none Python's).
    pub(crate) rotations: Option<u64>,
}

impl Fleet {
    /// Starts every writer process of the run, writing to `log`.
    pub(crate) fn start(args: &RunArgs, log: &Path) -> io::Result<Fleet> {
        let exe = std::env::current_exe()?;
        let script = if args.any_python() {
            Some(python::script()?)
        } else {
            None
        };
        let lines = Arc::new(AtomicU64::new(0));
        let mut writers: Vec<Writer> = Vec::new();
        for id in 0..args.total_processes() {
            let mut command = match &script {
                Some(script) if args.is_python(id) => python::command(args, script.path(), log, id),
                _ => rust_writer(args, &exe, log, id),
            };
            writer_signals::bind_to_run(&mut command);
            let spawned = command.stdout(Stdio::piped()).spawn().map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot start writer process {id} ({command:?}): {e}"),
                )
            });
            let mut child = match spawned {
                Ok(child) => child,
                Err(e) => {
                    stop_all(writers);
                    return Err(e);
                }
            };
            writer_signals::tie_to_run(&child);
            let stdout = child.stdout.take().expect("stdout is piped");
            let listener = listen(stdout, Arc::clone(&lines));
            writers.push(Writer {
                id,
                child,
                killed: false,
                listener,
            });
        }
        Ok(Fleet {
            writers,
            lines,
            _python_script: script,
        })
    }

    /// How many writer processes there are.
    pub(crate) fn len(&self) -> usize {
        self.writers.len()
    }

    /// Lines written so far by all writers, as they reported them.
    pub(crate) fn lines_written(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    /// Sends SIGKILL to writer `index`; nothing if it has exited already.
    pub(crate) fn kill(&mut self, index: usize) -> io::Result<()> {
        let writer = &mut self.writers[index];
        // A no-op for a child already reaped (its pid may have been
        // reused), which `kill(2)` by pid would not know.
        writer.child.kill()?;
        writer.killed = true;
        Ok(())
    }

    /// Ends every writer (SIGKILL) and reaps it.
    pub(crate) fn stop(&mut self) {
        for writer in &mut self.writers {
            let _ = writer.child.kill();
            let _ = writer.child.wait();
        }
    }

    /// Whether every writer has exited.
    pub(crate) fn all_exited(&mut self) -> io::Result<bool> {
        for writer in &mut self.writers {
            if writer.child.try_wait()?.is_none() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Waits for every writer and says how each ended.
    pub(crate) fn finish(self) -> io::Result<Outcome> {
        let mut outcome = Outcome {
            rotations: Some(0),
            ..Outcome::default()
        };
        for mut writer in self.writers {
            let status = writer.child.wait()?;
            let heard = writer.listener.join().unwrap_or_default();
            outcome.lines_reported += heard.lines;
            outcome.rotations = outcome
                .rotations
                .zip(heard.rotations)
                .map(|(all, its)| all + its);
            if writer.killed && writer_signals::killed_by_run(status) {
                outcome.killed.push(writer.id);
            } else if !status.success() {
                outcome
                    .failed
                    .push(format!("writer process {} failed: {status}", writer.id));
            } else if heard.done.is_none() {
                outcome.failed.push(format!(
                    "writer process {} exited without reporting its lines",
                    writer.id
                ));
            } else {
                outcome.latencies.merge(&heard.latencies);
                outcome.in_files = outcome.in_files.max(heard.in_files);
            }
        }
        Ok(outcome)
    }
}

/// The command that starts Rust writer `id` (this executable's `writer`).
fn rust_writer(args: &RunArgs, exe: &Path, log: &Path, id: u32) -> Command {
    let mut command = Command::new(exe);
    command
        .arg("writer")
        .arg("--log")
        .arg(log)
        .args(["--id", &id.to_string()])
        .args(["--lines", &args.lines.to_string()])
        .args(["--threads", &args.threads.to_string()])
        .args(["--line-size", &args.line_size.to_string()])
        .args(["--max-bytes", &args.max_bytes.to_string()])
        .args(["--backups", &args.backups.to_string()])
        .args(["--mode", &args.mode.name()])
        .args(["--rate", &args.rate.to_string()])
        .args(args.gzip.then_some("--gzip"))
        .args(args.restart_proof.then_some("--restart-proof"))
        .args(args.any_python().then_some("--beside-python"));
    if let Some(age) = args.compress_after {
        command.args(["--compress-after", &format!("{}s", age.as_secs_f64())]);
    }
    command
}

/// Reads what a writer reports until it exits, adding its progress to
/// `lines`.
fn listen(stdout: ChildStdout, lines: Arc<AtomicU64>) -> JoinHandle<Heard> {
    std::thread::spawn(move || {
        let mut heard = Heard::default();
        // The latest count of each of the writer's threads.
        let mut threads: Vec<u64> = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            match messages::parse(&line) {
                Some(Message::Progress(thread, written)) => {
                    let thread = thread as usize;
                    if thread >= threads.len() {
                        threads.resize(thread + 1, 0);
                    }
                    let new = written.saturating_sub(threads[thread]);
                    threads[thread] = threads[thread].max(written);
                    heard.lines += new;
                    lines.fetch_add(new, Ordering::Relaxed);
                }
                Some(Message::Written) => heard.in_files = Some(Instant::now()),
                Some(Message::Rotations(rotations)) => heard.rotations = Some(rotations),
                Some(Message::Latencies(latencies)) => heard.latencies = latencies,
                Some(Message::Done(done)) => {
                    heard.in_files.get_or_insert_with(Instant::now);
                    // The lines since the last progress report.
                    lines.fetch_add(done.saturating_sub(heard.lines), Ordering::Relaxed);
                    heard.lines = heard.lines.max(done);
                    heard.done = Some(done);
                }
                None => {}
            }
        }
        heard
    })
}

/// Kills and reaps writers started before a failure to start the rest.
fn stop_all(writers: Vec<Writer>) {
    for mut writer in writers {
        let _ = writer.child.kill();
        let _ = writer.child.wait();
        let _ = writer.listener.join();
    }
}
