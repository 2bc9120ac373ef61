//! [`RotatingFile`]: the synchronous writer, and the path of one record.
//!
//! One record goes out as: in-process mutex, `flock`, maybe a rotation,
//! `write`, unlock: two syscalls besides the write. The shared state file
//! tells a writer, with no syscall, that another process rotated and how
//! large the live file is. Every `path_check_interval` one `stat` of the path
//! notices what the shared state cannot: a file moved or deleted by hand, or
//! a writer outside this library (Python's handler) appending; once such a
//! writer is seen, every record checks the path first, as Python's handler
//! itself does, until it has been quiet for ten minutes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::Compression;
use crate::backups::Backups;
use crate::builder::{self, Builder, Config};
use crate::compress::{self, Compressor};
use crate::error::{Error, ErrorKind};
use crate::fork;
use crate::line_buffer::LineBuffer;
use crate::live_file::LiveFile;
use crate::lock::LockFile;
pub(crate) use crate::records::Records;
use crate::schedule::Schedule;
use crate::shared_state::SharedState;

/// A log file shared by many processes, rotated at a size limit.
///
/// Made by [`RotatingFile::builder`]. Each clone is a handle onto the same
/// open files with its own line buffer; clones are cheap and may be moved to
/// other threads.
///
/// Through [`io::Write`], a complete line is a record: bytes are buffered
/// until a newline, then every complete line is appended whole with one
/// `write(2)` under the lock. When `write_all` of a complete line returns
/// `Ok`, the line is in the file (the kernel's page cache; durability against
/// power loss is `fsync`'s business, which this library does not do per
/// record). [`flush`](Write::flush) appends a pending partial line as it is;
/// dropping a handle does the same.
///
/// ```
/// use std::io::Write;
/// use concurrent_rotating_file::RotatingFile;
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("logs/app.log");
///
/// let log = RotatingFile::builder(&path).max_bytes(64).backups(3).open()?;
/// let mut w = log.clone();
/// for i in 0..10 {
///     writeln!(w, "request {i} served")?;
/// }
/// // Ten 19-byte lines do not fit in 64 bytes: three per file.
/// assert_eq!(std::fs::read_to_string(&path)?, "request 9 served\n");
/// assert_eq!(
///     std::fs::read_to_string(path.with_extension("log.1"))?,
///     "request 6 served\nrequest 7 served\nrequest 8 served\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RotatingFile {
    inner: Arc<Inner>,
    line: LineBuffer,
}

/// Counters of a [`RotatingFile`]'s activity, from
/// [`RotatingFile::stats`]. Apart from `rotations` (shared by every process
/// writing the file), they count this process's work only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Rotations done by all the processes sharing the file.
    pub rotations: u64,
    /// Records this process could not write on paths that cannot return an
    /// error; see [`RotatingFile::write_errors`].
    pub write_errors: u64,
    /// Backups this process gzipped.
    pub compressed: u64,
    /// Backups this process failed to gzip (they stay plain).
    pub compression_failures: u64,
    /// The longest one of this process's compressions took.
    pub longest_compression: Duration,
    /// The longest this process's compressor held the lock (to create its
    /// temporary file or rename the result): writers never wait for the
    /// compression itself (SPEC invariant 6).
    pub longest_compressor_lock_hold: Duration,
}

/// What all clones of one [`RotatingFile`] share.
pub(crate) struct Inner {
    config: Config,
    backups: Backups,
    state: Mutex<State>,
    errors: AtomicU64,
    reported: AtomicBool,
    /// This process's gzip thread, started at the first backup to compress,
    /// with the fork generation it was started in.
    compressor: Mutex<Option<(u64, Compressor)>>,
    gzip: Arc<compress::Counters>,
}

/// The open files of this process, guarded by the in-process mutex.
struct State {
    lock: LockFile,
    fork_generation: u64,
    /// When to check next that the lock path still names our lock file.
    next_lock_check: Instant,
    files: Files,
}

