//! [`Appender`]: what a writer reads and changes with the lock held, and
//! the path of one record under it.
//!
//! Under the lock, a record costs no syscall besides its `write(2)`: the
//! shared state file tells a writer that another process rotated (the
//! generation moved on) and how large the live file is. Every
//! `path_check_interval` one `stat` of the path notices what the shared
//! state cannot: a file moved or deleted by hand, or a writer outside this
//! library (Python's handler) appending; once such a writer is seen, every
//! record checks the path first, as Python's handler itself does, until it
//! has been quiet for ten minutes. On a log shared with Python's handler,
//! one `lseek` per record sees its appends at once, between path checks.

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::chain::{Backups, Pending};
use crate::config::Config;
use crate::error::doing;
use crate::shared::state_file::StateFile;
use crate::sys::coarse_clock::CoarseInstant;
use crate::sys::create::ensure_dir;
use crate::sys::fs::dir_of;
use crate::sys::stderr;
use crate::time::clock::unix_secs;
use crate::time::period::Schedule;
use crate::writer::at_exit;
use crate::writer::live_file::LiveFile;
use crate::writer::lock_hold::LockHold;
use crate::writer::pinned_live::PinnedLive;
use crate::writer::records::Records;

/// How long after a writer outside this library was last seen every record
/// checks the path first.
const FOREIGN_QUIET: Duration = Duration::from_secs(600);

/// An append that failed after `written` bytes of whole records were in the
/// file: `io::Write` reports those as written, so a caller that retries
/// does not write them twice.
#[derive(Debug)]
pub(crate) struct AppendError {
    pub(crate) written: usize,
    pub(crate) error: io::Error,
}

impl AppendError {
    pub(crate) fn new(written: usize, error: io::Error) -> AppendError {
        AppendError { written, error }
    }
}

impl From<AppendError> for io::Error {
    fn from(e: AppendError) -> io::Error {
        e.error
    }
}

/// The live file as this process holds it, and what a writer keeps
/// between records; the shared state is passed to each call.
#[derive(Debug)]
pub(crate) struct Appender {
    /// `None` until opened, and after a failure to reopen.
    live: Option<LiveFile>,
    /// Where `live` was opened: the log's path, or a restart-proof log's
    /// numbered file.
    path: PathBuf,
    /// The shared generation `live` belongs to.
    generation: u64,
    next_path_check: CoarseInstant,
    /// Until then, check the path before every record: a writer outside
    /// this library was seen appending.
    strict_until: Option<CoarseInstant>,
    /// What rotations left to do once the lock is released.
    pub(crate) pending: Pending,
    /// Whether a foreign writer on another lock was reported.
    warned: bool,
    /// How long this process's rotations held the lock.
    pub(crate) lock_hold: LockHold,
    /// Rotations skipped because another program pinned the live file.
    pub(crate) pinned: PinnedLive,
}

impl Appender {
    pub(crate) fn new() -> Appender {
        Appender {
            live: None,
            path: PathBuf::new(),
            generation: 0,
            next_path_check: CoarseInstant::now(),
            strict_until: None,
            pending: Pending::default(),
            warned: false,
            lock_hold: LockHold::default(),
            pinned: PinnedLive::default(),
        }
    }

    /// Whether a writer outside this library was seen lately: then writers
    /// sleep in `flock` at once rather than spin, so that Python's sleeping
    /// writers get their turn.
    pub(crate) fn beside_foreign_writer(&self, now: CoarseInstant) -> bool {
        self.strict_until.is_some_and(|until| now < until)
    }

