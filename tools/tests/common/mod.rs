//! Shared by the multi-process tests: spawning real writer processes (the
//! `crf-stress writer` subcommand) and reading back what they wrote with
//! the same verifier the stress tool uses.

#![allow(dead_code)]

pub mod followers;
pub mod guide;
// The followers are Unix programs (see `shippers.rs`).
#[cfg(unix)]
pub mod matrix;
#[cfg(unix)]
pub mod shipping;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use concurrent_rotating_file::{Compression, RotatingFile};
use crf_tools::FORKED_ID_OFFSET;
pub use crf_tools::verify::{self, Expectation, Report};

pub const STRESS: &str = env!("CARGO_BIN_EXE_crf-stress");

/// The writer `crf-stress --python` runs: Python's handler writing the
/// same self-checking lines.
pub const PYTHON_WRITER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/src/bin/crf-stress/python_writer.py"
);

/// One batch of identical writer processes.
#[derive(Debug, Clone)]
pub struct Fleet {
    pub log: PathBuf,
    pub processes: u32,
    pub threads: u32,
    pub lines: u64,
    pub line_size: usize,
    pub max_bytes: u64,
    pub backups: usize,
    pub mode: &'static str,
    pub fork_after_open: bool,
    pub gzip: bool,
    /// Restart-proof files (`app.000001.log`, ...), none renamed.
    pub restart_proof: bool,
    /// With gzip, keep each file plain until it has been a backup this
    /// long (`None`: the library's default, which is not 0 for a
    /// restart-proof log).
    pub compress_after: Option<std::time::Duration>,
    /// At most this many lines per second per thread (0: as fast as it goes).
    pub rate: u64,
    /// The id of the first process; the others follow.
    pub first_id: u32,
    /// Python's `ConcurrentRotatingFileHandler` writes instead of the
    /// library (the writer `crf-stress --python` runs), in rename mode.
    pub python: bool,
}

impl Fleet {
    pub fn new(dir: &Path) -> Fleet {
        Fleet {
            log: dir.join("app.log"),
            processes: 4,
            threads: 1,
            lines: 2000,
            line_size: 100,
            max_bytes: 4096,
            backups: 1000,
            mode: "sync",
            fork_after_open: false,
            gzip: false,
            restart_proof: false,
            compress_after: None,
            rate: 0,
            first_id: 0,
            python: false,
        }
    }

    /// Starts every writer process.
    pub fn spawn(&self) -> Vec<(u32, Child)> {
        (self.first_id..self.first_id + self.processes)
            .map(|id| {
                let child = self
                    .command(id)
                    .spawn()
                    .expect("cannot start a crf-stress writer");
                (id, child)
            })
            .collect()
    }

    /// The command that starts writer process `id`, its standard output
    /// (its progress reports) discarded.
    pub fn command(&self, id: u32) -> Command {
        if self.python {
            return self.python_command(id);
        }
        let mut cmd = Command::new(STRESS);
        cmd.arg("writer")
            .arg("--log")
            .arg(&self.log)
            .args(["--id", &id.to_string()])
            .args(["--lines", &self.lines.to_string()])
            .args(["--threads", &self.threads.to_string()])
            .args(["--line-size", &self.line_size.to_string()])
            .args(["--max-bytes", &self.max_bytes.to_string()])
            .args(["--backups", &self.backups.to_string()])
            .args(["--mode", self.mode])
            .args(["--rate", &self.rate.to_string()])
            .stdout(Stdio::null());
        if self.fork_after_open {
            cmd.arg("--fork-after-open");
        }
        if self.gzip {
            cmd.arg("--gzip");
        }
        if self.restart_proof {
            cmd.arg("--restart-proof");
        }
        if let Some(age) = self.compress_after {
            cmd.args(["--compress-after", &format!("{}s", age.as_secs_f64())]);
        }
        cmd
    }