/// What is read and changed with the lock held.
struct Files {
    shared: SharedState,
    /// `None` until opened, and after a failure to reopen.
    live: Option<LiveFile>,
    /// The shared generation `live` belongs to.
    generation: u64,
    next_path_check: Instant,
    /// Until then, check the path before every record: a writer outside
    /// this library was seen appending.
    strict_until: Option<Instant>,
    /// Backups retention let go, to delete once unlocked.
    pruned: Vec<PathBuf>,
    /// Plain backups to hand to the compressor once unlocked.
    to_compress: Vec<PathBuf>,
}

/// The shortest interval between two checks that the lock path still names
/// the lock file held.
const LOCK_CHECK_MIN: Duration = Duration::from_millis(100);

/// How long after a writer outside this library was last seen every record
/// checks the path first.
const FOREIGN_QUIET: Duration = Duration::from_secs(600);

// === impl RotatingFile ===

impl RotatingFile {
    /// Starts configuring a rotating log file at `path`; see [`Builder`] for
    /// the options and their defaults.
    pub fn builder(path: impl Into<std::path::PathBuf>) -> Builder {
        Builder::new(path)
    }

    pub(crate) fn open(config: Config) -> Result<RotatingFile, Error> {
        let fork_generation = fork::install();
        let lock = LockFile::open(&config.lock_path, config.mode).map_err(|e| {
            Error::io(
                ErrorKind::LockFile,
                "cannot open lock file",
                &config.lock_path,
                e,
            )
        })?;
        let shared = SharedState::open(&config.state_path, config.mode).map_err(|e| {
            Error::io(
                ErrorKind::StateFile,
                "cannot open state file",
                &config.state_path,
                e,
            )
        })?;
        let mut state = State {
            lock,
            fork_generation,
            next_lock_check: Instant::now(),
            files: Files {
                shared,
                live: None,
                generation: 0,
                next_path_check: Instant::now(),
                strict_until: None,
                pruned: Vec::new(),
                to_compress: Vec::new(),
            },
        };
        {
            let _held = state.lock.lock(Duration::ZERO).map_err(|e| {
                Error::io(
                    ErrorKind::LockFile,
                    "cannot lock lock file",
                    &config.lock_path,
                    e,
                )
            })?;
            state.files.shared.validate();
            let backups = Backups::of(&config);
            backups.close_gap().map_err(|e| {
                Error::io(
                    ErrorKind::LogFile,
                    "cannot repair the backups of",
                    &config.path,
                    e,
                )
            })?;
            backups.remove_leftovers().map_err(|e| {
                Error::io(
                    ErrorKind::LogFile,
                    "cannot remove leftovers next to",
                    &config.path,
                    e,
                )
            })?;
            state.files.reopen(&config).map_err(|e| {
                Error::io(ErrorKind::LogFile, "cannot open log file", &config.path, e)
            })?;
            // A record a killed writer left half-written (invariant 5).
            if let Some((start, end)) = state.files.shared.unfinished_write() {
                state
                    .files
                    .repair_unfinished_write(start, end)
                    .map_err(|e| {
                        Error::io(
                            ErrorKind::LogFile,
                            "cannot repair log file",
                            &config.path,
                            e,
                        )
                    })?;
            }
            if config.compression == Compression::Gzip {
                // Backups a killed compressor left plain (invariant 5).
                state.files.to_compress = backups.plain_backups().map_err(|e| {
                    Error::io(
                        ErrorKind::LogFile,
                        "cannot list the backups of",
                        &config.path,
                        e,
                    )
                })?;
            }
        }
        let mut plain_backups = std::mem::take(&mut state.files.to_compress);
        let file = RotatingFile {
            inner: Arc::new(Inner {
                backups: Backups::of(&config),
                config,
                state: Mutex::new(state),
                errors: AtomicU64::new(0),
                reported: AtomicBool::new(false),
                compressor: Mutex::new(None),
                gzip: Arc::default(),
            }),
            line: LineBuffer::default(),
        };
        if !plain_backups.is_empty() {
            file.inner.queue_compression(&mut plain_backups);
        }
        Ok(file)
    }

    /// The path of the live log file.
    pub fn path(&self) -> &Path {
        &self.inner.config.path
    }

