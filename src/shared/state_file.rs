//! State shared by every process writing one log, in a small mapped file.
//!
//! Checking the log path before each record (a `stat`) would halve the write
//! rate. Instead the processes keep a few counters in a memory-mapped file
//! (see `names` for where), read and written while the lock is held:
//!
//! - `generation` grows whenever the file the log path names changes
//!   (a rotation, a recreation); a writer whose open file is from an older
//!   generation reopens the path before writing (guarantee: rotated once);
//! - `size` is the live file's size once the record being written is in;
//!   published before the `write`, so a writer killed in between makes the
//!   file rotate a little early, never grow past the limit;
//! - `foreign_seen` is when (Unix seconds) a writer last found the live file
//!   larger than `size`: a writer outside this library appends (Python's
//!   handler), so every writer should check the path before each record;
//! - `write_start`/`write_end` mark the write in flight: a writer killed
//!   during a large `write(2)` may leave part of it in the file (the kernel
//!   stops between pages on SIGKILL), and the next writer ends that part
//!   with a newline before appending (guarantees: never torn, crash-safe);
//! - `period_*` is the period of the live file's records, with time-based
//!   rotation: the first writer to find the clock past its end rotates,
//!   whether or not anyone wrote across the boundary;
//! - `lock_*` and `holder` keep exclusion whatever happens to the lock file
//!   (see `exclusion`);
//! - `log_id` says which log the file is of; `rotations` counts rotations;
//! - `current` is the number of the live file of a restart-proof log
//!   (`app.000123.log`; 0: not known yet, the directory tells);
//! - `retired` says that the writers moved to another state file, made at
//!   the path after this one was removed (see `files`).
//!
//! A file of another version, of another log, or with implausible values is
//! reset whole before use, never trusted. Its blocks are allocated before it
//! is mapped, so a full disk is an error at `open()`, not a fault at the
//! first store; a file someone else shrinks is survived (see `sigbus`).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::MmapMut;

use crate::sys::dir::At;
use crate::sys::fs::{FileId, read_exact_at};
use crate::sys::open::{self, Access, FileMode};
use crate::sys::{allocate, presence, sigbus};
use crate::time::period::Span;

const MAGIC: u64 = u64::from_le_bytes(*b"crfstat2");
/// The magic of the first format, whose counters are carried over once.
const MAGIC_V1: u64 = u64::from_le_bytes(*b"crfstat1");
const LEN: u64 = 4096;

#[repr(usize)]
#[derive(Clone, Copy, Debug)]
enum Slot {
    Magic = 0,
    Generation,
    Size,
    Rotations,
    ForeignSeen,
    /// 1 + where the write in flight starts; 0 when none is.
    WriteStart,
    /// Where the write in flight ends.
    WriteEnd,
    /// The schedule (`Schedule::tag`) the period below is of; 0: none yet.
    PeriodTag,
    /// The period of the live file's records, Unix seconds (as `u64` bits).
    PeriodStart,
    PeriodEnd,
    /// The identity of the lock file the writers use (0: none yet).
    LockDev,
    LockIno,
    /// The process inside the critical section (0: none).
    Holder,
    /// Set by a writer that found a holder entered without the `flock`:
    /// whoever was alone goes the `flock` way from its next record.
    Contended,
    /// Work begun that leaves something to finish or repair if its process
    /// dies: rotations under way, backups moved aside and not yet deleted,
    /// backups queued for compression. 0: opening need not look.
    Unfinished,
    /// Which log this state is of.
    LogId,
    /// The number of a restart-proof log's live file (0: not known).
    Current,
    /// Set by a writer that found another state file at the path and moved
    /// to it: whoever enters this one after follows (see `files`).
    Retired,
}

/// Slots reset when a state is started afresh: all of them. Slots added
/// after `LogId` take the format's reserved space: a file of format 2
/// holds zeros there, which every new slot reads as "not known".
const SLOTS: usize = Slot::Retired as usize + 1;

