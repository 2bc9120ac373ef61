//! [`OpenLog`]: one log as this process has it open, shared by every clone
//! of its [`RotatingFile`](crate::RotatingFile) (and by its background
//! writer), and the top of the path of one record.
//!
//! One record goes out as: in-process mutex, `flock` and the holder slot
//! (see `exclusion`), the appender's checks (no syscall unless something
//! changed), `write`, unlock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use crate::chain::Backups;
use crate::config::Config;
use crate::error::{Error, doing};
use crate::gzip::Compression;
use crate::gzip::compressor::{self, Compressor};
use crate::shared::exclusion::Wait;
use crate::shared::files::{Inside, SharedFiles};
use crate::shared::state_file::StateFile;
use crate::sys::coarse_clock::CoarseInstant;
use crate::sys::fork::PerProcess;
use crate::writer::append::{AppendError, Appender};
use crate::writer::at_exit;
use crate::writer::deferred_shift;
use crate::writer::filter::{Kept, RecordFilter};
use crate::writer::lock_hold::LockHold;
use crate::writer::open_files::OpenFiles;
use crate::writer::records::Records;
use crate::writer::report::ErrorReport;
use crate::writer::stats::Stats;

/// What all clones of one [`RotatingFile`](crate::RotatingFile) share.
#[derive(Debug)]
pub(crate) struct OpenLog {
    pub(crate) config: Config,
    backups: Backups,
    /// This process's files and compressor: a child after `fork()` gets
    /// its own (guarantee: fork-safe).
    process: PerProcess<ThisProcess>,
    pub(crate) errors: ErrorReport,
    /// Records the user's filter dropped.
    filtered: AtomicU64,
    gzip: Arc<compressor::Counters>,
}

/// What belongs to the process that has the log open.
#[derive(Debug)]
struct ThisProcess {
    /// The in-process mutex, which the exit waits for (`at_exit`).
    files: Arc<parking_lot::Mutex<OpenFiles>>,
    /// The gzip thread, started at the first backup to compress.
    compressor: Mutex<Option<Compressor>>,
    /// With gzip, the lock and state files for the compressor, opened with
    /// the writers' until it starts: the same files, whatever is removed in
    /// between (the writers keep the files they hold: see `shared::files`).
    compressor_files: Mutex<Option<SharedFiles>>,
}

impl ThisProcess {
    /// With `config`'s compressor's files opened too, if it gzips.
    fn new(files: OpenFiles, config: &Config) -> Result<ThisProcess, Error> {
        let compressor_files = match config.compression {
            Compression::Gzip => Some(Compressor::open_files(config.place(), config.wait)?),
            Compression::None => None,
        };
        let files = Arc::new(parking_lot::Mutex::new(files));
        at_exit::wait_for_writes_under(Arc::downgrade(&files) as Weak<dyn at_exit::WriteLock>);
        Ok(ThisProcess {
            files,
            compressor: Mutex::new(None),
            compressor_files: Mutex::new(compressor_files),
        })
    }

    /// The in-process mutex. Nothing panics while holding it; if something
    /// did, the files are as consistent as between two records (it does
    /// not poison).
    fn files(&self) -> parking_lot::MutexGuard<'_, OpenFiles> {
        self.files.lock()
    }
}

impl at_exit::WriteLock for parking_lot::Mutex<OpenFiles> {
    fn pass(&self, deadline: Instant) -> bool {
        self.try_lock_until(deadline).is_some()
    }
}

impl OpenLog {
    /// Opens (and repairs) the log, and queues the backups a killed
    /// compressor left plain.
    pub(crate) fn open(config: Config) -> Result<OpenLog, Error> {
        let backups = config.backups();
        // The exit finishes the rotations and the writes under way
        // (`at_exit`).
        at_exit::finish_at_exit(config.compression_wait);
        let (files, mut to_compress) = OpenFiles::open(&config, &backups)?;
        let this = ThisProcess::new(files, &config)?;
        let log = OpenLog {
            errors: ErrorReport::new(config.names.live().to_path_buf()),
            config,
            backups,
            process: PerProcess::new(this),
            filtered: AtomicU64::new(0),
            gzip: Arc::default(),
        };
        if !to_compress.is_empty()
            && let Some(this) = log.process.this_process()
        {
            log.queue_compression(this, &mut to_compress);
        }
        Ok(log)
    }

