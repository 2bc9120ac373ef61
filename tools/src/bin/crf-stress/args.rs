//! The command line: the flags a user gives, their help, and what follows
//! from them (how many writers, how many lines, which are Python's).

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use crf_tools::units::parse_size;

use crate::writer_args::{WriterArgs, WriterMode};

/// Lines each writer thread writes by default: with 8 processes, 1.3 GiB
/// through 1 MiB files, some 1,370 rotations, in 20-30 s on 2 cores.
pub(crate) const DEFAULT_LINES: u64 = 1_500_000;

const ABOUT: &str = "Many processes write one rotating log at once through \
concurrent-rotating-file; then every line is read back and every guarantee \
checked.";

const LONG_ABOUT: &str = "Many processes write one rotating log at once through \
concurrent-rotating-file; then every line is read back and every guarantee \
checked.

Each writer process appends numbered, self-checking lines to app.log, which \
rotates as a service's log would (1 MiB files, 10 backups by default). Once \
they are done, every file is read back, gzipped ones too: nothing lost, \
duplicated, torn or out of order, no file over --max-bytes, an unbroken chain \
of backups. Of a pruned chain, what is left must be each writer's newest \
lines, and the rotations must account for every line pruned. The exit \
status is 0 only if every check holds.

Examples:
  crf-stress                          8 processes, 1 MiB files, 10 backups
  crf-stress -p 4 -n 100000 --gzip    4 processes, gzipped backups
  crf-stress --kill 3                 SIGKILL 3 writers at random moments
  crf-stress --restart-proof          app.000001.log, ...: no file ever renamed
  crf-stress --python 2               2 more writers using Python's handler
  crf-stress --json | jq .lines_per_second";

const AFTER_LONG_HELP: &str = "Sizes: bytes, or K, M, G (powers of 1024): 64K, 1M, 1.5M.
Exit status: 0 every check held; 1 a check failed (the files are kept and \
their directory printed); 2 bad arguments, or the run could not start; \
130 interrupted (Ctrl-C, or SIGINT or SIGTERM to the run or to its whole \
process group: the writers are stopped, nothing is verified, and the \
temporary directory is removed; a --dir is kept).";

/// The command line of `crf-stress`.
#[derive(Debug, Parser)]
#[command(
    name = "crf-stress",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP,
    override_usage = "crf-stress [OPTIONS]",
    disable_help_subcommand = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) writer: Option<Internal>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// What the stress run starts itself as.
#[derive(Debug, Subcommand)]
pub(crate) enum Internal {
    /// Internal: one writer process.
    #[command(hide = true)]
    Writer(WriterArgs),
}

