//! Surviving a state file that someone else shrinks.
//!
//! The shared state lives in a mapped file. If another party truncates it
//! (`: > file`, a careless cleanup) while a process has it mapped, the
//! next access past the new end raises SIGBUS, which kills the process.
//! Checking the size before each access would cost a syscall per record
//! and still race with the truncation. Instead, the first mapping installs
//! a SIGBUS handler that knows the ranges this library mapped: a fault
//! inside one of them is repaired by mapping a private zero page over the
//! faulting page, so the access completes (reading zeros), and a counter
//! tells the writer, at the end of its record, that its state was lost and
//! must be reopened and validated afresh (the zeros fail validation, so it
//! starts over: every process then reopens its files by path). A fault
//! anywhere else is handed to the handler that was there before (std's
//! stack-overflow handler, or the default action), exactly as if this one
//! did not exist.
//!
//! A program that installs its own SIGBUS handler afterwards replaces this
//! one; a truncated state file then kills it, as any truncated mapping
//! does.
//!
//! Windows refuses to shrink a file while a view of it is mapped
//! (`ERROR_USER_MAPPED_FILE`): no such fault can come, and nothing is
//! installed there.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

#[cfg(unix)]
mod unix;
#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
use windows as imp;

/// How many mapped ranges can be guarded at once (one per open log).
const SLOTS: usize = 4096;

static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static LENS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
/// Faults repaired since the process started.
static REPAIRED: AtomicU64 = AtomicU64::new(0);

/// Faults repaired so far in this process: when it changes, a mapping's
/// contents were lost.
pub(crate) fn repairs() -> u64 {
    REPAIRED.load(Ordering::SeqCst)
}

/// A mapped range the handler repairs; unregistered on drop, which must
/// come before the range is unmapped.
#[derive(Debug)]
pub(crate) struct Guarded {
    slot: Option<usize>,
}

/// Guards `len` bytes at `start` (a mapping this library made). Without a
/// free slot (or a handler) the range is simply not guarded.
pub(crate) fn guard(start: *const u8, len: usize) -> Guarded {
    if !imp::install() {
        return Guarded { slot: None };
    }
    let start = start as usize;
    for (slot, entry) in STARTS.iter().enumerate() {
        if entry
            .compare_exchange(0, usize::MAX, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            LENS[slot].store(len, Ordering::Release);
            entry.store(start, Ordering::Release);
            return Guarded { slot: Some(slot) };
        }
    }
    Guarded { slot: None }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            LENS[slot].store(0, Ordering::Release);
            STARTS[slot].store(0, Ordering::Release);
        }
    }
}

/// Whether `addr` lies in a guarded range.
// Asked by the fault handler, which Windows needs none of.
#[cfg_attr(windows, allow(dead_code))]
fn is_guarded(addr: usize) -> bool {
    STARTS.iter().zip(&LENS).any(|(start, len)| {
        let start = start.load(Ordering::Acquire);
        start != 0
            && start != usize::MAX
            && addr >= start
            && addr - start < len.load(Ordering::Acquire)
    })
}
