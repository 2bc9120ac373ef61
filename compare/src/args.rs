//! The command line: what is compared, how big, where the files go.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use crf_tools::record::{MAX_LINES, MAX_PROCESSES, MIN_LINE_SIZE};
use crf_tools::units::parse_size;
use tempfile::TempDir;

use crate::peers::{Peer, Setup};

const LONG_ABOUT: &str = "Several real processes share one log file rotated at a size limit, \
through each peer crate used as its documentation shows, and through \
concurrent-rotating-file; then every line is read back and checked. \
Prints a Markdown table: lines lost, duplicated and torn, the files and \
how many grew past the limit, and lines per second, as medians of \
interleaved rounds.

Every process writes numbered, self-checking lines of --line-size bytes, \
each one a log record as the crate takes it (a `log` or `tracing` event \
formatted as its message alone, or one `write_all` of a whole line). Each \
crate keeps enough backups that none is pruned: every line missing is lost.

Example:
  compare-peers                          4 processes x 50,000 lines, 1 MiB, 3 rounds
  compare-peers --peer file-rotate -n 5000 --max-bytes 64K --rounds 1";

/// The command line of `compare-peers`.
#[derive(Debug, Parser)]
#[command(
    name = "compare-peers",
    version,
    about = "Several processes share one size-rotated log through each peer crate and through concurrent-rotating-file: what each loses, as a Markdown table.",
    long_about = LONG_ABOUT,
    override_usage = "compare-peers [OPTIONS]",
    disable_help_subcommand = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) writer: Option<Internal>,
    #[command(flatten)]
    pub(crate) compare: CompareArgs,
}

/// What the comparison starts itself as.
#[derive(Debug, Subcommand)]
pub(crate) enum Internal {
    /// Internal: one writer process.
    #[command(hide = true)]
    Writer(Setup),
}

/// The options of a comparison.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct CompareArgs {
    /// Processes sharing the log.
    #[arg(long, short = 'p', default_value_t = 4, value_name = "N")]
    pub(crate) processes: u32,
    /// Lines each process writes.
    #[arg(long, short = 'n', default_value_t = 50_000, value_name = "N")]
    pub(crate) lines: u64,
    /// Bytes per line, newline included.
    #[arg(long, default_value = "120", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) line_size: u64,
    /// The size limit each crate is given for a file.
    #[arg(long, default_value = "1M", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_bytes: u64,
    /// Rounds, every crate in turn in each; the table gives the medians.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub(crate) rounds: u32,
    /// Compare only this crate (repeatable) [default: all of them].
    #[arg(long = "peer", value_enum, value_name = "CRATE")]
    pub(crate) only: Vec<Peer>,
    /// Keep the files in DIR, one folder per round and crate [default: a
    /// temporary directory, removed]. Created if missing; must be empty.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

/// Where a comparison writes: a directory given, or a temporary one.
#[derive(Debug)]
pub(crate) enum Dir {
    Given(PathBuf),
    Temporary(TempDir),
}

impl Dir {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Dir::Given(path) => path,
            Dir::Temporary(temp) => temp.path(),
        }
    }
}

impl CompareArgs {
    /// Checks every flag before anything starts; the message names it.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.processes == 0 || self.processes > MAX_PROCESSES {
            return Err(format!(
                "--processes must be between 1 and {MAX_PROCESSES} (the line header has 4 digits for them)"
            ));
        }
        if self.lines == 0 || self.lines > MAX_LINES {
            return Err(format!(
                "--lines must be between 1 and {MAX_LINES} (the line header has 10 digits for the number)"
            ));
        }
        if self.line_size < MIN_LINE_SIZE as u64 {
            return Err(format!(
                "--line-size must be at least {MIN_LINE_SIZE} bytes: a line's header and its newline"
            ));
        }
        if self.max_bytes < self.line_size {
            return Err(format!(
                "--max-bytes ({}) must hold at least one line of --line-size ({})",
                self.max_bytes, self.line_size
            ));
        }
        if self.rounds == 0 {
            return Err("--rounds must be at least 1".into());
        }
        Ok(())
    }

    /// The directory the runs go in: `--dir` (created, and refused unless
    /// empty), or a temporary one.
    pub(crate) fn prepare_dir(&self) -> Result<Dir, String> {
        let Some(dir) = &self.dir else {
            return tempfile::Builder::new()
                .prefix("compare-peers-")
                .tempdir()
                .map(Dir::Temporary)
                .map_err(|e| format!("cannot create a temporary directory: {e}"));
        };
        let shown = dir.display();
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("--dir {shown}: cannot create it: {e}"))?;
        let mut entries =
            std::fs::read_dir(dir).map_err(|e| format!("--dir {shown}: cannot list it: {e}"))?;
        if let Some(entry) = entries.next() {
            let name = entry.map_or_else(
                |e| e.to_string(),
                |e| e.file_name().to_string_lossy().into_owned(),
            );
            return Err(format!(
                "--dir {shown} is not empty (it holds `{name}`): choose an empty directory"
            ));
        }
        Ok(Dir::Given(dir.clone()))
    }

    /// The crates compared, in the table's order.
    pub(crate) fn peers(&self) -> Vec<Peer> {
        Peer::ALL
            .into_iter()
            .filter(|peer| self.only.is_empty() || self.only.contains(peer))
            .collect()
    }

    /// Lines all processes write.
    pub(crate) fn total_lines(&self) -> u64 {
        self.lines * u64::from(self.processes)
    }

    /// Backups each crate keeps: twice as many files as the lines fill,
    /// and ten more, so that none is pruned and every line missing is lost.
    pub(crate) fn backups(&self) -> usize {
        let files = (self.total_lines() * self.line_size).div_ceil(self.max_bytes);
        usize::try_from(files).map_or(usize::MAX, |files| files.saturating_mul(2) + 10)
    }
}
