//! The options of one writer process (`crf-stress writer`), which the run
//! passes on from its own, and how it writes.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// How a writer process writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WriterMode {
    /// `write_all` of each line through `io::Write`.
    Sync,
    /// One `tracing` event per line, through the fmt layer with no decoration.
    Tracing,
    /// The same through a subscriber installed globally, as services do:
    /// never dropped, so the process's exit is what finishes the last
    /// compressions.
    TracingGlobal,
    /// `write_all` of each line through the background writer
    /// (`non_blocking`).
    NonBlocking,
    /// One `tracing` event per line through the background writer.
    TracingNonBlocking,
    /// Baseline, not the library: `flock`, `write`, unlock per line on the
    /// same lock and log files, never rotating. The floor the sync writer is
    /// measured against.
    RawFlock,
    /// Baseline: one `write` per line on an `O_APPEND` file, no lock, no
    /// rotation.
    RawUnlocked,
    /// Baseline: lines gathered into 64 KiB batches, one `write` each, no
    /// lock, no rotation. The floor the background writer is measured
    /// against.
    RawBatched,
}

impl WriterMode {
    /// The name on the command line.
    pub(crate) fn name(self) -> String {
        self.to_possible_value()
            .expect("no skipped variants")
            .get_name()
            .to_owned()
    }

    /// Whether this is a baseline loop rather than the library.
    pub(crate) fn is_raw(self) -> bool {
        matches!(
            self,
            WriterMode::RawFlock | WriterMode::RawUnlocked | WriterMode::RawBatched
        )
    }
}

/// How a writer process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
// The variants are named for `std::process::exit`, which they call, and are
// the command line's values.
#[allow(clippy::enum_variant_names)]
pub(crate) enum Exit {
    /// Returns from `main`.
    Return,
    /// Calls `std::process::exit`: nothing is dropped.
    ProcessExit,
    /// Calls `std::process::exit` as soon as the lines are sent, a
    /// background writer's guard never dropped nor its queue flushed: the
    /// library's exit handler is what writes what it holds.
    ProcessExitHoldingGuard,
}

/// The options one writer process runs with.
#[derive(Debug, Clone, Args)]
pub(crate) struct WriterArgs {
    /// The log file.
    #[arg(long)]
    pub(crate) log: PathBuf,
    /// This writer's number.
    #[arg(long)]
    pub(crate) id: u32,
    #[arg(long)]
    pub(crate) lines: u64,
    #[arg(long, default_value_t = 1)]
    pub(crate) threads: u32,
    #[arg(long, default_value_t = 120)]
    pub(crate) line_size: usize,
    #[arg(long)]
    pub(crate) max_bytes: u64,
    #[arg(long)]
    pub(crate) backups: usize,
    #[arg(long, value_enum, default_value_t = WriterMode::Sync)]
    pub(crate) mode: WriterMode,
    /// At most this many lines per second per thread (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub(crate) rate: u64,
    /// Gzip the backups.
    #[arg(long)]
    pub(crate) gzip: bool,
    /// Restart-proof files: no file renamed, each rotation starting the
    /// next numbered one.
    #[arg(long)]
    pub(crate) restart_proof: bool,
    /// Keep a backup plain until its last record is this old (with
    /// --gzip).
    #[arg(long, value_parser = crf_tools::units::parse_duration)]
    pub(crate) compress_after: Option<std::time::Duration>,
    /// Share the log with Python's handler: lock its lock file, and check
    /// the log path before every record, as beside a writer outside the
    /// library.
    #[arg(long)]
    pub(crate) beside_python: bool,
    /// How the process ends once it has written everything.
    #[arg(long, value_enum, default_value_t = Exit::Return)]
    pub(crate) exit: Exit,
    /// How long the last handle's drop, and the exit, wait for the
    /// compressions this process queued.
    #[arg(long, value_parser = crf_tools::units::parse_duration)]
    pub(crate) compression_wait: Option<std::time::Duration>,
    /// The gzip level (with --gzip).
    #[arg(long)]
    pub(crate) compression_level: Option<u32>,
    /// Permission bits of the files created, in octal (the library's
    /// `mode`).
    #[arg(long, value_parser = |s: &str| u32::from_str_radix(s, 8))]
    pub(crate) file_mode: Option<u32>,
    /// The group id of the files and directories created.
    #[arg(long)]
    pub(crate) group: Option<u32>,
    /// Fork once after opening; parent and child then both write through the
    /// handle opened before the fork, the child as writer
    /// `id + FORKED_ID_OFFSET` (guarantee: fork-safe, the child takes its own
    /// lock).
    #[arg(long)]
    pub(crate) fork_after_open: bool,
}
