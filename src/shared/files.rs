//! [`SharedFiles`]: the lock file and the state file as one process (or
//! its compressor thread) holds them, the way in (enter the lock, following
//! a lock file that was replaced), and how they follow files deleted,
//! replaced or shrunk under them.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::error::{Context, Error, ErrorKind, doing};
use crate::names::Names;
use crate::shared::exclusion::{self, Entry, FAST, MARKED, Wait};
use crate::shared::lock_file::LockFile;
use crate::shared::state_file::{self, StateFile, Validated};
use crate::shared::watchdog::WaitSlot;
use crate::sys::coarse_clock::CoarseInstant;
use crate::sys::create::ensure_dir;
use crate::sys::fs::remove_if_present;
use crate::sys::open::FileMode;

/// The shortest interval between two checks that the lock and state paths
/// still name the files held.
const CHECK_MIN: Duration = Duration::from_millis(100);

/// Where a log's shared files are and how they are made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    pub(crate) names: &'a Names,
    pub(crate) mode: FileMode,
    /// Of the library's directory, if it must be recreated.
    pub(crate) dir_mode: FileMode,
    /// Which log the state must be of.
    pub(crate) log_id: u64,
}

/// The lock and state files as this process holds them.
#[derive(Debug)]
pub(crate) struct SharedFiles {
    pub(crate) lock: LockFile,
    pub(crate) state: StateFile,
    /// Whether `state` was validated since it was mapped.
    validated: bool,
    /// When to check next that the paths still name the files held.
    next_check: CoarseInstant,
    /// What these files write in the holder slot: this process's pid, read
    /// once (a syscall; these files are renewed in a child after
    /// `fork()`), and a number of their own (see `holder_token`).
    token: u64,
    /// Whether no other process had the log open at the last look (see
    /// `presence`): then records enter without the `flock`. Never with
    /// Python's lock.
    alone: bool,
    /// How the current entry was made: with [`FAST`] if without the flock.
    entered_as: u64,
    /// What the watchdog looks at while this process sleeps for the lock.
    watch: Arc<WaitSlot>,
}

impl SharedFiles {
    /// Opens the lock and state files at their paths (without the lock);
    /// a writer asleep for the lock longer than `warning` is reported.
    pub(crate) fn open(place: Place<'_>, warning: Duration) -> Result<SharedFiles, Error> {
        let (lock_path, state_path) = (place.names.lock(), place.names.state());
        let lock = LockFile::open(lock_path, place.mode).context(
            ErrorKind::LockFile,
            "cannot open lock file",
            lock_path,
        )?;
        let state = StateFile::open(state_path, place.mode).context(
            ErrorKind::StateFile,
            "cannot open state file",
            state_path,
        )?;
        let token = marked(&state, exclusion::holder_token(std::process::id()));
        Ok(SharedFiles {
            // Both just opened at their paths: the next look (see `follow`)
            // can wait, and whether this process has the log to itself is
            // known then (a short-lived process takes the flock: as cheap
            // as the look).
            alone: false,
            next_check: CoarseInstant::now() + CHECK_MIN,
            lock,
            state,
            validated: false,
            token,
            entered_as: 0,
            watch: WaitSlot::new(lock_path.to_path_buf(), state_path.to_path_buf(), warning),
        })
    }