    /// This process's files and compressor, opened afresh in a child after
    /// `fork()`.
    fn this_process(&self) -> std::io::Result<&ThisProcess> {
        self.process.get(|| {
            let files = OpenFiles::open_shared(&self.config)?;
            Ok(ThisProcess::new(files, &self.config)?)
        })
    }

    /// Appends `bytes` under both locks. With [`Records::Lines`] it may hold
    /// several lines and a rotation may fall between them; a partial line at
    /// its end is a record of its own. A last record without a newline gets
    /// one, so that no record is ever glued to the next (guarantee: never
    /// torn). On an error, says how many bytes of whole records went in.
    pub(crate) fn append(&self, bytes: &[u8], records: Records<'_>) -> Result<(), AppendError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.last() != Some(&b'\n') {
            return self.append_ended(bytes, records);
        }
        if let Some(filter) = &self.config.filter {
            return self.append_filtered(filter, bytes, records);
        }
        self.append_kept(bytes, records)
    }

    /// [`append`](OpenLog::append) of records that passed the filter (or
    /// with no filter), each ended with its newline.
    pub(crate) fn append_kept(
        &self,
        bytes: &[u8],
        records: Records<'_>,
    ) -> Result<(), AppendError> {
        let this = self.this_process().map_err(|e| AppendError::new(0, e))?;
        let mut guard = this.files();
        let files = &mut *guard;
        // Read before taking the lock, to keep the critical section short.
        let now = CoarseInstant::now();
        // Python's handler sleeps in flock; spinning writers would get the
        // lock before it every time. A background writer's batch
        // (`Records::Ends`) sleeps at once too: no caller waits for it, and
        // its spinning would take a processor from the holder and from the
        // callers (measured: 2% to 5% more lines a second at 64 processes).
        let sleep_at_once =
            files.appender.beside_foreign_writer(now) || matches!(records, Records::Ends(_));
        let wait = match sleep_at_once {
            true => Wait {
                spin: Duration::ZERO,
                ..self.config.wait
            },
            false => self.config.wait,
        };
        let (config, path) = (&self.config, self.config.names.live());
        // Files deleted or moved by hand, and whether others came along:
        // looked at before entering, so that a writer that had the log to
        // itself takes the lock from the next record on.
        self.follow(files, now);
        let inside = files.shared.enter(config.place(), &wait).map_err(|e| {
            AppendError::new(0, doing(e, format_args!("append to `{}`", path.display())))
        })?;
        if inside.moved() {
            files.appender.forget_live();
        }
        let result = files.appender.append_locked(
            inside.state(),
            config,
            &self.backups,
            bytes,
            records,
            now,
        );
        self.leave(inside, &mut files.appender);
        self.after_leaving(this, files);
        // Looked at under the mutex already held: a record that left no
        // shift takes the mutex once.
        let shift_left = files.appender.pending.shift_left;
        drop(guard);
        if shift_left {
            self.finish_shift(this);
        }
        result
    }

    /// Leaves the lock, first mapping the state afresh if this process's
    /// mapping lost it meanwhile (see `Inside::recover_if_lost`).
    fn leave(&self, mut inside: Inside<'_>, appender: &mut Appender) {
        match inside.recover_if_lost(self.config.place()) {
            Ok(true) => appender.forget_live(),
            Ok(false) => {}
            Err(e) => self.errors.report(&e, 0),
        }
    }

    /// Before entering, every `path_check_interval`: follows lock and state
    /// files replaced, and looks whether this process has the log to
    /// itself (see `SharedFiles::follow`).
    fn follow(&self, files: &mut OpenFiles, now: CoarseInstant) {
        let config = &self.config;
        match files
            .shared
            .follow(config.place(), now, config.path_check_interval)
        {
            Ok(true) => files.appender.forget_live(),
            Ok(false) => {}
            Err(e) => self.errors.report(&e, 0),
        }
    }

    /// Once out of the lock and the in-process mutex: finishes the shift
    /// this process's rotation of a long numbered chain left, one batch at
    /// a time, taking the mutex and the lock for each, so that the other
    /// threads and processes write between them; then does what the
    /// batches left to do.
    fn finish_shift(&self, this: &ThisProcess) {
        loop {
            let mut files = this.files();
            if !files.appender.pending.shift_left {
                return;
            }
            if let Err(e) = deferred_shift::batch(&mut files, &self.config, &self.backups) {
                self.errors.report(&e, 0);
            }
            self.after_leaving(this, &mut files);
            drop(files);
            // The others waiting for the lock get it first.
            std::thread::yield_now();
        }
    }

    /// Once out of the lock: does what rotations left to do.
    fn after_leaving(&self, this: &ThisProcess, files: &mut OpenFiles) {
        let pending = &mut files.appender.pending;
        if !pending.to_compress.is_empty() {
            self.queue_compression(this, &mut pending.to_compress);
        }
        for pruned in pending.pruned.drain(..) {
            // Freeing an old backup's blocks is slow: done unlocked.
            match self.backups.delete_pruned(&pruned) {
                Ok(()) => files.shared.state.end_work(),
                Err(e) => self.errors.report(&e, 0),
            }
        }
        if !pending.shift_left {
            // Done: the exit need not wait for it any more.
            pending.rotation = None;
        }
    }

    /// Rotates the live file now, unless it is empty or the file the path
    /// names changed since this call began (another process rotated it, by
    /// size, by time or asked to: several asking at once make one
    /// rotation). Returns whether this call rotated.
    pub(crate) fn rotate(&self) -> std::io::Result<bool> {
        self.on_demand("rotate", |appender, state, config, backups, asked| {
            appender.rotate_on_demand(state, config, backups, asked)
        })
    }

    /// Opens the log path afresh, and makes every process do the same
    /// before its next record: after an outside tool moved the file.
    pub(crate) fn reopen(&self) -> std::io::Result<()> {
        self.on_demand("reopen", |appender, state, config, backups, _| {
            state.bump_generation();
            appender.reopen(state, config, backups)
        })
    }

    /// Runs `f` under the lock, with the shared generation as it was before
    /// the lock was taken; then does what it left to do.
    fn on_demand<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Appender, &StateFile, &Config, &Backups, u64) -> std::io::Result<T>,
    ) -> std::io::Result<T> {
        let path = self.config.names.live();
        let named = |e| doing(e, format_args!("{what} `{}`", path.display()));
        let this = self.this_process().map_err(named)?;
        let mut guard = this.files();
        let files = &mut *guard;
        let now = CoarseInstant::now();
        let config = &self.config;
        self.follow(files, now);
        // Read before the lock: a rotation by anyone in between moves it on.
        let asked = files.shared.state.generation();
        let inside = files
            .shared
            .enter(config.place(), &config.wait)
            .map_err(named)?;
        if inside.moved() {
            files.appender.forget_live();
        }
        let result = f(
            &mut files.appender,
            inside.state(),
            config,
            &self.backups,
            asked,
        );
        self.leave(inside, &mut files.appender);
        self.after_leaving(this, files);
        drop(guard);
        self.finish_shift(this);
        result.map_err(named)
    }

    /// [`append`](OpenLog::append) of bytes whose last record lacks its
    /// newline: a copy with the newline added (a partial line flushed, an
    /// event formatted without one; rare enough to copy).
    #[cold]
    fn append_ended(&self, bytes: &[u8], records: Records<'_>) -> Result<(), AppendError> {
        let mut ended = Vec::with_capacity(bytes.len() + 1);
        ended.extend_from_slice(bytes);
        ended.push(b'\n');
        let result = match records {
            Records::Ends(ends) => {
                let mut ends = ends.to_vec();
                if let Some(last) = ends.last_mut() {
                    *last += 1;
                }
                self.append(&ended, Records::Ends(&ends))
            }
            records => self.append(&ended, records),
        };
        // The newline is not the caller's: never report it as written.
        result.map_err(|e| AppendError::new(e.written.min(bytes.len()), e.error))
    }

    /// [`append`](OpenLog::append) through the user's filter: the records
    /// kept, copied if some were dropped. On an error, says how many bytes
    /// of `bytes` went in, the dropped records before the first one not
    /// written counted in.
    #[cold]
    fn append_filtered(
        &self,
        filter: &RecordFilter,
        bytes: &[u8],
        records: Records<'_>,
    ) -> Result<(), AppendError> {
        match filter.select(bytes, records, &self.filtered) {
            Kept::All => self.append_kept(bytes, records),
            Kept::Nothing => Ok(()),
            Kept::Some(kept) => self
                .append_kept(&kept.bytes, Records::Ends(&kept.ends))
                .map_err(|e| AppendError::new(kept.original_written(e.written), e.error)),
        }
    }

    /// The user's record filter, if any, and the count of what it drops:
    /// for the background writer, which filters a batch before its write.
    pub(crate) fn filter(&self) -> Option<(&RecordFilter, &AtomicU64)> {
        self.config.filter.as_ref().map(|f| (f, &self.filtered))
    }

    /// [`append`](OpenLog::append) for paths that cannot return an error:
    /// count the failure and report it on stderr, the first of its kind only.
    pub(crate) fn append_or_report(&self, bytes: &[u8], records: Records<'_>) {
        if let Err(e) = self.append(bytes, records) {
            self.errors.report(&e.error, 1);
        }
    }

    /// How many rotations the processes sharing the file have done.
    pub(crate) fn rotations(&self) -> u64 {
        match self.this_process() {
            Ok(this) => this.files().shared.state.rotations(),
            Err(_) => 0,
        }
    }

    /// Counters of this log's activity.
    pub(crate) fn stats(&self) -> Stats {
        let gzip = &self.gzip;
        let nanos =
            |n: &std::sync::atomic::AtomicU64| Duration::from_nanos(n.load(Ordering::Relaxed));
        let (hold, pinned) = match self.this_process() {
            Ok(this) => {
                let appender = &this.files().appender;
                (appender.lock_hold, appender.pinned.skipped)
            }
            Err(_) => (LockHold::default(), 0),
        };
        Stats {
            rotations: self.rotations(),
            own_rotations: hold.count,
            write_errors: self.errors.records(),
            filtered: self.filtered.load(Ordering::Relaxed),
            maintenance_failures: self.errors.maintenance(),
            compressed: gzip.compressed.load(Ordering::Relaxed),
            compression_failures: gzip.failed.load(Ordering::Relaxed),
            longest_compression: nanos(&gzip.longest_nanos),
            longest_compressor_lock_hold: nanos(&gzip.longest_lock_nanos),
            twins_kept: self.backups.twins_kept(),
            pinned_rotations: pinned,
            rotation_lock_hold: hold.rotations,
            longest_rotation_lock_hold: hold.longest_rotation,
            longest_shift_batch_lock_hold: hold.longest_shift_batch,
        }
    }

    /// Hands plain backups to this process's compressor, starting it if
    /// needed.
    fn queue_compression(&self, this: &ThisProcess, backups: &mut Vec<PathBuf>) {
        if self.config.compression != Compression::Gzip {
            backups.clear();
            return;
        }
        let mut compressor = this
            .compressor
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if compressor.is_none() {
            let files = this
                .compressor_files
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            let started = Compressor::start(
                self.backups.clone(),
                self.config.place(),
                files,
                self.config.wait,
                self.config.compression_level,
                self.config.compression_wait,
                Arc::clone(&self.gzip),
            );
            match started {
                Ok(started) => *compressor = Some(started),
                Err(e) => {
                    // The backups stay plain; the next rotation tries again.
                    self.errors.report(&e.into(), 0);
                    backups.clear();
                    return;
                }
            }
        }
        if let Some(compressor) = compressor.as_ref() {
            for backup in backups.drain(..) {
                compressor.queue(backup);
            }
        }
    }
}