    /// The command that starts Python writer `id`: `$CRF_PYTHON` (or
    /// `python3`) with Python's handler, running crf-stress's writer.
    fn python_command(&self, id: u32) -> Command {
        assert!(
            !self.restart_proof && self.compress_after.is_none(),
            "Python's handler renames its files and gzips at once"
        );
        let python = std::env::var("CRF_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut cmd = Command::new(python);
        cmd.arg(PYTHON_WRITER)
            .arg(&self.log)
            .arg(id.to_string())
            .arg(self.lines.to_string())
            .arg(self.line_size.to_string())
            .arg(self.max_bytes.to_string())
            .arg(self.backups.to_string())
            .arg(if self.gzip { "1" } else { "0" })
            .arg(self.rate.to_string())
            .stdout(Stdio::null());
        cmd
    }

    /// Whether `compress_after` (given, or the library's default) keeps the
    /// newest backups plain.
    pub fn holds_back_backups(&self) -> bool {
        match self.compress_after {
            Some(age) => !age.is_zero(),
            None => self.restart_proof,
        }
    }

    /// Runs every writer process to completion, asserting each succeeded.
    pub fn run(&self) {
        for (id, mut child) in self.spawn() {
            let status = child.wait().unwrap();
            assert!(status.success(), "writer {id} failed: {status}");
        }
    }

    /// What a clean run must leave, given which processes were killed.
    pub fn expectation(&self, killed: Vec<u32>) -> Expectation {
        let mut writers = BTreeMap::new();
        for p in self.first_id..self.first_id + self.processes {
            for t in 0..self.threads {
                writers.insert((p, t), self.lines);
                if self.fork_after_open {
                    writers.insert((p + FORKED_ID_OFFSET, t), self.lines);
                }
            }
        }
        Expectation {
            log: self.log.clone(),
            max_bytes: self.max_bytes,
            backups: self.backups,
            line_size: self.line_size,
            all_gzipped: self.gzip && !self.holds_back_backups() && killed.is_empty(),
            foreign: match self.python {
                true => (self.first_id..self.first_id + self.processes).collect(),
                false => vec![],
            },
            restart_proof: self.restart_proof,
            rotations: None,
            writers,
            killed,
        }
    }

    /// Reads everything back and asserts every invariant held; with no
    /// kill, also that the rotations counted account for every backup and
    /// every line pruned.
    pub fn verify(&self, killed: Vec<u32>) -> Report {
        let mut expectation = self.expectation(killed);
        expectation.rotations = Some(self.rotations());
        let report = verify::verify(&expectation).unwrap();
        assert!(report.ok(), "invariants broken:\n{report}");
        report
    }

    /// The rotations counted in the shared state, read as the next writer.
    pub fn rotations(&self) -> u64 {
        RotatingFile::builder(&self.log)
            .max_bytes(self.max_bytes)
            .backups(self.backups)
            .compression(if self.gzip {
                Compression::Gzip
            } else {
                Compression::None
            })
            .restart_proof(self.restart_proof)
            .open()
            .unwrap()
            .rotations()
    }
}

/// Runs `crf-stress` with `args` to its end.
pub fn stress(args: &[&str]) -> Output {
    Command::new(STRESS).args(args).output().unwrap()
}

/// The `--json` report on a run's standard output.
pub fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Runs `crf-stress` with kills for `rounds` rounds, asserting every
/// invariant each time; returns how many writers were killed in all.
pub fn stress_with_kills(dir: &std::path::Path, rounds: usize, args: &[&str]) -> u32 {
    let mut kills = 0;
    for round in 0..rounds {
        let round_dir = dir.join(format!("round{round}"));
        let mut all: Vec<&str> = args.to_vec();
        all.extend([
            "--kill",
            "3",
            "--json",
            "--dir",
            round_dir.to_str().unwrap(),
        ]);
        let out = stress(&all);
        let report = json(&out);
        assert!(
            out.status.success() && report["ok"] == true,
            "round {round}: {report}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        kills += report["killed"].as_u64().unwrap() as u32;
    }
    kills
}

#[allow(unused_imports)]
pub use test_support::Immutable;
