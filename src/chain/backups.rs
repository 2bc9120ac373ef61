//! [`Backups`]: the chain of one log, numbered, time-named or restart-proof,
//! as the writer and the compressor see it.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::chain::leftovers;
use crate::chain::numbered::NumberedChain;
use crate::chain::pending::{Pending, Resume, Shift};
use crate::chain::provenance::Twins;
use crate::chain::retention::Retention;
use crate::chain::sequence::SequenceChain;
use crate::chain::timed::TimedChain;
use crate::names::Names;
use crate::shared::state_file::StateFile;
use crate::sys::fs::{FileId, exists, stat};
use crate::sys::open::FileMode;
use crate::sys::pinned;
use crate::time::clock::unix_secs;
use crate::time::period::Schedule;

/// The backups of one log.
#[derive(Debug, Clone)]
pub(crate) struct Backups {
    names: Names,
    /// Its `count` is how many backups the chain holds at most.
    retention: Retention,
    /// `Some` for time-named backups, `None` for numbered ones.
    schedule: Option<Schedule>,
    /// Whether rotations report the plain backups, for the compressor.
    gzip: bool,
    /// How long a file must have been a backup before it is handed to the
    /// compressor (see `hold_back_young`).
    compress_after: Duration,
    /// Restart-proof: no file renamed, each rotation starts the next
    /// number (whatever `schedule` says).
    restart_proof: bool,
    /// Of the library's directory, if a rotation must recreate it.
    dir_mode: FileMode,
    /// Plain and gzipped backups of one name kept together, shared by the
    /// clones (the writer's and the compressor's).
    twins: Arc<Twins>,
    /// Whether a failure to keep a restart-proof log's stable name was
    /// reported.
    link_reported: Arc<AtomicBool>,
}

