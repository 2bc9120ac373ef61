//! [`Builder`]: the options of a [`RotatingFile`] and their validation.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::retention::Retention;
use crate::schedule::{Period, Schedule};

use crate::error::{Error, ErrorKind};
use crate::lock;
use crate::safe_open::FileMode;
use crate::shared_state;
use crate::{Compression, RotatingFile};

/// Options for opening a [`RotatingFile`], made by
/// [`RotatingFile::builder`].
///
/// Every setter takes and returns the builder; [`open`](Builder::open)
/// checks them all at once.
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`max_bytes`](Builder::max_bytes) | 1 MiB | 0: never rotate |
/// | [`rotate_every`](Builder::rotate_every) | none | a [`Period`]: minute, hour, day, week |
/// | [`utc`](Builder::utc) | `false` | periods on UTC rather than local time |
/// | [`backups`](Builder::backups) | 10 | 0 only with rotation off |
/// | [`max_age`](Builder::max_age) | none | backups older than it are deleted |
/// | [`max_total_bytes`](Builder::max_total_bytes) | none | the backups' total size |
/// | [`compression`](Builder::compression) | [`Compression::None`] | gzip in a thread, off the lock |
/// | [`compression_level`](Builder::compression_level) | 1 | 0 to 9 |
/// | [`compression_wait`](Builder::compression_wait) | 10 s | for queued compressions, at the last drop |
/// | [`lock_dir`](Builder::lock_dir) | the log's directory | lock named like Python's handler |
/// | [`mode`](Builder::mode) | `0o644`, less the umask | for the log, its backups, the lock and state files |
/// | [`create_dirs`](Builder::create_dirs) | `true` | missing parent and lock directories |
/// | [`path_check_interval`](Builder::path_check_interval) | 100 ms | noticing a file deleted or moved by hand |
/// | [`lock_spin`](Builder::lock_spin) | 60 µs | retrying a held lock before sleeping |
/// | [`clock`](Builder::clock) | [`SystemClock`] | the time periods and ages are read from |
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `open` is called"]
pub struct Builder {
    pub(crate) path: PathBuf,
    pub(crate) max_bytes: u64,
    pub(crate) backups: usize,
    pub(crate) compression: Compression,
    pub(crate) lock_dir: Option<PathBuf>,
    pub(crate) mode: FileMode,
    pub(crate) create_dirs: bool,
    pub(crate) path_check_interval: Duration,
    pub(crate) lock_spin: Duration,
    pub(crate) gzip_level: u32,
    pub(crate) compression_wait: Duration,
    pub(crate) period: Option<Period>,
    pub(crate) utc: bool,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_total_bytes: Option<u64>,
    pub(crate) clock: Arc<dyn Clock>,
}

/// The options of an open file, validated, with the derived paths.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) path: PathBuf,
    pub(crate) lock_path: PathBuf,
    pub(crate) state_path: PathBuf,
    pub(crate) max_bytes: u64,
    pub(crate) backups: usize,
    pub(crate) mode: FileMode,
    pub(crate) create_dirs: bool,
    pub(crate) path_check_interval: Duration,
    pub(crate) lock_spin: Duration,
    pub(crate) compression: Compression,
    pub(crate) gzip_level: u32,
    pub(crate) compression_wait: Duration,
    pub(crate) schedule: Option<Schedule>,
    pub(crate) retention: Retention,
    pub(crate) clock: Arc<dyn Clock>,
}

// === impl Builder ===