/// The options of a stress run.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RunArgs {
    /// Writer processes (with --only-python, Python's).
    #[arg(long, short = 'p', default_value_t = 8, value_name = "N")]
    pub(crate) processes: u32,
    /// Lines each writer thread writes.
    #[arg(long, short = 'n', default_value_t = DEFAULT_LINES, value_name = "N")]
    pub(crate) lines: u64,
    /// Threads per writer process, each through its own clone of one handle.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub(crate) threads: u32,
    /// Bytes per line, newline included (at least 20: the line's header).
    #[arg(long, default_value = "120", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) line_size: u64,
    /// Rotate before a file would pass this size; 0: never rotate.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_bytes: u64,
    /// Backups kept; the oldest are pruned, and what is left is checked.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub(crate) backups: usize,
    /// Gzip the backups.
    #[arg(long)]
    pub(crate) gzip: bool,
    /// Never rename a file: each rotation starts the next numbered file
    /// (app.000001.log, app.000002.log, ...; app.log a second name of the
    /// live one), and the files are verified in number order.
    #[arg(long)]
    pub(crate) restart_proof: bool,
    /// With --gzip, keep each file plain until it has been a backup this
    /// long (from its last line, and with --restart-proof from the switch
    /// to the next file): how long a log shipper may stay down and still
    /// find the newest backups in its glob. The files still plain at the
    /// end are verified as such [default: 5m with --restart-proof, else 0s].
    #[arg(long, value_name = "DURATION", requires = "gzip", value_parser = crf_tools::units::parse_duration)]
    pub(crate) compress_after: Option<std::time::Duration>,
    /// How the writer processes write: through the library (sync, tracing,
    /// tracing-global, non-blocking, tracing-non-blocking), or a baseline
    /// loop without it
    /// (raw-*, which never rotate: give --max-bytes 0).
    #[arg(long, value_enum, default_value_t = WriterMode::Sync)]
    pub(crate) mode: WriterMode,
    /// Pace each Rust writer thread to at most this many lines per second
    /// (0: as fast as it can), so that slower starters (Python) overlap.
    #[arg(long, default_value_t = 0, value_name = "LINES")]
    pub(crate) rate: u64,
    /// SIGKILL this many writer processes, each at a random moment; a killed
    /// writer may lose only its own unwritten lines.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) kill: u32,
    /// Add this many writer processes using Python's
    /// ConcurrentRotatingFileHandler on the same file.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) python: u32,
    /// Run the workload with Python's handler alone: every one of the
    /// --processes writers is a Python process.
    #[arg(long, conflicts_with = "python")]
    pub(crate) only_python: bool,
    /// The Python interpreter for --python and --only-python; it needs the
    /// concurrent-log-handler package.
    #[arg(
        long,
        env = "CRF_PYTHON",
        default_value = "python3",
        value_name = "PATH"
    )]
    pub(crate) python_bin: String,
    /// Where to write [default: a fresh temporary directory, removed after a
    /// run that passes]. Created if missing; must be empty unless --force.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
    /// Reuse a --dir that holds a previous run: its files (app.log, its
    /// backups, app.000001.log and the like, Python's .__app.lock, and the
    /// library's app.log.* files in .concurrent-rotating-file/) are deleted
    /// first. Any other file makes the run refuse to start.
    #[arg(long, requires = "dir")]
    pub(crate) force: bool,
    /// Print the report as one JSON object (keys in tools/crf-stress-json.md).
    #[arg(long)]
    pub(crate) json: bool,
}

impl RunArgs {
    /// Every writer process, Rust and Python.
    pub(crate) fn total_processes(&self) -> u32 {
        self.processes + if self.only_python { 0 } else { self.python }
    }

    /// Whether writer process `process` runs Python's handler.
    pub(crate) fn is_python(&self, process: u32) -> bool {
        self.only_python || process >= self.processes
    }

    /// Whether any writer runs Python's handler.
    pub(crate) fn any_python(&self) -> bool {
        self.only_python || self.python > 0
    }

    /// The Rust writer processes.
    pub(crate) fn rust_processes(&self) -> u32 {
        if self.only_python { 0 } else { self.processes }
    }

    /// Whether every backup is gzipped once the writers are done: with
    /// --gzip, unless --compress-after (given, or the library's default for
    /// a restart-proof log) keeps the newest plain.
    pub(crate) fn all_gzipped(&self) -> bool {
        let held_back = match self.compress_after {
            Some(age) => !age.is_zero(),
            None => self.restart_proof,
        };
        self.gzip && self.max_bytes > 0 && !held_back
    }

    /// The Python writer processes.
    pub(crate) fn python_processes(&self) -> u32 {
        self.total_processes() - self.rust_processes()
    }

    /// Threads of writer process `process` (Python's have one).
    pub(crate) fn threads_of(&self, process: u32) -> u32 {
        if self.is_python(process) {
            1
        } else {
            self.threads
        }
    }

    /// Lines all writers are to write.
    pub(crate) fn total_lines(&self) -> u64 {
        (0..self.total_processes())
            .map(|p| self.lines * u64::from(self.threads_of(p)))
            .sum()
    }

    /// Bytes all writers are to write.
    pub(crate) fn total_bytes(&self) -> u64 {
        self.total_lines() * self.line_size
    }
}
