//! State shared by every process writing one log, in a small mapped file.
//!
//! Checking the log path before each record (a `stat`) would halve the write
//! rate. Instead the processes keep a few counters in a memory-mapped file
//! next to the lock file (`.__app.lock.state`), read and written only while
//! the lock is held:
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
//!   stops between pages on SIGKILL), and the next writer cuts it off before
//!   appending, so no record is torn (guarantee: crash-safe);
//! - `period_*` is the period of the live file's records, with time-based
//!   rotation: the first writer to find the clock past its end rotates,
//!   whether or not anyone wrote across the boundary;
//! - `rotations` counts rotations, for statistics.
//!
//! The lock file itself stays empty, as Python's handler expects. The state
//! file is created once and never truncated (a mapped file that shrinks
//! would fault its readers).

use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::MmapMut;

use crate::sys::open::{self, Access, FileMode};
use crate::time::period::Span;

const MAGIC: u64 = u64::from_le_bytes(*b"crfstat1");
const LEN: u64 = 4096;

#[repr(usize)]
#[derive(Clone, Copy)]
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
}

/// The mapped state file.
#[derive(Debug)]
pub(crate) struct StateFile {
    map: MmapMut,
    _file: File,
}

// === impl StateFile ===

impl StateFile {
    pub(crate) fn open(path: &Path, mode: FileMode) -> io::Result<StateFile> {
        let (file, meta) = open::open_or_create(path, Access::ReadWrite, mode)?;
        if meta.len() < LEN {
            // Growing only ever appends zeros, so racing openers agree.
            file.set_len(LEN)?;
        }
        // SAFETY: the mapping is of a regular file we own, at least LEN bytes
        // long, that this library never shrinks. Other processes change it
        // concurrently, which is why every access goes through atomics (see
        // `slot`). std has no memory mapping, hence memmap2.
        let map = unsafe { MmapMut::map_mut(&file)? };
        Ok(StateFile { map, _file: file })
    }

    fn slot(&self, slot: Slot) -> &AtomicU64 {
        let index = slot as usize;
        assert!((index + 1) * 8 <= self.map.len());
        // SAFETY: the map is page-aligned and at least LEN bytes, so the slot
        // is in bounds and 8-byte aligned; AtomicU64 has the layout of u64 and
        // makes concurrent access from other processes well-defined.
        unsafe { &*self.map.as_ptr().cast::<AtomicU64>().add(index) }
    }

    /// Called with the lock held: initialises a new (all-zero) or foreign
    /// state file.
    pub(crate) fn validate(&self) {
        if self.slot(Slot::Magic).load(Ordering::Relaxed) != MAGIC {
            for slot in [
                Slot::Generation,
                Slot::Size,
                Slot::Rotations,
                Slot::ForeignSeen,
                Slot::PeriodTag,
            ] {
                self.slot(slot).store(0, Ordering::Relaxed);
            }
            self.slot(Slot::Magic).store(MAGIC, Ordering::Relaxed);
        }
    }

    // The lock orders every access across processes (flock is a full
    // barrier), so Relaxed suffices throughout.

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

    pub(crate) fn count_rotation(&self) {
        self.slot(Slot::Rotations).fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_mappings_of_one_file_see_each_others_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".__app.lock.state");
        let a = StateFile::open(&path, FileMode::DEFAULT).unwrap();
        let b = StateFile::open(&path, FileMode::DEFAULT).unwrap();
        a.validate();
        b.validate();
        a.set_size(42);
        assert_eq!(a.bump_generation(), 1);
        assert_eq!((b.size(), b.generation()), (42, 1));
    }
}