    /// How many rotations the processes sharing this file have done, as
    /// counted in the shared state file.
    pub fn rotations(&self) -> u64 {
        self.inner.state.lock().files.shared.rotations()
    }

    /// Counters of this file's activity, for monitoring and tests.
    pub fn stats(&self) -> Stats {
        let gzip = &self.inner.gzip;
        let nanos = |counter: &AtomicU64| Duration::from_nanos(counter.load(Ordering::Relaxed));
        Stats {
            rotations: self.rotations(),
            write_errors: self.write_errors(),
            compressed: gzip.compressed.load(Ordering::Relaxed),
            compression_failures: gzip.failed.load(Ordering::Relaxed),
            longest_compression: nanos(&gzip.longest_nanos),
            longest_compressor_lock_hold: nanos(&gzip.longest_lock_nanos),
        }
    }

    /// How many records this process failed to write on paths that cannot
    /// return an error (a `tracing` event, a handle dropped with a partial
    /// line). Each such failure is also reported on stderr, the first of each
    /// kind only.
    pub fn write_errors(&self) -> u64 {
        self.inner.errors.load(Ordering::Relaxed)
    }

    pub(crate) fn inner(&self) -> &Inner {
        &self.inner
    }
}

impl Clone for RotatingFile {
    /// Another handle onto the same files, with an empty line buffer.
    fn clone(&self) -> Self {
        RotatingFile {
            inner: Arc::clone(&self.inner),
            line: LineBuffer::default(),
        }
    }
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFile")
            .field("path", &self.inner.config.path)
            .field("max_bytes", &self.inner.config.max_bytes)
            .field("backups", &self.inner.config.backups)
            .field("pending", &self.line.len())
            .finish()
    }
}

impl Write for RotatingFile {
    /// Buffers `buf`, then appends every complete line now buffered. On an
    /// error nothing of `buf` is kept, and earlier partial-line bytes stay
    /// buffered for the next attempt.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let inner = &self.inner;
        self.line
            .write(buf, |lines| inner.append(lines, Records::Lines))
    }

    /// Appends a pending partial line as one record.
    fn flush(&mut self) -> io::Result<()> {
        let inner = &self.inner;
        self.line.flush(|line| inner.append(line, Records::Lines))
    }
}

impl Drop for RotatingFile {
    fn drop(&mut self) {
        let inner = &self.inner;
        let _ = self.line.flush(|line| {
            inner.append_or_report(line, Records::Lines);
            Ok(())
        });
    }
}

// === impl Inner ===

impl Inner {
    /// Appends `bytes` under both locks. With [`Records::Lines`] it may hold
    /// several lines and a rotation may fall between them; a partial line at
    /// its end is a record of its own.
    pub(crate) fn append(&self, bytes: &[u8], records: Records<'_>) -> io::Result<()> {
        let mut state = self.state.lock();
        if state.fork_generation != fork::generation() {
            state.after_fork(&self.config)?;
        }
        // Read before taking the lock, to keep the critical section short.
        let now = Instant::now();
        let state = &mut *state;
        // Python's handler sleeps in flock; spinning writers would get the
        // lock before it every time.
        let spin = match state.files.strict_until {
            Some(until) if now < until => Duration::ZERO,
            _ => self.config.lock_spin,
        };
        let held = state.lock.lock(spin)?;
        let result = state
            .files
            .append_locked(&self.config, &self.backups, bytes, records, now);
        drop(held);
        if now >= state.next_lock_check {
            state.next_lock_check = now + self.config.path_check_interval.max(LOCK_CHECK_MIN);
            if let Err(e) = state.check_lock(&self.config) {
                self.report(&e, 0);
            }
        }
        if !state.files.to_compress.is_empty() {
            self.queue_compression(&mut state.files.to_compress);
        }
        for pruned in state.files.pruned.drain(..) {
            // Freeing an old backup's blocks is slow: done unlocked.
            if let Err(e) = self.backups.delete_pruned(&pruned) {
                self.report(&e, 0);
            }
        }
        result
    }

