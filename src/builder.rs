//! [`Builder`]: the options of a [`RotatingFile`], set one by one and
//! checked at once by [`Builder::open`].

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Group, Options};
use crate::error::Error;
use crate::gzip::Compression;
use crate::sys::open::FileMode;
use crate::time::clock::Clock;
use crate::time::period::Period;
use crate::writer::filter::RecordFilter;
use crate::writer::handle::RotatingFile;

// === impl RotatingFile ===

impl RotatingFile {
    /// Starts configuring a rotating log file at `path`; see [`Builder`] for
    /// the options and their defaults.
    pub fn builder(path: impl Into<PathBuf>) -> Builder {
        Builder::new(path.into())
    }
}

/// Options for opening a [`RotatingFile`], made by
/// [`RotatingFile::builder`].
///
/// Every setter takes and returns the builder; [`open`](Builder::open)
/// checks them all at once.
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`max_bytes`](Builder::max_bytes) | 1 MiB; none with `rotate_every` alone | 0: never by size |
/// | [`rotate_every`](Builder::rotate_every) | none | a [`Period`]: minute, hour, day, week; by time only unless `max_bytes` is set too |
/// | [`utc`](Builder::utc) | `false` | periods on UTC rather than local time |
/// | [`backups`](Builder::backups) | 10 | 0 only with rotation off |
/// | [`max_age`](Builder::max_age) | none | backups older than it are deleted |
/// | [`max_total_bytes`](Builder::max_total_bytes) | none | the backups' total size |
/// | [`compression`](Builder::compression) | [`Compression::None`] | gzip in a thread, off the lock |
/// | [`compression_level`](Builder::compression_level) | 1 | 0 to 9 |
/// | [`compression_wait`](Builder::compression_wait) | 10 s | for queued compressions, at the last drop |
/// | [`compress_after`](Builder::compress_after) | 5 min restart-proof, else 0 | how long a file stays plain once a backup |
/// | [`lock_dir`](Builder::lock_dir) | beside the log | where the lock and state files go |
/// | [`mode`](Builder::mode) | `0o644`, less the umask | exact, for every file it creates: the log, backups, `.gz`, lock and state |
/// | [`dir_mode`](Builder::dir_mode) | from `mode`, or `0o755` less the umask | exact, for every directory it creates |
/// | [`group`](Builder::group), [`group_id`](Builder::group_id) | the process's, or a set-group-id directory's | for every file and directory it creates |
/// | [`create_dirs`](Builder::create_dirs) | `true` | missing parent and lock directories |
/// | [`path_check_interval`](Builder::path_check_interval) | 100 ms | noticing a file deleted or moved by hand |
/// | [`lock_spin`](Builder::lock_spin) | 60 µs | retrying a held lock before sleeping |
/// | [`lock_warning`](Builder::lock_warning) | 10 s | saying who holds the lock, once |
/// | [`lock_timeout`](Builder::lock_timeout) | none | giving up waiting for the lock |
/// | [`share_with_python`](Builder::share_with_python) | `false` | lock Python's handler's `.__app.lock` |
/// | [`restart_proof`](Builder::restart_proof) | `false` | never rename a file: `app.000123.log`, ... |
/// | [`clock`](Builder::clock) | [`SystemClock`](crate::SystemClock) | the time periods and ages are read from |
/// | [`filter`](Builder::filter) | none: every record | which records are written, judged whole |
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `open` is called"]
pub struct Builder {
    options: Options,
}

// === impl Builder ===

impl Builder {
    fn new(path: PathBuf) -> Builder {
        Builder {
            options: Options::new(path),
        }
    }

    /// The size a file may reach. A record that would take the live file past
    /// it goes into a fresh file instead, so no file is ever larger, except
    /// one holding a single record larger than `max_bytes` alone.
    /// `0` means never by size. Default: 1 MiB, unless
    /// [`rotate_every`](Builder::rotate_every) is set: then no size limit
    /// (rotated by time only) unless this is set too.
    pub fn max_bytes(mut self, max_bytes: u64) -> Self {
        self.options.max_bytes = Some(max_bytes);
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
        self.options.backups = backups;
        self
    }

