//! [`Backups`]: the chain of one log, numbered or time-named, as the writer
//! and the compressor see it.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::chain::leftovers;
use crate::chain::numbered::NumberedChain;
use crate::chain::pending::Pending;
use crate::chain::provenance::Twins;
use crate::chain::retention::Retention;
use crate::chain::timed::TimedChain;
use crate::names::Names;
use crate::sys::fs::FileId;
use crate::sys::open::FileMode;
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
    /// Of the library's directory, if a rotation must recreate it.
    dir_mode: FileMode,
    /// Plain and gzipped backups of one name kept together, shared by the
    /// clones (the writer's and the compressor's).
    twins: Arc<Twins>,
}

/// The two naming schemes.
enum Scheme<'a> {
    Numbered(NumberedChain<'a>),
    Timed(TimedChain<'a>),
}

impl Backups {
    pub(crate) fn new(
        names: Names,
        retention: Retention,
        schedule: Option<Schedule>,
        gzip: bool,
        dir_mode: FileMode,
    ) -> Backups {
        Backups {
            names,
            retention,
            schedule,
            gzip,
            dir_mode,
            twins: Arc::new(Twins::new()),
        }
    }

    /// Renames the live file to a backup and lets retention drop what it
    /// must. Numbered: shifts the chain up by one, the live file becoming
    /// `.1`. Time-named: the live file, whose records are from the period
    /// `label`, becomes that period's next backup. Called with the lock
    /// held.
    pub(crate) fn rotate(&self, label: &str, now: i64) -> io::Result<Pending> {
        // Where retention moves what it lets go.
        leftovers::ensure_own_dir(&self.names, self.dir_mode)?;
        match self.scheme() {
            Scheme::Numbered(chain) => chain.rotate(now),
            Scheme::Timed(chain) => chain.rotate(label, now),
        }
    }

    /// Closes the gap a process killed mid-rotation left in a numbered
    /// chain (time-named backups never move, so never leave one). Called
    /// with the lock held.
    pub(crate) fn close_gap(&self) -> io::Result<()> {
        match self.scheme() {
            Scheme::Numbered(chain) => chain.close_gap(),
            Scheme::Timed(_) => Ok(()),
        }
    }

    /// The plain backups in the chain, for compressing what a killed
    /// compressor left. Called with the lock held.
    pub(crate) fn plain_backups(&self) -> io::Result<Vec<PathBuf>> {
        match self.scheme() {
            Scheme::Numbered(chain) => chain.plain_backups(),
            Scheme::Timed(chain) => chain.plain_backups(),
        }
    }

    /// Where the plain backup that was queued as `queued` and is file `id`
    /// is now, if still kept. Called with the lock held.
    pub(crate) fn locate(&self, queued: &Path, id: FileId) -> io::Result<Option<PathBuf>> {
        match self.scheme() {
            Scheme::Numbered(chain) => chain.locate(id),
            Scheme::Timed(chain) => chain.locate(queued, id),
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

    /// Deletes a backup a rotation moved aside. Called without the lock.
    pub(crate) fn delete_pruned(&self, pruned: &Path) -> io::Result<()> {
        leftovers::delete_pruned(&self.names, pruned)
    }

    fn scheme(&self) -> Scheme<'_> {
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