    /// Hands plain backups to this process's compressor, starting it if
    /// needed (again in a child after `fork()`: threads do not survive it).
    fn queue_compression(&self, backups: &mut Vec<PathBuf>) {
        if self.config.compression != Compression::Gzip {
            backups.clear();
            return;
        }
        let mut compressor = self.compressor.lock();
        let generation = fork::generation();
        if compressor
            .as_ref()
            .is_some_and(|(started_in, _)| *started_in != generation)
        {
            // The parent's thread: not ours to join.
            std::mem::forget(compressor.take());
        }
        if compressor.is_none() {
            match Compressor::start(&self.config, Arc::clone(&self.gzip)) {
                Ok(started) => *compressor = Some((generation, started)),
                Err(e) => {
                    // The backups stay plain; the next rotation tries again.
                    self.report(&e, 0);
                    backups.clear();
                    return;
                }
            }
        }
        if let Some((_, compressor)) = compressor.as_ref() {
            for backup in backups.drain(..) {
                compressor.queue(backup);
            }
        }
    }

    /// [`append`](Inner::append) for paths that cannot return an error:
    /// count the failure and report it on stderr, the first of its kind only.
    pub(crate) fn append_or_report(&self, bytes: &[u8], records: Records<'_>) {
        if let Err(e) = self.append(bytes, records) {
            self.report(&e, 1);
        }
    }

    /// Counts `records` that could not be written; prints the first failure
    /// (of any kind: a failure to delete an old backup loses no record).
    pub(crate) fn report(&self, err: &io::Error, records: u64) {
        self.errors.fetch_add(records, Ordering::Relaxed);
        if !self.reported.swap(true, Ordering::Relaxed) {
            eprintln!(
                "concurrent-rotating-file: cannot write to `{}`: {err} (further errors are counted, not printed)",
                self.config.path.display()
            );
        }
    }
}

impl Drop for Inner {
    /// The last handle of this process is gone: let the compressor finish
    /// what is queued, within `compression_wait`.
    fn drop(&mut self) {
        if let Some((started_in, mut compressor)) = self.compressor.get_mut().take() {
            if started_in == fork::generation() {
                compressor.finish(self.config.compression_wait);
            } else {
                std::mem::forget(compressor);
            }
        }
    }
}

// === impl State ===

impl State {
    /// In a child after `fork()`: the inherited lock file shares its open
    /// file description, and so its lock, with the parent. Reopen it and the
    /// log (invariant 9).
    fn after_fork(&mut self, config: &Config) -> io::Result<()> {
        self.lock = LockFile::open(&config.lock_path, config.mode)?;
        self.files.live = None;
        self.fork_generation = fork::generation();
        Ok(())
    }
}

impl State {
    /// If the lock path no longer names the lock file held (its directory
    /// was removed and recreated, or it was deleted), a process starting
    /// now would lock another file than ours: open the one at the path, and
    /// the state file beside it, so every process locks the same file again.
    fn check_lock(&mut self, config: &Config) -> io::Result<()> {
        if self.lock.is_at(&config.lock_path)? {
            return Ok(());
        }
        let lock = LockFile::open(&config.lock_path, config.mode)?;
        let shared = SharedState::open(&config.state_path, config.mode)?;
        {
            let _held = lock.lock(Duration::ZERO)?;
            shared.validate();
        }
        self.lock = lock;
        self.files.shared = shared;
        // Reopened, with the new state's generation, before the next record.
        self.files.live = None;
        Ok(())
    }
}

// === impl Files ===