/// The mapped state file.
#[derive(Debug)]
pub(crate) struct StateFile {
    /// Unregistered before `map` is unmapped (fields drop in order).
    _guarded: sigbus::Guarded,
    map: MmapMut,
    file: File,
    id: FileId,
    /// SIGBUS repairs seen when mapped: more since means this mapping may
    /// have lost its contents.
    repairs: u64,
    /// Whether this descriptor says it is present (see `presence`).
    present: presence::Mark,
}

/// What [`StateFile::validate`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validated {
    /// A state of this format and log, in use.
    Valid,
    /// Nothing usable: started afresh.
    Reset,
    /// The first format's: started afresh, these counters to carry over.
    FirstFormat(Carried),
}

/// The counters an earlier format kept, carried over to a new state file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Carried {
    generation: u64,
    rotations: u64,
    period: [u64; 3],
}

// === impl StateFile ===

impl StateFile {
    /// Opens (creating if needed) and maps the state file at `at`.
    pub(crate) fn open(at: &At<'_>, mode: FileMode) -> io::Result<StateFile> {
        let (file, meta) = open::open_or_create(at, Access::ReadWrite, mode)?;
        // Allocated by whoever made it, unless someone shrank it since.
        if !allocate::is_allocated(&meta, LEN) {
            allocate::allocate(&file, LEN)?;
        }
        let repairs = sigbus::repairs();
        // SAFETY: the mapping is of a regular file at least LEN bytes long
        // whose blocks are allocated. Other processes change it
        // concurrently, which is why every access goes through atomics (see
        // `slot`); one that shrinks it makes accesses fault, which `sigbus`
        // repairs. std has no memory mapping, hence memmap2.
        let map = unsafe {
            memmap2::MmapOptions::new()
                .len(LEN as usize)
                .map_mut(&file)?
        };
        // Present for as long as this file is open (see `presence`). If it
        // cannot say so, others may take it for absent: then it never
        // finds itself alone either (see `alone`).
        let present = presence::Mark::announce(&file);
        Ok(StateFile {
            _guarded: sigbus::guard(map.as_ptr(), map.len()),
            map,
            id: FileId::of(&file, &meta)?,
            file,
            repairs,
            present,
        })
    }

    /// Which file this is.
    pub(crate) fn id(&self) -> FileId {
        self.id
    }

    /// Whether no other process (nor another descriptor of this one, such
    /// as its compressor's) has this state file open: one syscall.
    /// Never while this descriptor is not present itself.
    pub(crate) fn alone(&self) -> bool {
        self.present.alone(&self.file)
    }

    /// Marks this descriptor alive under `token` for as long as it is open
    /// (see `presence`); `false` if it cannot.
    pub(crate) fn mark_holder(&self, token: u64) -> bool {
        presence::mark_alive(&self.file, token)
    }

    /// Whether another descriptor of this file is marked alive under
    /// `token`: the holder of that token has not died (nor closed the
    /// file), whatever its pid namespace. One syscall.
    pub(crate) fn holder_marked(&self, token: u64) -> bool {
        presence::marked_alive(&self.file, token)
    }

    /// Says this descriptor is present (again) or no longer is.
    pub(crate) fn be_present(&mut self, present: bool) -> io::Result<()> {
        self.present.set(&self.file, present)
    }

    /// Whether this mapping may have lost its contents (someone shrank the
    /// file under it): then it must be reopened and validated afresh.
    pub(crate) fn is_lost(&self) -> bool {
        sigbus::repairs() != self.repairs
    }

    fn slot(&self, slot: Slot) -> &AtomicU64 {
        let index = slot as usize;
        assert!((index + 1) * 8 <= self.map.len());
        // SAFETY: the map is page-aligned and at least LEN bytes, so the slot
        // is in bounds and 8-byte aligned; AtomicU64 has the layout of u64 and
        // makes concurrent access from other processes well-defined.
        unsafe { &*self.map.as_ptr().cast::<AtomicU64>().add(index) }
    }

