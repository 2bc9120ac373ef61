//! [`SharedFiles`]: the lock file and the state file as one process (or
//! its compressor thread) holds them, the way in (enter the lock, following
//! a lock file that was replaced), and how they follow files deleted,
//! replaced or shrunk under them.
//!
//! **Removed.** A lock or state file deleted (the library's directory
//! removed whole, by a cleanup job or every few milliseconds) is kept: every
//! writer that has it open goes on using it, so the writers running keep
//! each other out whatever is removed (guarantee: one writer at a time). A
//! writer never makes a new one to replace a file it holds.
//!
//! **Replaced.** Only a process that comes along afterwards, finding none,
//! makes new ones at the paths; the writers running move to them at their
//! next look (every `path_check_interval`, 100 ms at most):
//!
//! - a new lock file through the state, which names the lock file in use
//!   (see `exclusion`): the first to move waits for the one inside to
//!   leave;
//! - a new state file by retiring the old one: the first to find it moves
//!   from inside the old one, marking it retired first, so that whoever
//!   enters the old one afterwards follows instead of writing. No two
//!   writers running are ever inside through two state files.
//!
//! A process that comes along while the files are gone is the one case
//! left: until the writers running have looked and moved (within
//! `path_check_interval`), it may be let in beside them.

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::error::{Context, Error, ErrorKind, doing};
use crate::names::Names;
use crate::own_dir;
use crate::shared::exclusion::{self, Entry, FAST, MARKED, Wait};
use crate::shared::lock_file::LockFile;
use crate::shared::state_file::{self, StateFile, Validated};
use crate::shared::watchdog::WaitSlot;
use crate::sys::coarse_clock::CoarseInstant;
use crate::sys::dir::At;
use crate::sys::fs::{FileId, remove_if_present};
use crate::sys::open::FileMode;
use crate::sys::presence;

/// The shortest interval between two checks that the lock and state paths
/// still name the files held.
const CHECK_MIN: Duration = Duration::from_millis(100);

/// The most state files one entry follows, one retired after another: more
/// means they keep being replaced faster than anyone can write, and the
/// entry fails rather than loop.
const MOVES_MAX: u32 = 16;

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
    /// The state path names another state file than `state`: move to it
    /// from inside this one (see "Replaced" above).
    moving: bool,
    /// The log's directory, marked with the state file this process writes
    /// through.
    writing: Option<Writing>,
}

/// A writer's mark on the log's directory (see `presence::writing`).
#[derive(Debug)]
struct Writing {
    dir: File,
    log_id: u64,
    /// The byte marked.
    at: u64,
}