impl Files {
    /// The hot path, with both locks held.
    fn append_locked(
        &mut self,
        config: &Config,
        backups: &Backups,
        bytes: &[u8],
        records: Records<'_>,
        now: Instant,
    ) -> io::Result<()> {
        // Invariant 4: another process rotated (or recreated) the file.
        if self.live.is_none() || self.generation != self.shared.generation() {
            self.reopen(config)?;
        }
        if let Some((start, end)) = self.shared.unfinished_write() {
            self.repair_unfinished_write(start, end)?;
        }
        if now >= self.next_path_check || self.strict_until.is_some_and(|until| now < until) {
            self.check_path(config, now)?;
        }
        if let Some(schedule) = &config.schedule {
            self.turn_period(config, backups, schedule)?;
        }
        let mut size = self.shared.size();
        let mut start = 0;
        while start < bytes.len() {
            let room = match config.max_bytes {
                0 => u64::MAX,
                max => max.saturating_sub(size),
            };
            let end = match records.last_end_within(bytes, start, room) {
                Some(end) => end,
                None if size > 0 => {
                    // Invariant 2: the next record does not fit, start a new file.
                    size = self.rotate(config, backups)?;
                    continue;
                }
                // A record larger than max_bytes, alone in an empty file.
                None => records.first_end_after(bytes, start),
            };
            let chunk = &bytes[start..end];
            // Published before the write: a writer killed in between leaves
            // the size overstated, which only makes the file rotate early,
            // and the write marked as in flight for the next writer to check.
            let new_size = size + chunk.len() as u64;
            self.shared.begin_write(size, new_size);
            self.shared.set_size(new_size);
            let result = self.live()?.append(chunk, size);
            self.shared.end_write();
            if let Err(e) = result {
                self.shared.set_size(size);
                return Err(e);
            }
            size += chunk.len() as u64;
            start = end;
        }
        Ok(())
    }

    fn live(&self) -> io::Result<&LiveFile> {
        self.live
            .as_ref()
            .ok_or_else(|| io::Error::other("the log file is not open"))
    }

    /// A writer was killed during its `write(2)` of `start..end` (the only
    /// way a marked write stays unfinished). A short write may have left
    /// part of its record in the file: cut it off, so the next record does
    /// not land glued to it (invariants 1 and 5). The record is the dead
    /// process's own, not yet written.
    fn repair_unfinished_write(&mut self, start: u64, end: u64) -> io::Result<()> {
        let live = self.live()?;
        let actual = live.end()?;
        if actual > start && actual < end {
            live.truncate(start)?;
            self.shared.set_size(start);
        } else {
            self.shared.set_size(actual);
        }
        self.shared.end_write();
        Ok(())
    }

    /// One `stat` of the log path: reopen if it names another file or none
    /// (moved or deleted by hand, rotated by a writer outside this library);
    /// adopt its size if such a writer appended, and then check before every
    /// record for a while, as every writer sharing the state will.
    fn check_path(&mut self, config: &Config, now: Instant) -> io::Result<()> {
        self.next_path_check = now + config.path_check_interval;
        match self.live()?.size_at(&config.path)? {
            None => self.reopen(config)?,
            Some(actual) => {
                let expected = self.shared.size();
                if actual > expected {
                    self.shared.set_foreign_seen(unix_secs());
                }
                if actual != expected {
                    self.shared.set_size(actual);
                }
            }
        }
        let seen = self.shared.foreign_seen();
        let age = Duration::from_secs(unix_secs().saturating_sub(seen));
        self.strict_until = (seen != 0 && age < FOREIGN_QUIET).then(|| now + (FOREIGN_QUIET - age));
        Ok(())
    }

    /// With time-based rotation: if the clock has passed the end of the
    /// live file's period, rotates it (if it holds anything) into a backup
    /// named for that period, and starts the period of now. Whoever comes
    /// first after a boundary does it, under the lock; the others see the
    /// new period, and the new generation.
    fn turn_period(
        &mut self,
        config: &Config,
        backups: &Backups,
        schedule: &Schedule,
    ) -> io::Result<()> {
        let now = unix_secs_of(config);
        let tag = schedule.tag();
        let recorded = self.shared.period(tag);
        if recorded.is_some_and(|span| now < span.end) {
            return Ok(());
        }
        let size = self.live()?.end()?;
        // No period recorded (a new state file, another schedule before):
        // the live file's records are from when it was last written.
        let live_period = match recorded {
            Some(span) => span,
            None if size > 0 => schedule.span_at(crate::clock::unix_secs(self.live()?.modified()?)),
            None => schedule.span_at(now),
        };
        let current = schedule.span_at(now);
        self.shared.set_period(tag, current);
        if size > 0 && live_period.end <= current.start {
            self.rotate_into(config, backups, &schedule.label(live_period.start), now)?;
        }
        Ok(())
    }