    /// Called with the lock held: starts afresh a state that is new (all
    /// zeros), of another format or another log, or implausible.
    pub(crate) fn validate(&self, log_id: u64) -> Validated {
        let load = |slot| self.slot(slot).load(Ordering::Relaxed);
        let magic = load(Slot::Magic);
        let (start, end) = (load(Slot::WriteStart), load(Slot::WriteEnd));
        let plausible = start == 0 || start - 1 <= end;
        if magic == MAGIC && load(Slot::LogId) == log_id && plausible {
            return Validated::Valid;
        }
        let carried = (magic == MAGIC_V1).then(|| Carried {
            // The first format's slots 1, 3, 7-9: generation, rotations,
            // period.
            generation: load(Slot::Generation),
            rotations: load(Slot::Rotations),
            period: [
                load(Slot::PeriodTag),
                load(Slot::PeriodStart),
                load(Slot::PeriodEnd),
            ],
        });
        for index in 0..SLOTS {
            self.slot_at(index).store(0, Ordering::Relaxed);
        }
        // A generation no writer can hold yet: one that remembers a number
        // from before the reset must not match it after a rotation or two,
        // or it would append to a renamed file.
        self.slot(Slot::Generation)
            .store(fresh_generation(), Ordering::Relaxed);
        self.slot(Slot::LogId).store(log_id, Ordering::Relaxed);
        // What was under way before is unknown: the next opening looks.
        self.slot(Slot::Unfinished).store(1, Ordering::Relaxed);
        self.slot(Slot::Magic).store(MAGIC, Ordering::Release);
        carried.map_or(Validated::Reset, Validated::FirstFormat)
    }

    /// Carries an earlier state's counters over (just after `validate`
    /// started afresh). The generation moves past the old one, so a writer
    /// that kept the old number reopens.
    pub(crate) fn carry(&self, carried: Carried) {
        self.slot(Slot::Generation)
            .store(carried.generation + 1, Ordering::Relaxed);
        self.slot(Slot::Rotations)
            .store(carried.rotations, Ordering::Relaxed);
        let [tag, start, end] = carried.period;
        self.slot(Slot::PeriodStart).store(start, Ordering::Relaxed);
        self.slot(Slot::PeriodEnd).store(end, Ordering::Relaxed);
        self.slot(Slot::PeriodTag).store(tag, Ordering::Relaxed);
    }

    /// Whether the state is of this format (its magic in place): with the
    /// lock held, `false` means the file was emptied (truncated) since it
    /// was validated, so values read from it may be zeros, not the truth.
    pub(crate) fn is_valid(&self) -> bool {
        self.slot(Slot::Magic).load(Ordering::Relaxed) == MAGIC
    }

    /// Starts the state afresh whatever it holds (with the lock held): for
    /// a writer whose updates of it were lost, so that every writer takes
    /// the live file's size from the file again.
    pub(crate) fn reset(&self, log_id: u64) {
        self.slot(Slot::Magic).store(0, Ordering::Relaxed);
        self.validate(log_id);
    }

    fn slot_at(&self, index: usize) -> &AtomicU64 {
        assert!((index + 1) * 8 <= self.map.len());
        // SAFETY: as in `slot`.
        unsafe { &*self.map.as_ptr().cast::<AtomicU64>().add(index) }
    }

    // The lock orders every access across processes (flock is a full
    // barrier), so Relaxed suffices for the counters; the exclusion slots
    // (`lock_*`, `holder`) are read before the lock is known to be ours and
    // use SeqCst.

    /// How much work under way may leave something to repair (see
    /// [`Slot::Unfinished`]); 0 when the log needs no repair.
    pub(crate) fn unfinished(&self) -> u64 {
        self.slot(Slot::Unfinished).load(Ordering::Relaxed)
    }