/// The three naming schemes.
enum Scheme<'a> {
    Numbered(NumberedChain<'a>),
    Timed(TimedChain<'a>),
    Sequence(SequenceChain<'a>),
}

impl Backups {
    pub(crate) fn new(
        names: Names,
        retention: Retention,
        schedule: Option<Schedule>,
        gzip: bool,
        compress_after: Duration,
        restart_proof: bool,
        dir_mode: FileMode,
    ) -> Backups {
        Backups {
            names,
            retention,
            schedule,
            gzip,
            compress_after,
            restart_proof,
            dir_mode,
            twins: Arc::new(Twins::new()),
            link_reported: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Where the live file is: the log's path, or a restart-proof log's
    /// current numbered file (see `sequence`). A log path whose state names
    /// a restart-proof file is refused in the other schemes: its writers
    /// would rename a file others keep writing. Called with the lock held,
    /// when (re)opening.
    pub(crate) fn live_path(&self, state: &StateFile) -> io::Result<PathBuf> {
        match self.scheme() {
            Scheme::Sequence(chain) => chain.live_path(state),
            _ if state.current() != 0 => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the log is restart-proof (its live file is `{}`): open it with restart_proof(true), as its other writers do",
                    self.names.sequenced(state.current()).display()
                ),
            )),
            _ => Ok(self.names.live().to_path_buf()),
        }
    }

    /// Makes a restart-proof log's stable name a name of the live file at
    /// `live` (file `live_id`; `held` the file the caller held before); a
    /// failure is reported once. Nothing for the other schemes. Called
    /// with the lock held.
    pub(crate) fn link_live(&self, live: &Path, live_id: FileId, held: Option<FileId>) {
        if let Scheme::Sequence(chain) = self.scheme() {
            chain.link(live, live_id, held);
        }
    }

    /// Whether a rotation can move the live file now, waiting up to
    /// `patience` for a program that pins it against renaming to let go
    /// (`sys::pinned`); always for a restart-proof log, whose live file
    /// keeps its name. Called with the lock held.
    pub(crate) fn live_movable(&self, patience: Duration) -> bool {
        match self.scheme() {
            Scheme::Sequence(_) => true,
            Scheme::Numbered(_) | Scheme::Timed(_) => pinned::movable(self.names.live(), patience),
        }
    }

    /// Turns the live file into a backup and lets retention drop what it
    /// must. Numbered: shifts the chain up by one, the live file becoming
    /// `.1`. Time-named: the live file, whose records are from the period
    /// `label`, becomes that period's next backup. Restart-proof: the live
    /// file keeps its name, and the state names the next. Called with the
    /// lock held.
    pub(crate) fn rotate(&self, state: &StateFile, label: &str, now: i64) -> io::Result<Pending> {
        self.ensure_own_dir();
        let mut pending = match self.scheme() {
            Scheme::Numbered(chain) => chain.rotate(now),
            Scheme::Timed(chain) => chain.rotate(label, now),
            Scheme::Sequence(chain) => chain.rotate(state, now),
        }?;
        self.hold_back_young(&mut pending.to_compress, now)?;
        Ok(pending)
    }

    /// Whether a rotation of a long numbered chain left its shift for
    /// after the lock, and it is not finished yet. Called with the lock
    /// held.
    pub(crate) fn shift_waiting(&self) -> io::Result<bool> {
        match self.scheme() {
            Scheme::Numbered(chain) => {
                chain.adopt_legacy_shift()?;
                exists(&self.names.shifting())
            }
            Scheme::Timed(_) | Scheme::Sequence(_) => Ok(false),
        }
    }

    /// Does at most `limit` renames of the shift a rotation of a long
    /// numbered chain left for after the lock (see `numbered`), from where
    /// its last batch left it (`from`) if that still holds, adding to
    /// `pending` what retention let go and, once finished, the plain
    /// backups old enough to compress at `now`. Nothing for the other
    /// schemes, whose backups never move. Called with the lock held.
    pub(crate) fn finish_shift(
        &self,
        now: i64,
        limit: usize,
        from: Option<Resume>,
        pending: &mut Pending,
    ) -> io::Result<Shift> {
        let Scheme::Numbered(chain) = self.scheme() else {
            return Ok(Shift::None);
        };
        self.ensure_own_dir();
        let shift = chain.finish_shift(now, limit, from, pending)?;
        self.hold_back_young(&mut pending.to_compress, now)?;
        Ok(shift)
    }

    /// Closes the gap a process killed mid-rotation left in a numbered
    /// chain (time-named backups never move, so never leave one). Called
    /// with the lock held, once no shift is left
    /// ([`finish_shift`](Backups::finish_shift)): its gap is not one to
    /// close.
    pub(crate) fn close_gap(&self) -> io::Result<()> {
        match self.scheme() {
            Scheme::Numbered(chain) => chain.close_gap(),
            Scheme::Timed(_) | Scheme::Sequence(_) => Ok(()),
        }
    }

    /// The plain backups in the chain old enough to compress at `now`, for
    /// compressing what a killed compressor left. Called with the lock
    /// held.
    pub(crate) fn plain_backups(&self, state: &StateFile, now: i64) -> io::Result<Vec<PathBuf>> {
        let mut plain = match self.scheme() {
            Scheme::Numbered(chain) => chain.plain_backups(),
            Scheme::Timed(chain) => chain.plain_backups(),
            Scheme::Sequence(chain) => chain.plain_backups(state),
        }?;
        self.hold_back_young(&mut plain, now)?;
        Ok(plain)
    }

    /// Keeps out of `to_compress` the backups that have not been backups
    /// for `compress_after` at `now` (a follower down meanwhile finds them
    /// still plain); every rotation and `open` hands over the plain
    /// backups again, so they are compressed once old enough.
    ///
    /// A backup's age counts from its last record, and for a restart-proof
    /// file also from the switch to its successor: a file whose last
    /// record is old (a quiet log, a time boundary) may have stopped being
    /// the live file a moment ago, and a follower one file behind has not
    /// read its end yet. The switch moves the stable name off the file,
    /// which the kernel stamps on its change time (an unlink of one of its
    /// names); a later change (a `chmod`) only keeps it plain for longer.
    /// Renamed backups get a new change time at every shift, so only their
    /// last record counts.
    fn hold_back_young(&self, to_compress: &mut Vec<PathBuf>, now: i64) -> io::Result<()> {
        if self.compress_after.is_zero() {
            return Ok(());
        }
        let after = i64::try_from(self.compress_after.as_secs()).unwrap_or(i64::MAX);
        let mut old_enough = Vec::with_capacity(to_compress.len());
        for path in to_compress.drain(..) {
            let Some(found) = stat(&path)? else {
                continue;
            };
            let last_written = unix_secs(found.meta.modified()?);
            let backup_since = match self.restart_proof {
                true => last_written.max(found.changed),
                false => last_written,
            };
            if now.saturating_sub(backup_since) >= after {
                old_enough.push(path);
            }
        }
        *to_compress = old_enough;
        Ok(())
    }

    /// Where the plain backup that was queued as `queued` and is file `id`
    /// is now, if still kept. Called with the lock held.
    pub(crate) fn locate(&self, queued: &Path, id: FileId) -> io::Result<Option<PathBuf>> {
        match self.scheme() {
            Scheme::Numbered(chain) => chain.locate(id),
            Scheme::Timed(chain) => chain.locate(queued, id),
            Scheme::Sequence(chain) => chain.locate(queued, id),
        }
    }

    /// Removes what killed processes left, but the unfinished compressions
    /// of the plain backups in `finishing`. Called with the lock held.
    pub(crate) fn remove_leftovers(&self, finishing: &[PathBuf]) -> io::Result<()> {
        leftovers::remove(&self.names, finishing)
    }

    /// Backups held both plain and gzipped with different data, both kept,
    /// as the chain was last listed.
    pub(crate) fn twins_kept(&self) -> u64 {
        self.twins.kept()
    }

    /// Deletes a backup a rotation moved aside (its name in the library's
    /// directory). Called without the lock.
    pub(crate) fn delete_pruned(&self, pruned: &OsString) -> io::Result<()> {
        leftovers::delete_pruned(&self.names, pruned)
    }

    /// Makes the library's directory again if it was removed, for what
    /// retention lets go. A directory that cannot be made (a symlink in its
    /// place, refused) only has retention delete backups at once, with the
    /// lock held (see `leftovers::move_aside`): no rotation fails for it.
    fn ensure_own_dir(&self) {
        let _ = leftovers::ensure_own_dir(&self.names, self.dir_mode);
    }

    fn scheme(&self) -> Scheme<'_> {
        if self.restart_proof {
            return Scheme::Sequence(SequenceChain {
                names: &self.names,
                retention: &self.retention,
                gzip: self.gzip,
                twins: &self.twins,
                dir_mode: self.dir_mode,
                link_reported: &self.link_reported,
            });
        }
        match &self.schedule {
            None => Scheme::Numbered(NumberedChain {
                names: &self.names,
                retention: &self.retention,
                gzip: self.gzip,
                twins: &self.twins,
            }),
            Some(schedule) => Scheme::Timed(TimedChain {
                names: &self.names,
                schedule,
                retention: &self.retention,
                gzip: self.gzip,
                twins: &self.twins,
            }),
        }
    }
}
