//! The crates compared, each set up in a writer process as its
//! documentation shows, with only the line format made the message alone
//! so that every line can be checked byte for byte: this crate
//! ([`ours`]), flexi_logger ([`flexi`]), log4rs ([`log4rs_roller`]),
//! file-rotate ([`file_rotate_bytes`]) and tracing-appender
//! ([`tracing_daily`]). Each also says how it names its files, so that
//! they are read back oldest first.

mod file_rotate_bytes;
mod flexi;
mod log4rs_roller;
mod ours;
mod tracing_daily;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What one writer process sets its crate up with and writes: the
/// options of `compare-peers writer`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Setup {
    #[arg(long, value_enum)]
    pub(crate) peer: Peer,
    /// The log's directory.
    #[arg(long)]
    pub(crate) dir: PathBuf,
    #[arg(long)]
    pub(crate) id: u32,
    #[arg(long)]
    pub(crate) lines: u64,
    #[arg(long)]
    pub(crate) line_size: u64,
    #[arg(long)]
    pub(crate) max_bytes: u64,
    #[arg(long)]
    pub(crate) backups: usize,
}

/// A failure to set a crate up, in its own words.
pub(crate) type SetupError = Box<dyn std::error::Error>;

/// A crate compared, named on the command line as on crates.io.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Peer {
    ConcurrentRotatingFile,
    #[value(name = "flexi_logger")]
    FlexiLogger,
    Log4rs,
    FileRotate,
    TracingAppender,
}

impl Peer {
    /// Every crate, in the table's order.
    pub(crate) const ALL: [Peer; 5] = [
        Peer::ConcurrentRotatingFile,
        Peer::FlexiLogger,
        Peer::Log4rs,
        Peer::FileRotate,
        Peer::TracingAppender,
    ];

    /// The crate's name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Peer::ConcurrentRotatingFile => "concurrent-rotating-file",
            Peer::FlexiLogger => "flexi_logger",
            Peer::Log4rs => "log4rs",
            Peer::FileRotate => "file-rotate",
            Peer::TracingAppender => "tracing-appender",
        }
    }

    /// How it is set up, in its own API's words.
    pub(crate) fn setup(self) -> &'static str {
        match self {
            Peer::ConcurrentRotatingFile => ours::SETUP,
            Peer::FlexiLogger => flexi::SETUP,
            Peer::Log4rs => log4rs_roller::SETUP,
            Peer::FileRotate => file_rotate_bytes::SETUP,
            Peer::TracingAppender => tracing_daily::SETUP,
        }
    }

    /// Sets the crate up in this process, writing to `args.dir`.
    pub(crate) fn open(self, args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
        match self {
            Peer::ConcurrentRotatingFile => ours::open(args),
            Peer::FlexiLogger => flexi::open(args),
            Peer::Log4rs => log4rs_roller::open(args),
            Peer::FileRotate => file_rotate_bytes::open(args),
            Peer::TracingAppender => tracing_daily::open(args),
        }
    }

    /// The files the crate left in `dir`, oldest first by its naming.
    pub(crate) fn files(self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        match self {
            Peer::ConcurrentRotatingFile | Peer::Log4rs | Peer::FileRotate => {
                oldest_first(dir, numbered_backups)
            }
            Peer::FlexiLogger => oldest_first(dir, flexi::age),
            Peer::TracingAppender => oldest_first(dir, |_| Age::ByName),
        }
    }
}

/// A writer process's way into a crate's log.
pub(crate) trait Sink {
    /// Writes `line` (a whole line, newline included) as one record.
    fn line(&mut self, line: &[u8]) -> io::Result<()>;
    /// Writes out whatever the crate holds, before the process exits.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// A crate used as an `io::Write`: one `write_all` per line.
struct WriteAll<W>(W);

impl<W: Write> Sink for WriteAll<W> {
    fn line(&mut self, line: &[u8]) -> io::Result<()> {
        self.0.write_all(line)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.0.flush()
    }
}

/// A line as a `log` or `tracing` event's message: without its newline,
/// which the crate's formatting adds back.
fn message(line: &[u8]) -> io::Result<&str> {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    std::str::from_utf8(text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Where a file stands in a crate's naming: files sort oldest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Age {
    /// A backup numbered so that higher numbers are older: the highest first.
    Numbered(std::cmp::Reverse<u64>),
    /// A name that sorts oldest first (a number or a date that grows).
    ByName,
    /// The file being written to: the newest.
    Live,
}

/// `app.log` the live file, `app.log.N` its backups, the highest oldest
/// (this crate, file-rotate's `AppendCount`, log4rs's fixed window).
fn numbered_backups(name: &str) -> Age {
    if name == "app.log" {
        return Age::Live;
    }
    name.strip_prefix("app.log.")
        .and_then(|n| n.parse().ok())
        .map_or(Age::ByName, |n| Age::Numbered(std::cmp::Reverse(n)))
}

/// The regular files in `dir` but hidden ones (a crate's lock and state),
/// oldest first by `age`, then by name.
fn oldest_first(dir: &Path, age: impl Fn(&str) -> Age) -> io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let listing = std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot list {}: {e}", dir.display())))?;
    for entry in listing {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file() && !name.starts_with('.') {
            files.push((age(&name), name));
        }
    }
    files.sort();
    Ok(files.into_iter().map(|(_, name)| dir.join(name)).collect())
}