    /// Counts `n` pieces of such work begun.
    pub(crate) fn begin_work(&self, n: u64) {
        if n > 0 {
            self.slot(Slot::Unfinished).fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Counts one piece finished (outside the lock too: never below 0).
    pub(crate) fn end_work(&self) {
        let _ =
            self.slot(Slot::Unfinished)
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
    }

    /// Sets the count, once whoever opens the log has repaired everything
    /// while no other process had it open.
    pub(crate) fn set_unfinished(&self, n: u64) {
        self.slot(Slot::Unfinished).store(n, Ordering::Relaxed);
    }

    pub(crate) fn generation(&self) -> u64 {
        self.slot(Slot::Generation).load(Ordering::Relaxed)
    }

    pub(crate) fn bump_generation(&self) -> u64 {
        self.slot(Slot::Generation).fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(crate) fn size(&self) -> u64 {
        self.slot(Slot::Size).load(Ordering::Relaxed)
    }

    pub(crate) fn set_size(&self, size: u64) {
        self.slot(Slot::Size).store(size, Ordering::Relaxed);
    }

    pub(crate) fn rotations(&self) -> u64 {
        self.slot(Slot::Rotations).load(Ordering::Relaxed)
    }

    pub(crate) fn count_rotation(&self) {
        self.slot(Slot::Rotations).fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn foreign_seen(&self) -> u64 {
        self.slot(Slot::ForeignSeen).load(Ordering::Relaxed)
    }

    pub(crate) fn set_foreign_seen(&self, unix_secs: u64) {
        self.slot(Slot::ForeignSeen)
            .store(unix_secs, Ordering::Relaxed);
    }

    /// Marks a write of `start..end` as in flight.
    pub(crate) fn begin_write(&self, start: u64, end: u64) {
        self.slot(Slot::WriteEnd).store(end, Ordering::Relaxed);
        self.slot(Slot::WriteStart)
            .store(start + 1, Ordering::Relaxed);
    }

    pub(crate) fn end_write(&self) {
        self.slot(Slot::WriteStart).store(0, Ordering::Relaxed);
    }

    /// The write a writer began and did not see finish, if any.
    pub(crate) fn unfinished_write(&self) -> Option<(u64, u64)> {
        match self.slot(Slot::WriteStart).load(Ordering::Relaxed) {
            0 => None,
            start => Some((start - 1, self.slot(Slot::WriteEnd).load(Ordering::Relaxed))),
        }
    }

    /// The period of the live file's records, if one of schedule `tag` is
    /// recorded.
    pub(crate) fn period(&self, tag: u64) -> Option<Span> {
        (self.slot(Slot::PeriodTag).load(Ordering::Relaxed) == tag).then(|| Span {
            start: self.slot(Slot::PeriodStart).load(Ordering::Relaxed) as i64,
            end: self.slot(Slot::PeriodEnd).load(Ordering::Relaxed) as i64,
        })
    }

    pub(crate) fn set_period(&self, tag: u64, span: Span) {
        self.slot(Slot::PeriodStart)
            .store(span.start as u64, Ordering::Relaxed);
        self.slot(Slot::PeriodEnd)
            .store(span.end as u64, Ordering::Relaxed);
        self.slot(Slot::PeriodTag).store(tag, Ordering::Relaxed);
    }

    /// The number of a restart-proof log's live file; 0 if not known (a
    /// state started afresh, or a log that is not restart-proof).
    pub(crate) fn current(&self) -> u64 {
        self.slot(Slot::Current).load(Ordering::Relaxed)
    }

    pub(crate) fn set_current(&self, number: u64) {
        self.slot(Slot::Current).store(number, Ordering::Relaxed);
    }

    /// The lock file the writers use, as `(dev, ino)`; `(0, 0)` for none.
    pub(crate) fn lock_id(&self) -> (u64, u64) {
        (
            self.slot(Slot::LockDev).load(Ordering::SeqCst),
            self.slot(Slot::LockIno).load(Ordering::SeqCst),
        )
    }

    pub(crate) fn set_lock_id(&self, (dev, ino): (u64, u64)) {
        self.slot(Slot::LockDev).store(dev, Ordering::SeqCst);
        self.slot(Slot::LockIno).store(ino, Ordering::SeqCst);
    }

    /// Whether the writers moved to another state file: whoever enters
    /// this one must follow (see `files`).
    pub(crate) fn retired(&self) -> bool {
        self.slot(Slot::Retired).load(Ordering::SeqCst) != 0
    }

    /// Says that the writers move to another state file. Called inside.
    pub(crate) fn retire(&self) {
        self.slot(Slot::Retired).store(1, Ordering::SeqCst);
    }

    /// The process in the critical section (0: none).
    pub(crate) fn holder(&self) -> &AtomicU64 {
        self.slot(Slot::Holder)
    }

    /// Whether a writer waits behind one that entered alone (see
    /// `exclusion`).
    pub(crate) fn contended(&self) -> &AtomicU64 {
        self.slot(Slot::Contended)
    }
}

/// A starting generation unlike any a writer remembers: the time in
/// nanoseconds, in the upper half of the range that counters from 1 climb
/// through.
fn fresh_generation() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    nanos | (1 << 62)
}

/// The pid of the holder whose token is `token` (see
/// `exclusion::holder_token`): its low 32 bits.
pub(crate) fn pid_of(token: u64) -> u32 {
    token as u32
}

/// The process inside the critical section, as the state file at `path`
/// says (read, not mapped: for a thread that has no mapping of its own);
/// `None` if none is, or the file is not a state of this format.
pub(crate) fn holder_pid_at(path: &Path) -> Option<u32> {
    let file = open::open_for_reading(&At::path(path)).ok()?;
    let word = |slot: Slot| {
        let mut bytes = [0; 8];
        read_exact_at(&file, &mut bytes, slot as u64 * 8).ok()?;
        Some(u64::from_ne_bytes(bytes))
    };
    if word(Slot::Magic)? != MAGIC {
        return None;
    }
    Some(pid_of(word(Slot::Holder)?)).filter(|&pid| pid != 0)
}

/// Reads the counters of a state file of the first format, if `path` is
/// one (read, never mapped).
pub(crate) fn read_legacy(path: &Path) -> io::Result<Option<Carried>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let word = |i: usize| -> Option<u64> {
        Some(u64::from_ne_bytes(
            bytes.get(i * 8..i * 8 + 8)?.try_into().ok()?,
        ))
    };
    if word(0) != Some(MAGIC_V1) {
        return Ok(None);
    }
    Ok(Some(Carried {
        generation: word(1).unwrap_or(0),
        rotations: word(3).unwrap_or(0),
        period: [
            word(7).unwrap_or(0),
            word(8).unwrap_or(0),
            word(9).unwrap_or(0),
        ],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_mappings_of_one_file_see_each_others_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.state");
        let a = StateFile::open(&At::path(&path), FileMode::DEFAULT).unwrap();
        let b = StateFile::open(&At::path(&path), FileMode::DEFAULT).unwrap();
        assert_eq!(a.validate(7), Validated::Reset);
        // Already valid for the same log: nothing reset.
        a.set_size(41);
        assert_eq!(b.validate(7), Validated::Valid);
        assert_eq!(b.size(), 41);
        a.set_size(42);
        let generation = a.bump_generation();
        assert_eq!((b.size(), b.generation()), (42, generation));
    }

    #[test]
    fn a_state_of_another_format_log_or_shape_is_reset_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log.state");
        let state = StateFile::open(&At::path(&path), FileMode::DEFAULT).unwrap();
        state.validate(7);
        state.begin_write(10, 500);
        state.set_size(500);
        state.set_current(12);
        // Another log's.
        assert_eq!(state.validate(8), Validated::Reset);
        assert_eq!((state.unfinished_write(), state.size()), (None, 0));
        assert_eq!(state.current(), 0, "a state started afresh knows no file");
        // Implausible: a write that ends before it starts.
        state.begin_write(500, 10);
        state.validate(8);
        assert_eq!(state.unfinished_write(), None);
        // The first format: its counters carried over.
        state.slot(Slot::Magic).store(MAGIC_V1, Ordering::Relaxed);
        state.slot(Slot::Generation).store(41, Ordering::Relaxed);
        state.begin_write(0, 1 << 40);
        let Validated::FirstFormat(carried) = state.validate(8) else {
            panic!("the first format's counters are carried over")
        };
        state.carry(carried);
        assert_eq!((state.generation(), state.unfinished_write()), (42, None));
    }
}