    /// Rotates the live file because the next record does not fit, and
    /// returns the size of the file now live.
    fn rotate(&mut self, config: &Config, backups: &Backups) -> io::Result<u64> {
        let now = unix_secs_of(config);
        let label = match &config.schedule {
            Some(schedule) => self
                .shared
                .period(schedule.tag())
                .map(|span| schedule.label(span.start))
                .unwrap_or_else(|| schedule.label(now)),
            None => String::new(),
        };
        self.rotate_into(config, backups, &label, now)?;
        Ok(self.shared.size())
    }

    /// Rotates the live file into a backup (invariant 4: only if the path
    /// still names the file we hold; if not, someone rotated it already),
    /// `label` naming its period if backups are named by time, and opens
    /// the new live file.
    fn rotate_into(
        &mut self,
        config: &Config,
        backups: &Backups,
        label: &str,
        now: i64,
    ) -> io::Result<()> {
        if self.live()?.is_at(&config.path)? {
            // Bump first: if this process dies between the renames, the
            // others still reopen by path rather than write to a backup.
            self.shared.bump_generation();
            let shifted = backups.rotate(label, now)?;
            self.pruned.extend(shifted.pruned);
            self.to_compress = shifted.plain;
            self.shared.count_rotation();
        }
        self.reopen(config)
    }

    /// Opens the log path afresh, recreating the file (and, if allowed, its
    /// directory) when missing, and takes its size. If it names a file other
    /// than the one the shared state speaks of, every process must reopen: a
    /// new generation.
    fn reopen(&mut self, config: &Config) -> io::Result<()> {
        let previous = self.live.take();
        let live = match LiveFile::open(&config.path, config.mode) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && config.create_dirs => {
                // The directory was removed under us.
                if let Some(parent) = config.path.parent() {
                    builder::ensure_dir(parent, true, "cannot recreate log directory")
                        .map_err(io::Error::from)?;
                }
                LiveFile::open(&config.path, config.mode)?
            }
            other => other?,
        };
        let replaced = previous.as_ref().is_some_and(|old| !old.same_file(&live));
        if replaced && self.generation == self.shared.generation() {
            // We found the change, not learnt it from the shared state.
            self.shared.bump_generation();
        }
        self.generation = self.shared.generation();
        self.shared.set_size(live.end()?);
        self.live = Some(live);
        Ok(())
    }
}

/// The configured clock's time, in Unix seconds.
fn unix_secs_of(config: &Config) -> i64 {
    crate::clock::unix_secs(config.clock.now())
}

fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Leaves what a writer SIGKILLed inside the `write(2)` of a 20-byte
    /// record at offset 6 leaves: the write marked in flight, and 8 of its
    /// bytes in the file.
    fn leave_half_written(log: &RotatingFile) {
        {
            let state = log.inner.state.lock();
            state.files.shared.begin_write(6, 26);
            state.files.shared.set_size(26);
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        file.write_all(b"partial ").unwrap();
    }

    #[test]
    fn a_record_cut_short_by_a_killed_writer_is_removed_before_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::builder(dir.path().join("app.log"))
            .open()
            .unwrap();
        log.write_all(b"whole\n").unwrap();
        leave_half_written(&log);
        log.write_all(b"next\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(log.path()).unwrap(),
            "whole\nnext\n"
        );
    }

    #[test]
    fn opening_removes_a_record_a_killed_writer_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingFile::builder(&path).open().unwrap();
        log.write_all(b"whole\n").unwrap();
        leave_half_written(&log);
        drop(log);
        drop(RotatingFile::builder(&path).open().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\n");
    }

    #[test]
    fn a_write_killed_before_or_after_its_bytes_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingFile::builder(&path).open().unwrap();
        log.write_all(b"whole\n").unwrap();
        for (start, end) in [(6, 26), (0, 6)] {
            let state = log.inner.state.lock();
            state.files.shared.begin_write(start, end);
            state.files.shared.set_size(end);
            drop(state);
            log.write_all(b"more\n").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "whole\nmore\nmore\n"
        );
    }
}
