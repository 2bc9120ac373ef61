//! [`Options`]: what a handler asks of the engine, made once from Python's
//! keyword arguments and turned into a library `Builder` for each file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use concurrent_rotating_file::{Builder, Compression, Period, RotatingFile, Weekday};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// The engine's options for one log file (or each file of a router).
/// Built by the Python handlers from `ConcurrentRotatingFileHandler`'s
/// arguments; checked by the engine when a file is opened.
#[pyclass(frozen, module = "concurrent_rotating_file._native")]
#[derive(Debug, Clone)]
pub(crate) struct Options {
    max_bytes: u64,
    backups: usize,
    gzip: bool,
    compression_level: Option<u32>,
    compress_after: Option<Duration>,
    compression_wait: Option<Duration>,
    mode: Option<u32>,
    group: Option<String>,
    lock_dir: Option<PathBuf>,
    share_with_python: bool,
    restart_proof: bool,
    rotate_every: Option<Period>,
    utc: bool,
    path_check_interval: Option<Duration>,
    lock_spin: Option<Duration>,
    pub(crate) exclude: Vec<Vec<u8>>,
    pub(crate) capacity: Option<usize>,
}

#[pymethods]
impl Options {
    /// Every option by keyword; seconds as floats.
    #[new]
    #[pyo3(signature = (
        *, max_bytes, backups, gzip=false, compression_level=None, compress_after=None,
        compression_wait=None, mode=None, group=None, lock_dir=None, share_with_python=true,
        restart_proof=false, rotate_every=None, utc=false, path_check_interval=None,
        lock_spin=None, exclude=Vec::new(), capacity=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        max_bytes: u64,
        backups: usize,
        gzip: bool,
        compression_level: Option<u32>,
        compress_after: Option<f64>,
        compression_wait: Option<f64>,
        mode: Option<u32>,
        group: Option<String>,
        lock_dir: Option<PathBuf>,
        share_with_python: bool,
        restart_proof: bool,
        rotate_every: Option<&str>,
        utc: bool,
        path_check_interval: Option<f64>,
        lock_spin: Option<f64>,
        exclude: Vec<Vec<u8>>,
        capacity: Option<usize>,
    ) -> PyResult<Options> {
        Ok(Options {
            max_bytes,
            backups,
            gzip,
            compression_level,
            compress_after: compress_after
                .map(|s| seconds("compress_after", s))
                .transpose()?,
            compression_wait: compression_wait
                .map(|s| seconds("compression_wait", s))
                .transpose()?,
            mode,
            group,
            lock_dir,
            share_with_python,
            restart_proof,
            rotate_every: rotate_every.map(period).transpose()?,
            utc,
            path_check_interval: path_check_interval
                .map(|s| seconds("path_check_interval", s))
                .transpose()?,
            lock_spin: lock_spin.map(|s| seconds("lock_spin", s)).transpose()?,
            exclude,
            capacity,
        })
    }
}

impl Options {
    /// The library's builder for the log at `path`.
    pub(crate) fn builder(&self, path: &Path) -> Builder {
        let mut builder = RotatingFile::builder(path)
            .max_bytes(self.max_bytes)
            .backups(self.backups)
            .utc(self.utc)
            .share_with_python(self.share_with_python)
            .restart_proof(self.restart_proof);
        if let Some(period) = self.rotate_every {
            builder = builder.rotate_every(period);
        }
        if self.gzip {
            builder = builder.compression(Compression::Gzip);
        }
        if let Some(level) = self.compression_level {
            builder = builder.compression_level(level);
        }
        if let Some(age) = self.compress_after {
            builder = builder.compress_after(age);
        }
        if let Some(wait) = self.compression_wait {
            builder = builder.compression_wait(wait);
        }
        if let Some(mode) = self.mode {
            builder = builder.mode(mode);
        }
        if let Some(group) = &self.group {
            builder = builder.group(group);
        }
        if let Some(interval) = self.path_check_interval {
            builder = builder.path_check_interval(interval);
        }
        if let Some(spin) = self.lock_spin {
            builder = builder.lock_spin(spin);
        }
        if let Some(dir) = &self.lock_dir {
            builder = builder.lock_dir(dir);
        }
        builder
    }
}

/// A number of seconds as a `Duration`; a negative or non-finite one is
/// a `ValueError` naming the option.
pub(crate) fn seconds(option: &str, seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!(
            "{option} must be a number of seconds, at least 0 (got {seconds})"
        ))
    })
}

/// `minute`, `hour`, `day`, or `week-mon` ... `week-sun`.
fn period(name: &str) -> PyResult<Period> {
    let period = match name {
        "minute" => Period::Minute,
        "hour" => Period::Hour,
        "day" => Period::Day,
        _ => match name.strip_prefix("week-").map(str::parse::<Weekday>) {
            Some(Ok(day)) => Period::Week(day),
            _ => {
                return Err(PyValueError::new_err(format!(
                    "rotate_every must be `minute`, `hour`, `day` or `week-mon` ... `week-sun` (got `{name}`)"
                )));
            }
        },
    };
    Ok(period)
}

impl Options {
    /// How long a close waits for this process's compressions: the
    /// engine's `compression_wait`, 10 s unless set.
    pub(crate) fn compression_wait(&self) -> Duration {
        self.compression_wait.unwrap_or(Duration::from_secs(10))
    }
}