impl Builder {
    pub(crate) fn new(path: impl Into<PathBuf>) -> Builder {
        Builder {
            path: path.into(),
            max_bytes: 1024 * 1024,
            backups: 10,
            compression: Compression::None,
            lock_dir: None,
            mode: FileMode {
                bits: 0o644,
                exact: false,
            },
            create_dirs: true,
            path_check_interval: Duration::from_millis(100),
            lock_spin: Duration::from_micros(60),
            gzip_level: 1,
            compression_wait: Duration::from_secs(10),
            period: None,
            utc: false,
            max_age: None,
            max_total_bytes: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// The size a file may reach. A record that would take the live file past
    /// it goes into a fresh file instead, so no file is ever larger, except
    /// one holding a single record larger than `max_bytes` alone.
    /// `0` means never rotate. Default: 1 MiB.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// How many backups to keep: `app.log.1` (newest) to `app.log.N`
    /// (oldest), or with [`rotate_every`](Builder::rotate_every) the newest
    /// N time-named backups; the next rotation deletes the oldest.
    /// Default: 10.
    ///
    /// `0` keeps no backup, which with rotation on would throw every full
    /// file away: [`open`](Builder::open) refuses `backups(0)` unless
    /// `max_bytes(0)` without `rotate_every` turns rotation off. (Python's handler truncates the
    /// file in that case, losing its contents.)
    pub fn backups(mut self, backups: usize) -> Self {
        self.backups = backups;
        self
    }

    /// Also rotates at every boundary of `period` (in local time unless
    /// [`utc`](Builder::utc)), whichever comes first with the size limit;
    /// with `max_bytes(0)`, by time only. Default: by size only.
    ///
    /// Backups are then named after the period of their records, as
    /// Python's timed handler names them: `app.log.2026-11-24` for the first
    /// file of a day, `app.log.2026-11-24.1`, `.2`, ... for the files a size
    /// rotation closes within that day (`_%H` is added for hours, `_%H-%M`
    /// for minutes). A backup keeps its name for ever: rotating renames the
    /// live file only, however many backups are kept.
    ///
    /// The decision is made under the lock, from the period recorded for the
    /// live file when it was started: exactly one process rotates at a
    /// boundary, even when no process was writing across it. A file that
    /// received no record is not rotated.
    pub fn rotate_every(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }

    /// Puts the period boundaries on UTC rather than on local time, like
    /// Python's `utc=True`. Default: `false` (local time, daylight saving
    /// included: a local day may last 23 or 25 hours).
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        self
    }

    /// Also deletes, at each rotation, the backups whose last record is older
    /// than `age`: for time-based names, the end of the period the name
    /// gives; for numbered backups, the file's modification time (which
    /// compression keeps). Default: no age limit.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = Some(age);
        self
    }

    /// Also deletes, at each rotation, the oldest backups until the total
    /// size of those left is at most `bytes` (the live file not counted).
    /// Default: no size budget.
    pub fn max_total_bytes(mut self, bytes: u64) -> Self {
        self.max_total_bytes = Some(bytes);
        self
    }

    /// The clock time-based rotation and [`max_age`](Builder::max_age) read,
    /// for tests that move time forward. Every process sharing the log must
    /// read the same time. Default: [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How backups are stored. Default: [`Compression::None`].
    ///
    /// With [`Compression::Gzip`], each process gzips the backups its
    /// rotations make in a thread of its own, outside the lock: writers never
    /// wait for it. Until then a backup stays plain (`app.log.1`); a
    /// complete `app.log.1.gz` then replaces it.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// The gzip level, 0 (store) to 9 (smallest). Default: 1, the fastest
    /// that compresses: on log text it takes a 1 MiB backup to about a tenth
    /// of its size in a few milliseconds.
    pub fn compression_level(mut self, level: u32) -> Self {
        self.gzip_level = level;
        self
    }

    /// How long dropping a process's last handle waits for its queued
    /// compressions to finish. What is left unfinished stays plain and is
    /// compressed by the next process that rotates or opens the log.
    /// Default: 10 s.
    pub fn compression_wait(mut self, wait: Duration) -> Self {
        self.compression_wait = wait;
        self
    }