    /// Takes the lock and enters (see `exclusion`), following the lock file
    /// to the one at the path when the state names another, and validates
    /// the state if it was newly mapped or emptied since. Leaving is the
    /// returned guard's drop.
    pub(crate) fn enter(&mut self, place: Place<'_>, wait: &Wait) -> io::Result<Inside<'_>> {
        let lock_path = place.names.lock();
        let fast = self.token | FAST;
        if self.alone && self.state.contended().load(Ordering::SeqCst) != 0 {
            // Another process waits: the flock way until alone again.
            self.alone = false;
        }
        if self.alone
            && self
                .state
                .holder()
                .compare_exchange(0, fast, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            // Alone with the log: the slot is the lock (see `exclusion`).
            self.entered_as = fast;
            return Ok(self.inside(place));
        }
        loop {
            let entry = match exclusion::enter(
                &self.lock,
                &self.state,
                self.token,
                wait,
                &self.watch,
                lock_path,
            )? {
                Entry::Replaced if self.lock.is_at(lock_path)? => {
                    // Ours is the file at the path: the old one was deleted.
                    exclusion::take_over(
                        &self.lock,
                        &self.state,
                        self.token,
                        wait,
                        &self.watch,
                        lock_path,
                    )?
                }
                entry => entry,
            };
            match entry {
                Entry::Inside => break,
                // Another file is named: move to the one at the path.
                Entry::Replaced => self.lock = LockFile::open(lock_path, place.mode)?,
            }
        }
        self.entered_as = self.token;
        Ok(self.inside(place))
    }

    /// The guard of a writer just let in; validates a state newly mapped or
    /// emptied since.
    fn inside(&mut self, place: Place<'_>) -> Inside<'_> {
        let inside = Inside { shared: self };
        // Also when the magic vanished since: someone emptied the file.
        if !std::mem::replace(&mut inside.shared.validated, true) || !inside.state().is_valid() {
            let state = inside.state();
            match state.validate(place.log_id) {
                Validated::Valid => return inside,
                Validated::FirstFormat(carried) => state.carry(carried),
                // Started afresh: carry over an earlier version's, if any.
                Validated::Reset => carry_legacy(state, place.names),
            }
            // Started afresh, the slots that exclude included: ours again.
            state
                .holder()
                .store(inside.shared.entered_as, Ordering::SeqCst);
            state.set_lock_id(inside.shared.lock.id());
        }
        inside
    }

    /// Every 100 ms at most (outside the lock): if the lock path no longer
    /// names the lock file held (deleted, or its directory removed and
    /// recreated), opens the one at the path, which the next entry takes
    /// over; if the state path no longer names the state mapped, or the
    /// mapping was lost (see `sigbus`), maps the one at the path. Returns
    /// whether anything was reopened: the live file must be reopened too,
    /// with the new state's generation.
    pub(crate) fn follow(
        &mut self,
        place: Place<'_>,
        now: CoarseInstant,
        every: Duration,
    ) -> io::Result<bool> {
        let lost = self.state.is_lost();
        if now < self.next_check && !lost {
            return Ok(false);
        }
        self.next_check = now + every.max(CHECK_MIN);
        let names = place.names;

        let mut reopened = false;
        if !self.lock.is_at(names.lock())? {
            recreate_own_dir(place)?;
            self.lock =
                LockFile::open(names.lock(), place.mode).map_err(reopening(names.lock()))?;
            reopened = true;
        }
        if lost || !self.state.is_at(names.state())? {
            recreate_own_dir(place)?;
            self.state =
                StateFile::open(names.state(), place.mode).map_err(reopening(names.state()))?;
            // Alive under the same token in the new file (see `marked`).
            self.state.mark_holder(self.token);
            self.validated = false;
            reopened = true;
        }
        // Both files: a state file deleted and made anew, or a lock file,
        // must not let two processes each believe they are alone.
        self.alone = !names.is_python_lock() && self.state.alone() && self.lock.alone();
        if self.alone {
            // No one else has the log open: no one waits any more.
            self.state.contended().store(0, Ordering::SeqCst);
        }
        Ok(reopened)
    }

    /// Says whether these descriptors are present (see `presence`): a
    /// compressor with nothing to do withdraws, so that a writer alone
    /// with the log may skip the `flock`.
    pub(crate) fn be_present(&mut self, present: bool) -> io::Result<()> {
        self.state.be_present(present)?;
        self.lock.be_present(present)
    }
}

/// Proof that this process is inside the lock; dropping it leaves.
#[derive(Debug)]
pub(crate) struct Inside<'a> {
    shared: &'a mut SharedFiles,
}

impl Inside<'_> {
    /// Whether no other process (nor another handle of this one) has the
    /// log's lock and state files open: nothing else is under way.
    pub(crate) fn nobody_else(&self) -> bool {
        self.shared.state.alone() && self.shared.lock.alone()
    }

    /// The state, as mapped now.
    pub(crate) fn state(&self) -> &StateFile {
        &self.shared.state
    }

    /// If this process's mapping of the state lost its contents during the
    /// critical section (someone emptied the file: see `sigbus`), what it
    /// wrote there went nowhere, while the writes it did (a rotation, a
    /// record) are real. Before anyone else comes in, the state is mapped
    /// afresh and started over, so that every writer reopens the live file
    /// and takes its size from the file. Returns whether that happened: the
    /// caller's live file must be reopened too.
    pub(crate) fn recover_if_lost(&mut self, place: Place<'_>) -> io::Result<bool> {
        if !self.shared.state.is_lost() {
            return Ok(false);
        }
        recreate_own_dir(place)?;
        let state = StateFile::open(place.names.state(), place.mode)
            .map_err(reopening(place.names.state()))?;
        state.mark_holder(self.shared.token);
        state.reset(place.log_id);
        // Ours again, in the new mapping.
        state
            .holder()
            .store(self.shared.entered_as, Ordering::SeqCst);
        state.set_lock_id(self.shared.lock.id());
        self.shared.state = state;
        self.shared.validated = true;
        Ok(true)
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        let shared = &self.shared;
        if shared.entered_as & FAST != 0 {
            let _ = shared.state.holder().compare_exchange(
                shared.entered_as,
                0,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        } else {
            exclusion::leave(&shared.lock, &shared.state, shared.token);
        }
    }
}

/// `token`, marked alive in `state` (see `presence`) and saying so
/// ([`MARKED`]) if the mark could be set: whoever waits for this process
/// inside asks the mark whether it lives, not its pid.
fn marked(state: &StateFile, token: u64) -> u64 {
    match state.mark_holder(token | MARKED) {
        true => token | MARKED,
        false => token,
    }
}

/// Names the file an error of reopening is about.
fn reopening(path: &Path) -> impl FnOnce(io::Error) -> io::Error + '_ {
    move |e| doing(e, format_args!("reopen `{}`", path.display()))
}

fn recreate_own_dir(place: Place<'_>) -> io::Result<()> {
    ensure_dir(
        place.names.own_dir(),
        true,
        "cannot recreate the library's directory",
        place.dir_mode,
    )
    .map_err(io::Error::from)
}

/// An earlier version kept the state beside Python's lock file: a new
/// state starts from its counters (its generation moved on, so that a
/// writer still holding the old number reopens), and the old file goes.
/// Best effort: a failure only loses counters.
fn carry_legacy(state: &StateFile, names: &Names) {
    let legacy = names.legacy_state();
    if let Ok(Some(carried)) = state_file::read_legacy(legacy) {
        state.carry(carried);
        let _ = remove_if_present(legacy);
    }
}