impl OpenLog {
    /// Waits until every compression this process queued so far is
    /// finished, or until `deadline`; returns how many are unfinished.
    pub(crate) fn wait_for_compressions(&self, deadline: Instant) -> u64 {
        let Some(this) = self.process.this_process() else {
            // A child after fork() that never wrote: it queued nothing.
            return 0;
        };
        // Not waited on with the compressor's mutex held: writers that
        // rotate meanwhile queue their backups through it.
        let progress = this
            .compressor
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(Compressor::progress);
        progress.map_or(0, |progress| progress.wait(deadline))
    }
}

impl Drop for OpenLog {
    /// The last handle of this process is gone: let the compressor finish
    /// what is queued, within `compression_wait`.
    fn drop(&mut self) {
        let wait = self.config.compression_wait;
        if let Some(this) = self.process.this_process_mut()
            && let Some(mut compressor) = this
                .compressor
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
        {
            compressor.finish(wait);
        }
    }
}

#[cfg(test)]
impl OpenLog {
    /// Leaves what a writer SIGKILLed inside the `write(2)` of the record
    /// `start..end` leaves: the write marked in flight, and `left` of its
    /// bytes in the file.
    pub(crate) fn leave_half_written(&self, start: u64, end: u64, left: &[u8]) {
        {
            let this = self.this_process().unwrap();
            let files = this.files();
            files.shared.state.begin_write(start, end);
            files.shared.state.set_size(end);
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.config.names.live())
            .unwrap();
        std::io::Write::write_all(&mut file, left).unwrap();
    }
}
