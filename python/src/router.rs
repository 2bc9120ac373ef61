//! [`LogRouter`]: one rotating log per name, `<directory>/<name>.log`,
//! through the engine's `Router`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use concurrent_rotating_file::{NonBlockingRouter, Router, RouterGuard};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::exclude::Exclude;
use crate::format::LineFormat;
use crate::options::{Options, seconds};

/// Every name's rotating file in one directory, opened on first use and
/// shared with every process writing there.
#[pyclass(frozen, module = "concurrent_rotating_file._native")]
pub(crate) struct LogRouter {
    router: Router,
    /// `Some` in background mode: one thread for every name.
    queue: Option<NonBlockingRouter>,
    guard: Mutex<Option<RouterGuard>>,
    exclude: Exclude,
    /// `Some` when records may be formatted in Rust (`emit`).
    format: Option<LineFormat>,
    options: Arc<Options>,
    shutdown_timeout: Option<Duration>,
}

#[pymethods]
impl LogRouter {
    /// A router writing `<directory>/<name>.log`; names that are not plain
    /// file names go to `<directory>/<fallback>.log`. With `line_end`, as
    /// for `LogFile`, `emit` formats the records it covers in Rust.
    #[new]
    #[pyo3(signature = (directory, options, *, background=false, shutdown_timeout=None, fallback="other", max_open=64, line_end=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        directory: PathBuf,
        options: &Options,
        background: bool,
        shutdown_timeout: Option<f64>,
        fallback: &str,
        max_open: usize,
        line_end: Option<(String, Option<String>)>,
    ) -> PyResult<LogRouter> {
        let shutdown_timeout = shutdown_timeout
            .map(|s| seconds("shutdown_timeout", s))
            .transpose()?;
        let options = Arc::new(options.clone());
        let builders = Arc::clone(&options);
        let router =
            Router::new(move |name: &str| builders.builder(&directory.join(format!("{name}.log"))))
                .fallback(fallback)
                .max_open(max_open);
        let format = LineFormat::for_line_end(line_end);
        Ok(LogRouter::start(
            router,
            options,
            background,
            shutdown_timeout,
            format,
        ))
    }

    /// Formats `record` in Rust, as `LogFile.emit` does, and appends it to
    /// the file of the first segment of its logger's name; returns `False`,
    /// having done nothing, where Python must format it.
    fn emit(
        &self,
        py: Python<'_>,
        record: &Bound<'_, PyAny>,
        formatter: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let Some(format) = &self.format else {
            return Ok(false);
        };
        let name = record.getattr(pyo3::intern!(py, "name"))?;
        let Ok(name) = name.cast::<PyString>() else {
            return Ok(false);
        };
        let Some(line) = format.line(record, formatter)? else {
            return Ok(false);
        };
        let name = name.to_cow()?;
        let first = name.split('.').next().unwrap_or_default();
        self.write(py, first, &line)?;
        Ok(true)
    }

    /// Appends `record` as one record of `name`'s file (or queues it), with
    /// the GIL released.
    fn write(&self, py: Python<'_>, name: &str, record: &[u8]) -> PyResult<()> {
        if !self.exclude.keeps(record) {
            return Ok(());
        }
        py.detach(|| match &self.queue {
            Some(queue) => queue.write_record(name, record),
            None => self.router.write_record(name, record),
        })?;
        Ok(())
    }

    /// Returns once every record queued before is in its file.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        if let Some(queue) = &self.queue {
            py.detach(|| queue.flush())?;
        }
        Ok(())
    }

    /// Writes what is queued and stops the background thread, then waits
    /// for this process's compressions within `compression_wait`; raises
    /// `TimeoutError` saying what was left.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let guard = self
            .guard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let wait = self.options.compression_wait();
        py.detach(|| {
            drop(guard);
            self.router.shutdown(wait)
        })?;
        Ok(())
    }

    /// The same router for a child after `fork()`, with a background
    /// thread of the child's own in background mode.
    fn forked(&self) -> LogRouter {
        LogRouter::start(
            self.router.clone(),
            Arc::clone(&self.options),
            self.queue.is_some(),
            self.shutdown_timeout,
            self.format.as_ref().map(LineFormat::forked),
        )
    }

    /// Names whose file is open now.
    #[getter]
    fn open_files(&self) -> usize {
        self.router.stats().open_files
    }

    /// Records sent to the fallback file, their name invalid or their file
    /// not openable.
    #[getter]
    fn to_fallback(&self) -> u64 {
        self.router.stats().to_fallback
    }

    /// Records lost: not even the fallback file could be opened.
    #[getter]
    fn lost(&self) -> u64 {
        self.router.stats().lost
    }

    /// Records the record filter dropped in this process.
    #[getter]
    fn filtered(&self) -> u64 {
        self.exclude.dropped()
    }
}

impl LogRouter {
    fn start(
        router: Router,
        options: Arc<Options>,
        background: bool,
        shutdown_timeout: Option<Duration>,
        format: Option<LineFormat>,
    ) -> LogRouter {
        let (queue, guard) = match background {
            true => {
                let mut builder = router.non_blocking_builder();
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
        LogRouter {
            exclude: Exclude::new(&options.exclude),
            router,
            queue,
            guard: Mutex::new(guard),
            format,
            options,
            shutdown_timeout,
        }
    }
}