    /// Appends `bytes`, split between files only at record boundaries. The
    /// hot path, with the lock held. Every record ends with a newline (the
    /// caller makes sure).
    pub(crate) fn append_locked(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        bytes: &[u8],
        records: Records<'_>,
        now: CoarseInstant,
    ) -> Result<(), AppendError> {
        let path = config.names.live();
        let on = |what: &'static str| {
            move |e| AppendError::new(0, doing(e, format_args!("{what} `{}`", path.display())))
        };
        // Rotated once: another process rotated (or recreated) the file.
        if self.live.is_none() || self.generation != state.generation() {
            self.reopen(state, config, backups).map_err(on("reopen"))?;
        }
        if let Some((start, end)) = state.unfinished_write() {
            self.repair_unfinished_write(state, start, end)
                .map_err(on("end the record cut short in"))?;
        }
        if now >= self.next_path_check
            || self.beside_foreign_writer(now)
            || self
                .appended_by_python(state, config)
                .map_err(on("check"))?
        {
            self.check_path(state, config, backups, now)
                .map_err(on("check"))?;
        }
        if let Some(schedule) = &config.schedule {
            self.turn_period(state, config, backups, schedule)
                .map_err(|e| AppendError::new(0, e))?;
        }
        let mut size = state.size();
        let mut start = 0;
        while start < bytes.len() {
            let room = match config.max_bytes {
                0 => u64::MAX,
                max => max.saturating_sub(size),
            };
            let end = match records.last_end_within(bytes, start, room) {
                Some(end) => end,
                None if size > 0 => {
                    // Never past max_bytes: the next record does not fit,
                    // start a new file.
                    match self
                        .rotate(state, config, backups)
                        .map_err(|e| AppendError::new(start, e))?
                    {
                        Some(new_size) => {
                            size = new_size;
                            continue;
                        }
                        // The live file is pinned by another program
                        // (`PinnedLive`): the record goes on into it, past
                        // max_bytes, rather than being lost.
                        None => records.first_end_after(bytes, start),
                    }
                }
                // A record larger than max_bytes, alone in an empty file.
                None => records.first_end_after(bytes, start),
            };
            if !state.is_valid() {
                // Someone emptied the state file since we entered: what was
                // read from it may be zeros. Start it afresh and take the
                // live file's size from the file itself.
                state.validate(config.log_id);
                self.reopen(state, config, backups).map_err(on("reopen"))?;
                size = state.size();
                continue;
            }
            let chunk = &bytes[start..end];
            // Published before the write: a writer killed in between leaves
            // the size overstated, which only makes the file rotate early,
            // and the write marked as in flight for the next writer to check.
            let new_size = size + chunk.len() as u64;
            // Never cut short by the process's exit (see `at_exit`): this
            // runs under the log's in-process mutex, which the exit waits
            // for once it has closed the writes.
            if at_exit::writes_closed() {
                let error = doing(
                    at_exit::refused_write(),
                    format_args!("write to `{}`", path.display()),
                );
                return Err(AppendError::new(start, error));
            }
            state.begin_write(size, new_size);
            state.set_size(new_size);
            let live = self.live().map_err(on("write to"))?;
            if let Err(short) = live.append(chunk) {
                // Crash-safe, never torn: the records wholly written stay,
                // a record cut short is ended with a newline (or, if even
                // that fails, left marked for the next writer to end).
                let written = start + short.written;
                state.set_size(size + short.written as u64);
                if let Ok(actual) = live.end_torn_record() {
                    state.set_size(actual);
                    state.end_write();
                }
                let whole = records
                    .last_end_within(bytes, start, short.written as u64)
                    .filter(|&end| end <= written)
                    .unwrap_or(start);
                let error = doing(short.error, format_args!("write to `{}`", path.display()));
                return Err(AppendError::new(whole, error));
            }
            state.end_write();
            size = new_size;
            start = end;
        }
        Ok(())
    }

    fn live(&self) -> io::Result<&LiveFile> {
        self.live
            .as_ref()
            .ok_or_else(|| io::Error::other("the log file is not open"))
    }

    /// A writer was stopped during its `write(2)` of `start..end` (killed,
    /// or the disk full): the only ways a marked write stays unfinished. If
    /// it left part of its record in the file, that part is ended with a
    /// newline, so that the next record is not glued to it (guarantees:
    /// never torn, crash-safe); the file never shrinks, since a shipper may
    /// have read the part already.
    pub(crate) fn repair_unfinished_write(
        &mut self,
        state: &StateFile,
        start: u64,
        end: u64,
    ) -> io::Result<()> {
        let live = self.live()?;
        let actual = live.end()?;
        let size = if actual > start && actual < end {
            live.end_torn_record()?
        } else {
            actual
        };
        state.set_size(size);
        state.end_write();
        Ok(())
    }

    /// On a log shared with Python's handler, whether the live file grew
    /// by more than the shared state knows (one `lseek`, a fraction of
    /// the `stat` a path check costs): its processes append without
    /// telling the state, and the path is then checked before this
    /// record, not a `path_check_interval` later, so that none of ours
    /// passes `max_bytes` on top of theirs ("never past `max_bytes`").
    /// Its rotations need no such look: it rotates only a file at
    /// `max_bytes` or past it, which either it made so (its append seen
    /// here) or ours did, and then our next record rotates too.
    fn appended_by_python(&self, state: &StateFile, config: &Config) -> io::Result<bool> {
        if !config.names.is_python_lock() {
            return Ok(false);
        }
        Ok(self.live()?.end()? != state.size())
    }

    /// One `stat` of the log path: reopen if it names another file or none
    /// (moved or deleted by hand, rotated by a writer outside this library);
    /// adopt its size if such a writer appended, and then check before every
    /// record for a while, as every writer sharing the state will.
    fn check_path(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        now: CoarseInstant,
    ) -> io::Result<()> {
        self.next_path_check = now + config.path_check_interval;
        let live = self.live()?;
        match live.size_at(&self.path)? {
            None => self.reopen(state, config, backups)?,
            Some(actual) => {
                // Restart-proof: the stable name deleted or replaced by hand.
                backups.link_live(&self.path, live.id(), None);
                let expected = state.size();
                if actual > expected {
                    state.set_foreign_seen(wall_secs());
                    if !config.names.is_python_lock() && !std::mem::replace(&mut self.warned, true)
                    {
                        // Exclusion needs every writer on one lock file.
                        stderr::print(format_args!(
                            "a writer outside this library appends to `{}` without taking its lock `{}`; if it is Python's ConcurrentRotatingFileHandler, open the log with share_with_python(true)",
                            config.names.live().display(),
                            config.names.lock().display()
                        ));
                    }
                }
                if actual != expected {
                    state.set_size(actual);
                }
            }
        }
        let seen = state.foreign_seen();
        let age = Duration::from_secs(wall_secs().saturating_sub(seen));
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
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        schedule: &Schedule,
    ) -> io::Result<()> {
        let now = config.now();
        let tag = schedule.tag();
        let recorded = state.period(tag);
        if recorded.is_some_and(|span| now < span.end) {
            return Ok(());
        }
        let size = self.live()?.end()?;
        // No period recorded (a new state file, another schedule before):
        // the live file's records are from when it was last written.
        let live_period = match recorded {
            Some(span) => span,
            None if size > 0 => schedule.span_at(unix_secs(self.live()?.modified()?)),
            None => schedule.span_at(now),
        };
        let current = schedule.span_at(now);
        state.set_period(tag, current);
        if size > 0 && live_period.end <= current.start {
            self.rotate_into(
                state,
                config,
                backups,
                &schedule.label(live_period.start),
                now,
            )?;
        }
        Ok(())
    }

    /// Rotates the live file because the next record does not fit, and
    /// returns the size of the file now live; `None` if another program
    /// pins the live file, which then stays live.
    fn rotate(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
    ) -> io::Result<Option<u64>> {
        let now = config.now();
        let label = period_label(state, config, now);
        let rotated = self.rotate_into(state, config, backups, &label, now)?;
        Ok(rotated.then(|| state.size()))
    }

    /// Rotates now, as a caller asked (`RotatingFile::rotate`), unless the
    /// path has named another file since it asked (the shared generation
    /// moved on from `asked`: someone rotated meanwhile, so several asking
    /// at once make one rotation) or the live file is empty. Returns
    /// whether it rotated.
    pub(crate) fn rotate_on_demand(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        asked: u64,
    ) -> io::Result<bool> {
        if state.generation() != asked {
            return Ok(false);
        }
        if self.live.is_none() || self.generation != asked {
            self.reopen(state, config, backups)?;
        }
        if let Some((start, end)) = state.unfinished_write() {
            self.repair_unfinished_write(state, start, end)?;
        }
        if self.live()?.end()? == 0 {
            return Ok(false);
        }
        let now = config.now();
        let rotations = state.rotations();
        self.shift(
            state,
            config,
            backups,
            &period_label(state, config, now),
            now,
        )?;
        Ok(state.rotations() != rotations)
    }

    /// Rotates the live file into a backup (rotated once: only if the path
    /// still names the file we hold; if not, someone rotated it already),
    /// `label` naming its period if backups are named by time, and opens
    /// the new live file. `false` if another program pins the live file:
    /// nothing was moved.
    fn rotate_into(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        label: &str,
        now: i64,
    ) -> io::Result<bool> {
        let path = config.names.live();
        self.shift(state, config, backups, label, now)
            .map_err(|e| doing(e, format_args!("rotate `{}`", path.display())))
    }

    fn shift(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
        label: &str,
        now: i64,
    ) -> io::Result<bool> {
        let started = Instant::now();
        let rotates = self.live()?.is_at(&self.path)?;
        if rotates {
            // A live file another program pins against renaming is not
            // rotated, and nothing is moved: the rotation is skipped, as
            // Python's handler skips it, and asked for again at the next
            // record that does not fit.
            if !backups.live_movable(self.pinned.patience()) {
                self.pinned.skip(config.names.live());
                return Ok(false);
            }
            self.pinned.cleared();
            // Never cut in two by the process's exit (see `at_exit`).
            let Some(rotation) = at_exit::ROTATIONS.begin() else {
                return Err(at_exit::refused());
            };
            self.pending.rotation = Some(rotation);
            // Bump first: if this process dies between the renames, the
            // others still reopen by path rather than write to a backup.
            state.bump_generation();
            // Counted until done (a shift left for after the lock: until
            // whoever finishes it is done), and what it leaves for after
            // the lock until that is done too: an opening repairs only then.
            state.begin_work(1);
            let pending = backups.rotate(state, label, now)?;
            for _ in 0..pending.shifts_finished {
                state.end_work();
            }
            if pending.shift_left {
                // A new shift, left for after the lock (`deferred_shift`):
                // its first batch lists the chain.
                self.pending.shift_left = true;
                self.pending.shift_from = None;
            } else {
                state.end_work();
            }
            self.adopt(state, pending);
            state.count_rotation();
        }
        let reopened = self.reopen(state, config, backups);
        if rotates {
            self.lock_hold.rotated(started.elapsed());
        }
        reopened.map(|()| true)
    }

    /// Takes over what a rotation, or a batch of a shift, left for after
    /// the lock, counting it as unfinished work until done. Called with
    /// the lock held.
    pub(crate) fn adopt(&mut self, state: &StateFile, pending: Pending) {
        state.begin_work((pending.pruned.len() + pending.to_compress.len()) as u64);
        self.pending.pruned.extend(pending.pruned);
        // Several rotations in one call: a numbered chain lists every
        // plain backup each time, under its new name.
        let queue = &mut self.pending.to_compress;
        queue.extend(pending.to_compress);
        let mut seen = std::collections::HashSet::new();
        queue.retain(|path| {
            let first = seen.insert(path.clone());
            if !first {
                state.end_work();
            }
            first
        });
    }

    /// Opens the live file afresh (the log path, or a restart-proof log's
    /// current file), recreating it (and, if allowed, its directory) when
    /// missing, and takes its size. If it names a file other than the one
    /// the shared state speaks of, every process must reopen: a new
    /// generation.
    pub(crate) fn reopen(
        &mut self,
        state: &StateFile,
        config: &Config,
        backups: &Backups,
    ) -> io::Result<()> {
        let previous = self.live.take();
        let path = backups.live_path(state)?;
        let open = || match LiveFile::open(&path, config.mode) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && config.create_dirs => {
                // The directory was removed under us.
                ensure_dir(
                    dir_of(&path),
                    true,
                    "cannot recreate log directory",
                    config.dir_mode,
                )
                .map_err(io::Error::from)?;
                LiveFile::open(&path, config.mode)
            }
            other => other,
        };
        let live = match open() {
            // The log's own path is named by the caller.
            Err(e) if path != config.names.live() => {
                return Err(doing(e, format_args!("open `{}`", path.display())));
            }
            other => other?,
        };
        let replaced = previous.as_ref().is_some_and(|old| !old.same_file(&live));
        if replaced && self.generation == state.generation() {
            // We found the change, not learnt it from the shared state.
            state.bump_generation();
        }
        self.generation = state.generation();
        // Opened inside the lock: no one appended since its `fstat`.
        state.set_size(live.opened_size());
        backups.link_live(&path, live.id(), previous.as_ref().map(LiveFile::id));
        self.live = Some(live);
        self.path = path;
        // Just looked: the path names this file.
        self.next_path_check = CoarseInstant::now() + config.path_check_interval;
        Ok(())
    }

    /// Forgets the live file: it is reopened, with the shared state's
    /// generation, before the next record.
    pub(crate) fn forget_live(&mut self) {
        self.live = None;
    }
}

/// The label of the backup a rotation at `now` makes: the period of the
/// live file's records with time-named backups, nothing for numbered ones.
fn period_label(state: &StateFile, config: &Config, now: i64) -> String {
    match &config.schedule {
        Some(schedule) => state
            .period(schedule.tag())
            .map(|span| schedule.label(span.start))
            .unwrap_or_else(|| schedule.label(now)),
        None => String::new(),
    }
}

/// The system's time in Unix seconds, for when a foreign writer was seen
/// (shared across processes, so not the configured clock).
fn wall_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
