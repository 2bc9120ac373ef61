//! `log` glue (feature `log`): [`FileLogger`], one [`RotatingFile`] as a
//! `log::Log`, and [`Router`] and [`NonBlockingRouter`] as `log::Log`s,
//! routing by `record.target()` as they route `tracing` events.
//!
//! Each record is formatted into one buffer (by default
//! `2026-11-24 05:43:01,123 INFO web: message`, close to Python's logging)
//! and appended as one record, even when the message spans several lines
//! (guarantee: never torn). No bridge crate is needed: crates that log
//! through `log` land in the same files as the service's `tracing` events.

use std::io::{self, Write};
use std::sync::Arc;

use log::{LevelFilter, Log, Metadata, Record};

use crate::log_line::LogLine;
use crate::router::handle::Router;
use crate::router::queue::NonBlockingRouter;
use crate::writer::handle::RotatingFile;
use crate::writer::records::Records;

/// One [`RotatingFile`] as the backend of the `log` crate.
///
/// Each record is one line (one record of the file, whole, even if its
/// message has newlines), by default as Python's logging writes it:
/// `2026-11-24 05:43:01,123 INFO web::views: request served` (local time,
/// `WARNING` for `Warn`, the target as the logger's name). Installing it is
/// one line, with the level `log` lets through:
///
/// ```
/// use concurrent_rotating_file::{FileLogger, RotatingFile};
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("app.log");
///
/// let file = RotatingFile::builder(&path).max_bytes(1 << 20).open()?;
/// log::set_boxed_logger(Box::new(FileLogger::new(file))).map(|()| log::set_max_level(log::LevelFilter::Info))?;
///
/// log::info!(target: "web", "request served");
/// log::debug!("below the level: not written");
/// let text = std::fs::read_to_string(&path)?;
/// assert!(text.ends_with(" INFO web: request served\n"), "{text}");
/// assert_eq!(text.lines().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A record that cannot be written (disk full) is counted
/// ([`RotatingFile::write_errors`]) and the first failure printed on
/// stderr, as for a `tracing` event.
pub struct FileLogger {
    file: RotatingFile,
    line: LogLine,
}

// === impl FileLogger ===

impl FileLogger {
    /// A logger writing every record `log` lets through to `file`, in the
    /// default format.
    pub fn new(file: RotatingFile) -> FileLogger {
        FileLogger {
            file,
            line: LogLine::default(),
        }
    }

    /// Drops records below `level` (besides `log::set_max_level`, which
    /// filters before any logger sees a record). Default:
    /// [`LevelFilter::Trace`], everything `log` lets through.
    #[must_use]
    pub fn level(mut self, level: LevelFilter) -> FileLogger {
        self.line.level = level;
        self
    }

    /// Formats each record with `format` instead of the default. It writes
    /// one record; a newline is added if it writes none, and a record it
    /// fails to format is written in the default format instead.
    ///
    /// ```
    /// # use concurrent_rotating_file::{FileLogger, RotatingFile};
    /// # let dir = tempfile::tempdir()?;
    /// # let file = RotatingFile::builder(dir.path().join("app.log")).open()?;
    /// let logger = FileLogger::new(file).format(|w, record| {
    ///     write!(w, "[{}] {}", record.level(), record.args())
    /// });
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn format<F>(mut self, format: F) -> FileLogger
    where
        F: Fn(&mut dyn Write, &Record<'_>) -> io::Result<()> + Send + Sync + 'static,
    {
        self.line.format = Some(Arc::new(format));
        self
    }

    /// The file written to.
    pub fn file(&self) -> &RotatingFile {
        &self.file
    }
}

impl Log for FileLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.line.enabled(metadata.level())
    }

    fn log(&self, record: &Record<'_>) {
        let log = self.file.open_log();
        self.line
            .write(record, |line| log.append_or_report(line, Records::One));
    }

    /// Nothing to do: each record is in the file when `log` returns.
    fn flush(&self) {}
}

impl std::fmt::Debug for FileLogger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileLogger")
            .field("path", &self.file.path())
            .field("line", &self.line)
            .finish()
    }
}

// === impl Router ===

impl Router {
    /// Drops `log` records below `level` (besides `log::set_max_level`).
    /// Default: [`LevelFilter::Trace`], everything `log` lets through.
    /// `tracing` events are filtered by tracing-subscriber's own filters.
    #[must_use]
    pub fn log_level(mut self, level: LevelFilter) -> Router {
        self.options_mut().log.level = level;
        self
    }

    /// Formats each `log` record with `format` instead of the default
    /// (`2026-11-24 05:43:01,123 INFO web: message`); see
    /// [`FileLogger::format`].
    #[must_use]
    pub fn log_format<F>(mut self, format: F) -> Router
    where
        F: Fn(&mut dyn Write, &Record<'_>) -> io::Result<()> + Send + Sync + 'static,
    {
        self.options_mut().log.format = Some(Arc::new(format));
        self
    }
}

/// Routes each record to the file of its target's name (see
/// [`Naming`](crate::Naming); [`Naming::Field`](crate::Naming::Field) names
/// `log` records by their target's first segment).
///
/// ```
/// use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
///
/// log::set_boxed_logger(Box::new(Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))))))
///     .map(|()| log::set_max_level(log::LevelFilter::Info))?;
/// log::info!(target: "web::views", "request served");
/// log::warn!(target: "db", "slow query\nspanning two lines");
/// assert!(std::fs::read_to_string(dir.path().join("web.log"))?.ends_with(" INFO web::views: request served\n"));
/// assert!(std::fs::read_to_string(dir.path().join("db.log"))?.ends_with(" WARNING db: slow query\nspanning two lines\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Log for Router {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.options().log.enabled(metadata.level())
    }

    fn log(&self, record: &Record<'_>) {
        self.options().log.write(record, |line| {
            if let Some(file) = self.file_for_target(record.target()) {
                file.open_log().append_or_report(line, Records::One);
            }
        });
    }

    /// Nothing to do: each record is in its file when `log` returns.
    fn flush(&self) {}
}

/// Queues each record, with the name of its target, for the router's
/// thread; `flush` waits until everything queued is written.
impl Log for NonBlockingRouter {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.router().options().log.enabled(metadata.level())
    }

    fn log(&self, record: &Record<'_>) {
        let router = self.router();
        router.options().log.write(record, |line| {
            self.send(router.name_of_target(record.target()), line)
        });
    }

    fn flush(&self) {
        let _ = NonBlockingRouter::flush(self);
    }
}