impl SharedFiles {
    /// Opens the lock and state files at their paths (without the lock);
    /// a writer asleep for the lock longer than `warning` is reported.
    pub(crate) fn open(place: Place<'_>, warning: Duration) -> Result<SharedFiles, Error> {
        let (lock_path, state_path) = (place.names.lock(), place.names.state());
        let lock =
            open_lock(place).context(ErrorKind::LockFile, "cannot open lock file", lock_path)?;
        let state = open_state(place).context(
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
            moving: false,
            writing: None,
        })
    }

    /// Takes the lock and enters (see `exclusion`), following the lock file
    /// to the one at the path when the state names another, and the state
    /// file to the one at the path when it was retired or is to be (see
    /// "Replaced" above); validates the state if it was newly mapped or
    /// emptied since. Leaving is the returned guard's drop.
    pub(crate) fn enter(&mut self, place: Place<'_>, wait: &Wait) -> io::Result<Inside<'_>> {
        let mut moves = 0;
        loop {
            self.enter_held(place, wait)?;
            // A state not yet validated (new, of another format) holds
            // anything in its slots: it is retired only once valid.
            let retired = self.state.is_valid() && self.state.retired();
            if !self.moving && !retired {
                break;
            }
            if std::mem::take(&mut self.moving) {
                // Inside: no writer of this state is, and whoever enters it
                // from now on follows.
                self.state.retire();
            }
            self.leave_held();
            if moves == MOVES_MAX {
                return Err(io::Error::other(format!(
                    "the state file `{}` was retired {MOVES_MAX} times in a row: it keeps being replaced",
                    place.names.state().display()
                )));
            }
            self.move_state(place)?;
            moves += 1;
        }
        Ok(self.inside(place, moves > 0))
    }

    /// Enters with the lock and state files held now (see `exclusion`),
    /// following the lock file to the one at the path when the state names
    /// another.
    fn enter_held(&mut self, place: Place<'_>, wait: &Wait) -> io::Result<()> {
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
            return Ok(());
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
                Entry::Replaced => self.lock = open_lock(place)?,
            }
        }
        self.entered_as = self.token;
        Ok(())
    }

    /// Leaves what [`enter_held`](SharedFiles::enter_held) entered.
    fn leave_held(&self) {
        if self.entered_as & FAST != 0 {
            let _ = self.state.holder().compare_exchange(
                self.entered_as,
                0,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        } else {
            exclusion::leave(&self.lock, &self.state, self.token);
        }
    }

    /// Moves to the state file at the path (made there if missing: the
    /// one the others moved to was removed too), and to the lock file at
    /// the path if it is another one.
    fn move_state(&mut self, place: Place<'_>) -> io::Result<()> {
        let names = place.names;
        if FileId::at(names.lock())?.is_some_and(|at| at != self.lock.file_id()) {
            self.lock = open_lock(place).map_err(reopening(names.lock()))?;
        }
        self.state = open_state(place).map_err(reopening(names.state()))?;
        // Alive under the same token in the new file (see `marked`).
        self.state.mark_holder(self.token);
        self.mark_state();
        self.validated = false;
        // Present in both now: whether alone is looked at again.
        self.alone = false;
        Ok(())
    }

    /// The guard of a writer just let in; validates a state newly mapped or
    /// emptied since.
    fn inside(&mut self, place: Place<'_>, moved: bool) -> Inside<'_> {
        let inside = Inside {
            shared: self,
            moved,
        };
        // Also when the magic vanished since: someone emptied the file.
        if !std::mem::replace(&mut inside.shared.validated, true) || !inside.state().is_valid() {
            let state = inside.state();
            let restarted = match state.validate(place.log_id) {
                Validated::Valid => false,
                Validated::FirstFormat(carried) => {
                    state.carry(carried);
                    true
                }
                // Started afresh: carry over an earlier version's, if any.
                Validated::Reset => {
                    carry_legacy(state, place.names);
                    true
                }
            };
            if restarted {
                // Started afresh, the slots that exclude included: ours
                // again.
                state
                    .holder()
                    .store(inside.shared.entered_as, Ordering::SeqCst);
                state.set_lock_id(inside.shared.lock.id());
            }
        }
        inside
    }

    /// Marks the log's directory `dir` as written by this process through
    /// the state file it holds, for as long as it does (see
    /// `presence::writing`): the writers' files only, never a compressor's,
    /// which moves only when it works.
    pub(crate) fn say_writing(&mut self, dir: File, log_id: u64) {
        let at = presence::writing(log_id, self.state.id().ino());
        if presence::mark_alive(&dir, at) {
            self.writing = Some(Writing { dir, log_id, at });
        }
    }

    /// Moves the mark of [`say_writing`](SharedFiles::say_writing) to the
    /// state file held now.
    fn mark_state(&mut self) {
        let Some(writing) = &mut self.writing else {
            return;
        };
        let at = presence::writing(writing.log_id, self.state.id().ino());
        if at != writing.at && presence::mark_alive(&writing.dir, at) {
            presence::unmark(&writing.dir, writing.at);
            writing.at = at;
        }
    }

    /// For a process that comes along after the lock and state files were
    /// removed and made new ones: other processes may be writing still
    /// through the removed ones (see "Removed" above), until they look
    /// (within `path_check_interval`), and move. Waits, before entering the
    /// first time, until no other process marks another state file than
    /// this one as the one it writes through (see
    /// [`say_writing`](SharedFiles::say_writing)), or `bound` has passed: a
    /// writer idle since before the removal looks before its next record.
    /// Returns at once where it cannot be told.
    pub(crate) fn wait_for_writers_of_removed_files(&self, bound: Duration) {
        let Some(writing) = &self.writing else {
            return;
        };
        let deadline = std::time::Instant::now() + bound;
        while presence::others_write_elsewhere(&writing.dir, writing.log_id, writing.at)
            == Some(true)
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Every 100 ms at most (outside the lock): if the lock path names
    /// another lock file than the one held (a process that came along made
    /// it, after this one was deleted), opens it, which the next entry
    /// takes over; if the state path names another state file, the next
    /// entry moves to it (see "Replaced" above); a file deleted and not
    /// replaced is kept (see "Removed"). If the mapping was lost (see
    /// `sigbus`), maps the state at the path afresh. Returns whether
    /// anything was reopened: the live file must be reopened too, with the
    /// new state's generation.
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
        if FileId::at(names.lock())?.is_some_and(|at| at != self.lock.file_id()) {
            self.lock = open_lock(place).map_err(reopening(names.lock()))?;
            reopened = true;
        }
        if lost {
            self.state = open_state(place).map_err(reopening(names.state()))?;
            // Alive under the same token in the new file (see `marked`).
            self.state.mark_holder(self.token);
            self.mark_state();
            self.validated = false;
            reopened = true;
        } else if FileId::at(names.state())?.is_some_and(|at| at != self.state.id()) {
            self.moving = true;
        }
        // Both files: a state file deleted and made anew, or a lock file,
        // must not let two processes each believe they are alone.
        self.alone =
            !names.is_python_lock() && !self.moving && self.state.alone() && self.lock.alone();
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
    /// Whether the writer moved to another state file on the way in.
    moved: bool,
}

impl Inside<'_> {
    /// Whether the writer moved to another state file on the way in: the
    /// live file must be reopened, with that state's generation.
    pub(crate) fn moved(&self) -> bool {
        self.moved
    }

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
        let state = open_state(place).map_err(reopening(place.names.state()))?;
        state.mark_holder(self.shared.token);
        state.reset(place.log_id);
        // Ours again, in the new mapping.
        state
            .holder()
            .store(self.shared.entered_as, Ordering::SeqCst);
        state.set_lock_id(self.shared.lock.id());
        self.shared.state = state;
        self.shared.mark_state();
        self.shared.validated = true;
        Ok(true)
    }
}

impl Drop for Inside<'_> {
    fn drop(&mut self) {
        self.shared.leave_held();
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

/// Opens the lock file at its place, making it if missing: through the
/// library's hidden directory (made too, if missing) when it is there.
fn open_lock(place: Place<'_>) -> io::Result<LockFile> {
    opening(place, place.names.lock(), |at| {
        LockFile::open(at, place.mode)
    })
}

/// Opens the state file at its place, as [`open_lock`].
fn open_state(place: Place<'_>) -> io::Result<StateFile> {
    opening(place, place.names.state(), |at| {
        StateFile::open(at, place.mode)
    })
}

/// Runs `open` on `path`: through a descriptor of the library's hidden
/// directory if that is where it is (see `own_dir`), else by its path (a
/// `lock_dir`, Python's lock beside the log).
fn opening<T>(
    place: Place<'_>,
    path: &Path,
    open: impl FnOnce(&At<'_>) -> io::Result<T>,
) -> io::Result<T> {
    match place.names.in_own_dir(path) {
        Some(name) => open(&own_dir::open(place.names, place.dir_mode)?.at(name)),
        None => open(&At::path(path)),
    }
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