    /// Rotates at every boundary of `period` (in local time unless
    /// [`utc`](Builder::utc)): by time only, unless
    /// [`max_bytes`](Builder::max_bytes) is set too, and then at whichever
    /// comes first. Default: by size only.
    ///
    /// ```
    /// use std::io::Write;
    /// use concurrent_rotating_file::{Period, RotatingFile};
    /// # let dir = tempfile::tempdir()?;
    ///
    /// // A day's file, however large: no size limit was asked for.
    /// let mut log = RotatingFile::builder(dir.path().join("app.log"))
    ///     .rotate_every(Period::Day)
    ///     .open()?;
    /// let line = format!("{}\n", "x".repeat(1023));
    /// for _ in 0..2048 {
    ///     log.write_all(line.as_bytes())?; // 2 MiB in all
    /// }
    /// assert_eq!(std::fs::metadata(log.path())?.len(), 2 * 1024 * 1024);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
        self.options.period = Some(period);
        self
    }

    /// Puts the period boundaries on UTC rather than on local time, like
    /// Python's `utc=True`. Default: `false` (local time, daylight saving
    /// included: a local day may last 23 or 25 hours).
    pub fn utc(mut self, utc: bool) -> Self {
        self.options.utc = utc;
        self
    }

    /// Also deletes, at each rotation, the backups whose last record is older
    /// than `age`: for time-based names, the end of the period the name
    /// gives; for numbered backups, the file's modification time (which
    /// compression keeps). Default: no age limit.
    pub fn max_age(mut self, age: Duration) -> Self {
        self.options.max_age = Some(age);
        self
    }

    /// Also deletes, at each rotation, the oldest backups until the total
    /// size of those left is at most `bytes` (the live file not counted).
    /// Default: no size budget.
    pub fn max_total_bytes(mut self, bytes: u64) -> Self {
        self.options.max_total_bytes = Some(bytes);
        self
    }

    /// The clock time-based rotation and [`max_age`](Builder::max_age) read,
    /// for tests that move time forward. Every process sharing the log must
    /// read the same time. Default: [`SystemClock`](crate::SystemClock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.options.clock = Arc::new(clock);
        self
    }

    /// How backups are stored. Default: [`Compression::None`].
    ///
    /// With [`Compression::Gzip`], each process gzips the backups its
    /// rotations make in a thread of its own, outside the lock: writers never
    /// wait for it. Until then a backup stays plain (`app.log.1`); a
    /// complete `app.log.1.gz` then replaces it.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.options.compression = compression;
        self
    }

    /// The gzip level, 0 (store) to 9 (smallest). Default: 1, the fastest
    /// that compresses: on log text it takes a 1 MiB backup to about a tenth
    /// of its size in a few milliseconds.
    pub fn compression_level(mut self, level: u32) -> Self {
        self.options.compression_level = level;
        self
    }

    /// How long dropping a process's last handle waits for its queued
    /// compressions to finish. What is left unfinished stays plain and is
    /// compressed by the next process that rotates or opens the log.
    /// Default: 10 s.
    pub fn compression_wait(mut self, wait: Duration) -> Self {
        self.options.compression_wait = wait;
        self
    }

    /// How long a file must have been a backup before it is gzipped; until
    /// then it stays plain, under its name. The time counts from its last
    /// record and, for a restart-proof log
    /// ([`restart_proof`](Builder::restart_proof)), from the switch to the
    /// next file, whichever is later: a file is never gzipped before its
    /// successor has existed this long. For a restart-proof log this is
    /// how long a log shipper may stay down (or fall behind) without
    /// losing what it had not read yet of the newest backups: a gzipped
    /// backup is no longer a file the shipper reads. Backups held back are
    /// handed to the compressor by a later rotation (or `open`) once old
    /// enough, so a log that stops rotating keeps its newest backups plain
    /// until then. The plain files count against
    /// [`backups`](Builder::backups) as gzipped ones do.
    ///
    /// Default: 5 minutes for a restart-proof log (longer than a service
    /// manager lets a shipper take to stop, plus its start and catch-up:
    /// see the shipping guide), 0 for the others (gzipped as soon as
    /// rotated: a shipper following the live file of a renamed log reads
    /// a backup's end through the descriptor it holds, which gzip does not
    /// take away).
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use concurrent_rotating_file::{Compression, RotatingFile};
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let mut log = RotatingFile::builder(dir.path().join("app.log"))
    ///     .max_bytes(64)
    ///     .restart_proof(true)
    ///     .compression(Compression::Gzip)
    ///     .compress_after(Duration::from_secs(600)) // a shipper may be down 10 minutes
    ///     .open()?;
    /// for i in 0..4 {
    ///     writeln!(log, "request {i:02} served in {} ms", 10 + i)?;
    /// }
    /// drop(log); // waits for any compression under way
    /// // The file just closed stays plain for a shipper to finish.
    /// assert!(dir.path().join("app.000001.log").exists());
    /// assert!(!dir.path().join("app.000001.log.gz").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn compress_after(mut self, age: Duration) -> Self {
        self.options.compress_after = Some(age);
        self
    }

    /// Keeps the lock file and the state file in `dir` instead of beside
    /// the log, like Python's `lock_file_directory`; their names there are
    /// unique to the log (its directory and name), so logs of the same name
    /// in different directories never share them. With
    /// [`share_with_python`](Builder::share_with_python), the lock is
    /// Python's `dir/.__app.lock`. Every process writing the log must use
    /// the same lock directory.
    pub fn lock_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options.lock_dir = Some(dir.into());
        self
    }

    /// The permission bits of files this library creates: the log (also
    /// the new live file of each rotation, so backups keep them), the
    /// `.gz` files and their temporaries, the lock and state files. Set
    /// exactly, whatever the process's umask (like Python's `chmod`
    /// option), and held from the moment a file appears under its name:
    /// it is made under a private name and linked into place, so no other
    /// process ever sees it with other permissions. Without it, files are
    /// created `0o644` less the umask, like any `open(2)`. Bits beyond
    /// `0o777` are refused by [`open`](Builder::open). Files that exist
    /// already are left as they are. See also
    /// [`dir_mode`](Builder::dir_mode) and [`group`](Builder::group).
    ///
    /// ```
    /// use std::io::Write;
    /// use std::os::unix::fs::PermissionsExt;
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let mut log = RotatingFile::builder(dir.path().join("app.log"))
    ///     .mode(0o660) // the owner and the group read and write, whatever the umask
    ///     .max_bytes(64)
    ///     .open()?;
    /// for i in 0..10 {
    ///     writeln!(log, "request {i} served")?;
    /// }
    /// for name in ["app.log", "app.log.1", ".concurrent-rotating-file/app.log.lock"] {
    ///     let mode = std::fs::metadata(dir.path().join(name))?.permissions().mode();
    ///     assert_eq!(mode & 0o777, 0o660, "{name}");
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.options.mode = FileMode {
            bits: mode,
            exact: true,
            group: None,
        };
        self
    }

    /// The permission bits of directories this library creates: the log's
    /// directory and the lock directory when missing (with
    /// [`create_dirs`](Builder::create_dirs)), and its own hidden
    /// `.concurrent-rotating-file/` beside the log. Set exactly, whatever
    /// the umask, from the moment the directory appears; a set-group-id
    /// bit it inherits from its parent is kept. Bits beyond `0o7777` are
    /// refused by [`open`](Builder::open). Default: with
    /// [`mode`](Builder::mode) set, that mode with search (`x`) added
    /// wherever it allows reading (`0o660` gives `0o770`, `0o640` gives
    /// `0o750`); otherwise `0o755` less the umask.
    pub fn dir_mode(mut self, mode: u32) -> Self {
        self.options.dir_mode = Some(mode);
        self
    }

    /// The group of the files and directories this library creates, by
    /// name (`"adm"`), given with `fchown(2)` before the file appears under
    /// its name: so that a shipper running as another user of that group
    /// can read the logs (give [`mode`](Builder::mode) group read too).
    /// Only root and the group's members may give a group:
    /// [`open`](Builder::open) refuses a group this process cannot give,
    /// or that does not exist, with
    /// [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption).
    /// Without it, a file gets the process's group, or, in a directory
    /// with the set-group-id bit (`chmod g+s logs`), the directory's group:
    /// the usual way to share a directory between users. Default: none.
    pub fn group(mut self, name: &str) -> Self {
        self.options.group = Some(Group::Name(name.to_owned()));
        self
    }

    /// [`group`](Builder::group) by its numeric id.
    ///
    /// ```
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    /// // SAFETY: getegid cannot fail.
    /// let mine = unsafe { libc::getegid() };
    /// let log = RotatingFile::builder(dir.path().join("app.log")).group_id(mine).open()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn group_id(mut self, gid: u32) -> Self {
        self.options.group = Some(Group::Id(gid));
        self
    }

    /// Whether to create the log's parent directory (and the lock
    /// directory) when missing, with [`dir_mode`](Builder::dir_mode).
    /// Default: `true`.
    pub fn create_dirs(mut self, create: bool) -> Self {
        self.options.create_dirs = create;
        self
    }

    /// How often a writer checks that the log path still names the file it
    /// holds open, to notice a file deleted or moved by someone who does not
    /// take the lock (an operator, a foreign log rotator). Rotations by other
    /// processes, this library's or Python's handler's, are noticed before
    /// the next record whatever this interval, and so are appends by Python's
    /// handler on a log shared with it
    /// ([`share_with_python`](Builder::share_with_python): one `lseek` per
    /// record); this check costs one `stat`.
    /// `Duration::ZERO` checks before every record, as Python's handler does,
    /// at about half the throughput. Default: 100 ms.
    pub fn path_check_interval(mut self, interval: Duration) -> Self {
        self.options.path_check_interval = interval;
        self
    }

    /// How long a writer that finds the lock held keeps retrying without
    /// blocking (every 20 µs) before it sleeps until woken. A record holds
    /// the lock for about a microsecond, and being
    /// put to sleep and woken costs more than that: with several busy
    /// writers, spinning briefly raises the throughput by a tenth or more.
    /// `Duration::ZERO` sleeps at once, which suits a machine with far more
    /// writing processes than cores. A background writer's thread (see
    /// [`RotatingFile::non_blocking`](crate::RotatingFile::non_blocking))
    /// never spins: no caller waits for it. Default: 60 µs.
    pub fn lock_spin(mut self, spin: Duration) -> Self {
        self.options.lock_spin = spin;
        self
    }

    /// After waiting this long for the lock, say once on stderr which
    /// process holds it (a process stopped with SIGSTOP, a debugger, a
    /// frozen container holds it for as long as it stays so; Python's
    /// handler would wait silently). Default: 10 s.
    pub fn lock_warning(mut self, after: Duration) -> Self {
        self.options.lock_warning = after;
        self
    }

    /// Give up waiting for the lock after this long: the write fails with
    /// an [`io::ErrorKind::TimedOut`](std::io::ErrorKind::TimedOut) error
    /// naming the lock file and the process holding it (on the paths that
    /// cannot return an error, the record is counted as not written).
    /// Default: wait for as long as it takes, as every writer sharing the
    /// file is then held up alike.
    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.options.lock_timeout = Some(timeout);
        self
    }

    /// Lock the file Python's `ConcurrentRotatingFileHandler` locks,
    /// `logs/.__app.lock` for `logs/app.log`, so that Python processes and
    /// this library's share the log safely. Needed when a Python process may
    /// start on a log this library created; when `.__app.lock` exists
    /// already, it is used whatever this says. Default: `false`: the lock
    /// lives in the hidden `.concurrent-rotating-file/` directory, out of
    /// the way of a shipper's `logs/*` glob.
    pub fn share_with_python(mut self, share: bool) -> Self {
        self.options.share_with_python = share;
        self
    }

    /// Never renames a file, so that a log shipper restarted at any moment
    /// loses nothing: each rotation starts the next file of a numbered
    /// sequence, `app.000001.log`, `app.000002.log`, ... (the number before
    /// the extension, at least six digits), and a full file stays under its
    /// name as a backup (gzipped: `app.000001.log.gz`). Point a shipper at
    /// `logs/app.*.log`: every file, no `.gz`. Default: `false` (the live
    /// file is renamed to `app.log.1`, or to its period's name).
    ///
    /// `app.log` stays the name to `tail -F`: a second (hard) link to the
    /// live file, moved to the next file at each switch by an atomic
    /// rename. The writers never open it. A glob that also matches it
    /// (`logs/*.log`) finds the live file under two names.
    ///
    /// Everything else holds as for renamed files: the number of the live
    /// file is kept in the shared state (no lookup per record), one process
    /// switches per full file, `backups`, [`max_age`](Builder::max_age) and
    /// [`max_total_bytes`](Builder::max_total_bytes) delete the oldest
    /// files (never the live one), with [`rotate_every`](Builder::rotate_every)
    /// a switch also happens at each boundary (the name carries the number
    /// only: the order never depends on the clock), and gzip takes every
    /// file but the live one, once it has been a backup for
    /// [`compress_after`](Builder::compress_after) (5 minutes unless set):
    /// set that to the longest a shipper may be down, or the files gzipped
    /// meanwhile are gone from its glob before it reads their end. Every process writing the log must say
    /// `restart_proof(true)`: a writer without it refuses the log.
    /// [`open`](Builder::open) refuses it together with
    /// [`share_with_python`](Builder::share_with_python), or beside
    /// Python's lock file: Python's handler renames the log.
    ///
    /// ```
    /// use std::io::Write;
    /// use std::os::unix::fs::MetadataExt;
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    /// # let path = |name: &str| dir.path().join(name);
    ///
    /// let log = RotatingFile::builder(path("app.log"))
    ///     .max_bytes(64)
    ///     .restart_proof(true)
    ///     .open()?;
    /// let mut w = log.clone();
    /// for i in 0..10 {
    ///     writeln!(w, "request {i} served")?;
    /// }
    /// // Three 19-byte lines per file, each file under its own name.
    /// assert_eq!(
    ///     std::fs::read_to_string(path("app.000001.log"))?,
    ///     "request 0 served\nrequest 1 served\nrequest 2 served\n"
    /// );
    /// assert_eq!(std::fs::read_to_string(path("app.000004.log"))?, "request 9 served\n");
    /// // `app.log` is the live file under its stable name.
    /// let inode = |name: &str| std::fs::metadata(path(name)).map(|m| m.ino());
    /// assert_eq!(inode("app.log")?, inode("app.000004.log")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restart_proof(mut self, restart_proof: bool) -> Self {
        self.options.restart_proof = restart_proof;
        self
    }

    /// Writes only the records `keep` returns `true` for. It sees each
    /// record whole, as it would be written, its newline included: a line
    /// written through [`io::Write`](std::io::Write), a `tracing` event
    /// formatted by the fmt layer (however many lines it spans), a `log`
    /// record formatted by [`FileLogger`](crate::FileLogger) or a
    /// [`Router`](crate::Router). It applies to every way of writing the
    /// file: `io::Write`, `tracing`, `log`, the background writer
    /// ([`RotatingFile::non_blocking`]) and, set on the builder a router's
    /// closure returns, each name of a [`Router`](crate::Router). Records
    /// dropped are counted in [`Stats::filtered`](crate::Stats::filtered)
    /// (and a router's in [`RouterStats::filtered`](crate::RouterStats::filtered)).
    /// Default: none, every record is written.
    ///
    /// It runs before the lock is taken (on the caller's thread, or on
    /// the background writer's, so that a log call through
    /// [`NonBlocking`](crate::NonBlocking) pays nothing for it), and may
    /// run on any thread: keep it quick, and never log from it. A record
    /// dropped through `io::Write` counts as written: `write` returns its
    /// bytes.
    ///
    /// ```
    /// use std::io::Write;
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let mut log = RotatingFile::builder(dir.path().join("app.log"))
    ///     .filter(|record: &[u8]| !record.starts_with(b"HTTP Request:"))
    ///     .open()?;
    /// writeln!(log, "HTTP Request: GET http://inventory/items/7 \"HTTP/1.1 200 OK\"")?;
    /// writeln!(log, "item 7 shown")?;
    /// assert_eq!(std::fs::read_to_string(log.path())?, "item 7 shown\n");
    /// assert_eq!(log.stats().filtered, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn filter<F>(mut self, keep: F) -> Self
    where
        F: Fn(&[u8]) -> bool + Send + Sync + 'static,
    {
        self.options.filter = Some(RecordFilter::new(Arc::new(keep)));
        self
    }

    /// Also counts the records the filter drops in `counter`: a router's
    /// total.
    #[cfg(any(feature = "tracing", feature = "log"))]
    pub(crate) fn count_filtered_in(mut self, counter: Arc<std::sync::atomic::AtomicU64>) -> Self {
        self.options.filter = self
            .options
            .filter
            .map(|filter| filter.also_counting(counter));
        self
    }

    /// Validates the options, creates missing directories, opens the lock,
    /// state and log files, and returns the handle.
    ///
    /// # Errors
    ///
    /// An [`Error`] naming the path and the problem:
    /// - [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption): `backups(0)` with rotation on, mode
    ///   bits beyond `0o777`, a compression level beyond 9, a zero
    ///   `max_age` or `max_total_bytes`, `restart_proof(true)` with
    ///   `share_with_python(true)` or beside Python's lock file;
    /// - [`ErrorKind::NotAFile`](crate::ErrorKind::NotAFile): the log path is a directory or has no file
    ///   name;
    /// - [`ErrorKind::Symlink`](crate::ErrorKind::Symlink): a symlink sits at the log, lock or state
    ///   path;
    /// - [`ErrorKind::CreateDirectory`](crate::ErrorKind::CreateDirectory): a directory is missing and cannot be
    ///   created (or `create_dirs(false)`);
    /// - [`ErrorKind::LockFile`](crate::ErrorKind::LockFile), [`ErrorKind::StateFile`](crate::ErrorKind::StateFile),
    ///   [`ErrorKind::LogFile`](crate::ErrorKind::LogFile): the file cannot be opened, for example for
    ///   lack of permission; `LogFile` also when the log is restart-proof
    ///   (its other writers said so) and `restart_proof(true)` was not
    ///   given.
    pub fn open(self) -> Result<RotatingFile, Error> {
        RotatingFile::open(self.options.validate()?)
    }
}
