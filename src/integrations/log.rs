//! `log` glue (feature `log`): [`FileLogger`], one [`RotatingFile`] as a
//! `log::Log`, and [`Router`] and [`NonBlockingRouter`] as `log::Log`s,
//! routing by `record.target()` as they route `tracing` events.
//!
//! Each record is formatted into one buffer (by default
//! `2026-11-24 05:43:01,123 INFO web: message`, close to Python's logging)
//! and appended as one record, even when the message spans several lines
//! (guarantee: never torn). No bridge crate is needed: crates that log
//! through `log` land in the same files as the service's `tracing` events.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use log::{LevelFilter, Log, Metadata, Record};

use crate::format::python::PythonFormat;
use crate::log_line::{LineFormat, LogLine};
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
        self.line.format = LineFormat::Custom(Arc::new(format));
        self
    }

    /// Formats each record with `format`, a Python `logging` format string
    /// (`%(asctime)s - %(name)s - %(levelname)s - %(message)s`): the lines
    /// are byte for byte those Python's `logging.Formatter` writes.
    ///
    /// ```
    /// use concurrent_rotating_file::{FileLogger, PythonFormat, RotatingFile};
    /// # let dir = tempfile::tempdir()?;
    /// # let file = RotatingFile::builder(dir.path().join("app.log")).open()?;
    /// let format = PythonFormat::new("%(asctime)s - %(name)s - %(levelname)s - %(message)s")?;
    /// let logger = FileLogger::new(file).python_format(format);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn python_format(mut self, format: PythonFormat) -> FileLogger {
        self.line.format = LineFormat::Python(format);
        self
    }

    /// Also writes the records at `level` and above to stderr, in the same
    /// format, each with one `write(2)` (Python's `StreamHandler`). The
    /// file's [`filter`](crate::Builder::filter) does not apply there.
    /// Default: [`LevelFilter::Off`], the file only.
    #[must_use]
    pub fn console(mut self, level: LevelFilter) -> FileLogger {
        self.line.console = level;
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
        self.options_mut().log.format = LineFormat::Custom(Arc::new(format));
        self
    }

    /// Formats each `log` record with `format`, a Python `logging` format
    /// string; see [`FileLogger::python_format`]. For `tracing` events,
    /// give the same format to the fmt layer (through
    /// [`Router::field_format`] when events are named by a field).
    #[must_use]
    pub fn log_python_format(mut self, format: PythonFormat) -> Router {
        self.options_mut().log.format = LineFormat::Python(format);
        self
    }

    /// Also writes the `log` records at `level` and above to stderr, in the
    /// same format; see [`FileLogger::console`].
    #[must_use]
    pub fn log_console(mut self, level: LevelFilter) -> Router {
        self.options_mut().log.console = level;
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

/// Installs `logger` (a [`FileLogger`], [`Router`] or
/// [`NonBlockingRouter`]) as the `log` crate's logger, and lets records up
/// to `level` through (`log::set_max_level`).
///
/// A process has one `log` logger. With its default features (its
/// `tracing-log` feature), tracing-subscriber's `init()` and `try_init()`
/// install one that forwards `log` records to the `tracing` subscriber, and
/// from there to its writers: a service logging through `tracing` needs no
/// `log` backend of this library, and this call then returns a
/// [`LoggerError`] saying so, rather than a second logger taking the
/// records from the subscriber's. Install this library's `log` backend in
/// services that do not use `tracing`, or whose subscriber is installed
/// with `set_global_default` (which installs no `log` logger).
/// (Installed in the other order, tracing-subscriber's `init()` panics
/// when it finds a `log` logger there; its `try_init()` returns the
/// error.)
///
/// ```
/// use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
///
/// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
/// concurrent_rotating_file::install_logger(router, log::LevelFilter::Info)?;
/// log::info!(target: "web", "request served");
/// # assert!(std::fs::read_to_string(dir.path().join("web.log"))?.ends_with(" INFO web: request served\n"));
///
/// // A second logger is refused, and told why.
/// let again = Router::new(|name: &str| RotatingFile::builder(format!("{name}.log")));
/// let error = concurrent_rotating_file::install_logger(again, log::LevelFilter::Info).unwrap_err();
/// assert!(error.to_string().contains("already installed"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`LoggerError`] if the process has a `log` logger already.
pub fn install_logger<L: Log + 'static>(logger: L, level: LevelFilter) -> Result<(), LoggerError> {
    log::set_boxed_logger(Box::new(logger)).map_err(|_| LoggerError(()))?;
    log::set_max_level(level);
    Ok(())
}

/// The error of [`install_logger`]: the process has a `log` logger
/// already, perhaps tracing-subscriber's (see there).
#[derive(Debug)]
pub struct LoggerError(());

impl fmt::Display for LoggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "a `log` logger is already installed in this process: tracing-subscriber's `init()` or `try_init()` installs one (its default feature `tracing-log`), which already sends `log` records to the `tracing` subscriber and from there to its writers, so leave this one out; otherwise install this logger before the other",
        )
    }
}

impl std::error::Error for LoggerError {}
