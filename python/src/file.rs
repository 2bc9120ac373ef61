//! [`LogFile`]: one rotating log, written record by record, directly or
//! through the engine's background writer.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use concurrent_rotating_file::{NonBlocking, RotatingFile, WorkerGuard};
use pyo3::prelude::*;

use crate::errors::open_error;
use crate::exclude::Exclude;
use crate::format::LineFormat;
use crate::options::{Options, seconds};

/// One rotating log file, shared with every process that opens it.
#[pyclass(frozen, module = "concurrent_rotating_file._native")]
pub(crate) struct LogFile {
    file: RotatingFile,
    /// `Some` in background mode: records are queued, not written.
    queue: Option<NonBlocking>,
    /// Taken by `close`: dropping it writes what is queued.
    guard: Mutex<Option<WorkerGuard>>,
    exclude: Exclude,
    /// `Some` when records may be formatted in Rust (`emit`).
    format: Option<LineFormat>,
    options: Options,
    shutdown_timeout: Option<Duration>,
}

#[pymethods]
impl LogFile {
    /// Opens the log at `path` (the GIL released: opening may wait for the
    /// lock, or repair what a killed process left). With `line_end`
    /// (the handler's terminator, and what `newline` turns `\n` into),
    /// `emit` formats the records it covers in Rust, as UTF-8.
    #[new]
    #[pyo3(signature = (path, options, *, background=false, shutdown_timeout=None, line_end=None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        options: &Options,
        background: bool,
        shutdown_timeout: Option<f64>,
        line_end: Option<(String, Option<String>)>,
    ) -> PyResult<LogFile> {
        let shutdown_timeout = shutdown_timeout
            .map(|s| seconds("shutdown_timeout", s))
            .transpose()?;
        let file = py
            .detach(|| options.builder(&path).open())
            .map_err(open_error)?;
        let format = LineFormat::for_line_end(line_end);
        Ok(LogFile::start(
            file,
            options.clone(),
            background,
            shutdown_timeout,
            format,
        ))
    }

    /// Formats `record` with `formatter` (`logging.Formatter.format`, byte
    /// for byte) and appends it as `write` does, if the Rust path covers
    /// them (see `LineFormat::line`); returns `False`, having done
    /// nothing, if not: Python formats the record then.
    fn emit(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        formatter: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let Some(format) = &self.format else {
            return Ok(false);
        };
        let Some(line) = format.line(record, formatter)? else {
            return Ok(false);
        };
        self.write(py, &line)?;
        Ok(true)
    }

    /// Appends `record` as one record (or queues it, in background mode),
    /// with the GIL released.
    fn write(&self, py: Python<'_>, record: &[u8]) -> PyResult<()> {
        if !self.exclude.keeps(record) {
            return Ok(());
        }
        py.detach(|| match &self.queue {
            Some(queue) => queue.write_record(record),
            None => self.file.write_record(record),
        })?;
        Ok(())
    }

    /// Returns once every record queued before is in the file.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(queue) = &self.queue {
            py.detach(|| std::io::Write::flush(&mut queue.clone()))?;
        }
        Ok(())
    }

    /// Writes what is queued and stops the background thread (within
    /// `shutdown_timeout`, if given), then waits for the compressions this
    /// process queued, within `compression_wait`. Raises `TimeoutError`
    /// saying what was left unfinished (the next process to open the log
    /// finishes it).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let guard = self
            .guard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let wait = self.options.compression_wait();
        py.detach(|| {
            drop(guard);
            self.file.clone().shutdown(wait)
        })?;
        Ok(())
    }

    /// The same log for a child after `fork()`: the file is the engine's
    /// (which takes its own lock in the child), and in background mode a
    /// thread of the child's own, where the parent's does not exist.
    fn forked(&self) -> LogFile {
        LogFile::start(
            self.file.clone(),
            self.options.clone(),
            self.queue.is_some(),
            self.shutdown_timeout,
            self.format.as_ref().map(LineFormat::forked),
        )
    }

    /// The live file's path.
    #[getter]
    fn path(&self) -> PathBuf {
        self.file.path().to_path_buf()
    }

    /// Rotations done by every process sharing the file.
    #[getter]
    fn rotations(&self) -> u64 {
        self.file.rotations()
    }

    /// Records this process could not write where no error could be
    /// raised (the background thread's writes); each first failure is
    /// printed on stderr.
    #[getter]
    fn write_errors(&self) -> u64 {
        self.queue
            .as_ref()
            .map_or_else(|| self.file.write_errors(), NonBlocking::write_errors)
    }

    /// Records the record filter dropped in this process.
    #[getter]
    fn filtered(&self) -> u64 {
        self.exclude.dropped()
    }
}

impl LogFile {
    fn start(
        file: RotatingFile,
        options: Options,
        background: bool,
        shutdown_timeout: Option<Duration>,
        format: Option<LineFormat>,
    ) -> LogFile {
        let (queue, guard) = match background {
            true => {
                let mut builder = file.non_blocking_builder();
                if let Some(capacity) = options.capacity {
                    builder = builder.capacity(capacity);
                }
                if let Some(timeout) = shutdown_timeout {
                    builder = builder.shutdown_timeout(timeout);
                }
                let (queue, guard) = builder.finish();
                (Some(queue), Some(guard))
            }
            false => (None, None),
        };
        LogFile {
            exclude: Exclude::new(&options.exclude),
            file,
            queue,
            guard: Mutex::new(guard),
            format,
            options,
            shutdown_timeout,
        }
    }
}