    /// Keeps the lock file (and the state file beside it) in `dir` instead
    /// of the log's directory, like Python's `lock_file_directory`. Every
    /// process writing the log must use the same lock directory.
    pub fn lock_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.lock_dir = Some(dir.into());
        self
    }

    /// The permission bits of files this library creates: the log, its
    /// backups, the lock and state files. Set exactly, whatever the process's
    /// umask (like Python's `chmod` option). Without it, files are created
    /// `0o644` less the umask, like any `open(2)`. Bits beyond `0o777` are
    /// refused by [`open`](Builder::open).
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = FileMode {
            bits: mode,
            exact: true,
        };
        self
    }

    /// Whether to create the log's parent directory (and the lock
    /// directory) when missing, with mode `0o755`. Default: `true`.
    pub fn create_dirs(mut self, create: bool) -> Self {
        self.create_dirs = create;
        self
    }

    /// How often a writer checks that the log path still names the file it
    /// holds open, to notice a file deleted or moved by someone who does not
    /// take the lock (an operator, a foreign log rotator). Rotations by other
    /// processes, this library's or Python's handler's, are noticed before
    /// the next record whatever this interval; this check costs one `stat`.
    /// `Duration::ZERO` checks before every record, as Python's handler does,
    /// at about half the throughput. Default: 100 ms.
    pub fn path_check_interval(mut self, interval: Duration) -> Self {
        self.path_check_interval = interval;
        self
    }

    /// How long a writer that finds the lock held keeps retrying without
    /// blocking (every 20 µs) before it sleeps in `flock`. A record holds the lock for about a microsecond, and being
    /// put to sleep and woken costs more than that: with several busy
    /// writers, spinning briefly raises the throughput by a tenth or more.
    /// `Duration::ZERO` sleeps at once, which suits a machine with far more
    /// writing processes than cores. Default: 60 µs.
    pub fn lock_spin(mut self, spin: Duration) -> Self {
        self.lock_spin = spin;
        self
    }

    /// Validates the options, creates missing directories, opens the lock,
    /// state and log files, and returns the handle.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the path and the problem:
    /// - [`ErrorKind::InvalidOption`]: `backups(0)` with rotation on, mode
    ///   bits beyond `0o777`, a compression level beyond 9, a zero
    ///   `max_age` or `max_total_bytes`;
    /// - [`ErrorKind::NotAFile`]: the log path is a directory or has no file
    ///   name;
    /// - [`ErrorKind::Symlink`]: a symlink sits at the log, lock or state
    ///   path;
    /// - [`ErrorKind::CreateDirectory`]: a directory is missing and cannot be
    ///   created (or `create_dirs(false)`);
    /// - [`ErrorKind::LockFile`], [`ErrorKind::StateFile`],
    ///   [`ErrorKind::LogFile`]: the file cannot be opened, for example for
    ///   lack of permission.
    pub fn open(self) -> Result<RotatingFile, Error> {
        let config = self.validate()?;
        RotatingFile::open(config)
    }

    fn validate(self) -> Result<Config, Error> {
        let path = &self.path;
        let invalid = |detail: String| {
            Error::invalid(
                ErrorKind::InvalidOption,
                "cannot open log file",
                path,
                detail,
            )
        };
        if self.backups == 0 && (self.max_bytes > 0 || self.period.is_some()) {
            return Err(invalid(
                "backups(0) with rotation on would discard every full file; keep at least one backup, or use max_bytes(0) to never rotate".into(),
            ));
        }
        if self.max_age == Some(Duration::ZERO) {
            return Err(invalid(
                "max_age(0) would delete every backup as soon as it is made".into(),
            ));
        }
        if self.max_total_bytes == Some(0) {
            return Err(invalid(
                "max_total_bytes(0) would delete every backup as soon as it is made".into(),
            ));
        }
        if self.mode.bits & !0o777 != 0 {
            return Err(invalid(format!(
                "mode {:#o} has bits beyond 0o777",
                self.mode.bits
            )));
        }
        if self.gzip_level > 9 {
            return Err(invalid(format!(
                "compression level {} is beyond 9",
                self.gzip_level
            )));
        }
        let not_a_file = |detail: &str| {
            Error::invalid(ErrorKind::NotAFile, "cannot open log file", path, detail)
        };
        if path.file_name().is_none() || path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(not_a_file("the path has no file name"));
        }
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => return Err(not_a_file("it is a directory")),
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::io(
                    ErrorKind::Symlink,
                    "cannot open log file",
                    path,
                    io::Error::from_raw_os_error(libc::ELOOP),
                ));
            }
            _ => {}
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        ensure_dir(&parent, self.create_dirs, "cannot create log directory")?;
        if let Some(dir) = &self.lock_dir {
            ensure_dir(dir, self.create_dirs, "cannot create lock directory")?;
        }
        let lock_path = lock::lock_path(path, self.lock_dir.as_deref());
        Ok(Config {
            state_path: shared_state::state_path(&lock_path),
            lock_path,
            path: self.path,
            max_bytes: self.max_bytes,
            backups: self.backups,
            mode: self.mode,
            create_dirs: self.create_dirs,
            path_check_interval: self.path_check_interval,
            lock_spin: self.lock_spin,
            compression: self.compression,
            gzip_level: self.gzip_level,
            compression_wait: self.compression_wait,
            schedule: self.period.map(|period| Schedule {
                period,
                utc: self.utc,
            }),
            retention: Retention {
                count: self.backups,
                max_age: self.max_age,
                max_total_bytes: self.max_total_bytes,
            },
            clock: self.clock,
        })
    }
}

/// Makes sure `dir` exists as a directory, creating it if allowed.
pub(crate) fn ensure_dir(dir: &Path, create: bool, doing: &'static str) -> Result<(), Error> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(Error::invalid(
                ErrorKind::CreateDirectory,
                doing,
                dir,
                "a file of that name is in the way",
            ));
        }
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(Error::io(ErrorKind::CreateDirectory, doing, dir, e));
        }
        Err(_) if !create => {
            return Err(Error::invalid(
                ErrorKind::CreateDirectory,
                doing,
                dir,
                "it does not exist and create_dirs(false) was set",
            ));
        }
        Err(_) => {}
    }
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|e| Error::io(ErrorKind::CreateDirectory, doing, dir, e))
}
