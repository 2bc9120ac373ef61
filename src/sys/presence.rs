//! Which processes have a log open, without a syscall per record: each
//! open file description of the lock and state files holds a mark on
//! their first byte, which goes when it is closed or its process dies;
//! whether any other description holds one is one syscall. A process that
//! finds no other mark has the log to itself and may enter without the
//! `flock` (see `exclusion`).
//!
//! The same marks say whether one given holder of the lock is still
//! alive, whatever its pid namespace: each open state file description
//! also marks one byte of its own, at the offset of its holder token
//! ([`mark_alive`], [`marked_alive`]). A pid says nothing across pid
//! namespaces (containers sharing a log volume), nor once it is reused;
//! a mark goes exactly when its holder dies or closes the file.
//!
//! Marks need locks that belong to an open file description and never
//! stand in the way of a `flock`: Linux's open file description locks
//! (`imp`, `linux.rs`). Where there are none (`none.rs`: macOS, the BSDs, Windows),
//! no mark is ever set: a process never finds itself alone, so every
//! record takes the `flock`, and whether a holder lives is asked of its
//! pid.

use std::fs::File;
use std::io;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;
#[cfg(not(target_os = "linux"))]
mod none;
#[cfg(not(target_os = "linux"))]
use none as imp;

/// Whether one open file (its open file description) says it is present.
/// One that could not say so may be taken for absent by the others: it
/// then never finds itself alone either.
#[derive(Debug)]
pub(crate) struct Mark {
    present: bool,
}

impl Mark {
    /// Says `file` is present, for as long as it is open.
    pub(crate) fn announce(file: &File) -> Mark {
        Mark {
            present: imp::mark(file, 0).is_ok(),
        }
    }

    /// Whether no other open file description of the file is present
    /// (other processes, or other descriptors of this one, such as its
    /// compressor's): one syscall. Never while `file` is not present itself.
    pub(crate) fn alone(&self, file: &File) -> bool {
        self.present && imp::unmarked(file, 0).unwrap_or(false)
    }

    /// Says `file` is present (again) or no longer is.
    pub(crate) fn set(&mut self, file: &File, present: bool) -> io::Result<()> {
        let said = match present {
            true => imp::mark(file, 0),
            false => imp::unmark(file, 0),
        };
        self.present = present && said.is_ok();
        said
    }
}

/// Bytes of the log's directory each log's writers mark: one per state
/// file a writer may be using, in a range of the log's own.
const WRITING_SPAN: u64 = 1 << 40;

/// The byte of the log's directory that a process writing the log `log_id`
/// through the state file of inode `state_ino` marks (see [`mark_alive`]),
/// for as long as it does: whoever finds the lock and state files removed
/// and makes new ones sees there which writers still use others (see
/// `shared::files`), whatever the live file is by then.
pub(crate) fn writing(log_id: u64, state_ino: u64) -> u64 {
    writing_range(log_id).0 + state_ino % WRITING_SPAN
}

/// The bytes of the log's directory the log `log_id`'s writers mark.
fn writing_range(log_id: u64) -> (u64, u64) {
    (1 + (log_id % (1 << 20)) * WRITING_SPAN, WRITING_SPAN)
}

/// Whether another open file description of the log's directory `dir`
/// marks a byte of log `log_id`'s writers other than `own` (see
/// [`writing`]): a writer through another state file. `None` if it
/// cannot tell. Two syscalls.
pub(crate) fn others_write_elsewhere(dir: &File, log_id: u64, own: u64) -> Option<bool> {
    let (start, len) = writing_range(log_id);
    let before = imp::unmarked_in(dir, start, own.saturating_sub(start)).ok()?;
    let end = start + len;
    let after = imp::unmarked_in(dir, own + 1, end.saturating_sub(own + 1)).ok()?;
    Some(!(before && after))
}

/// Takes back the mark at byte `at` (see [`mark_alive`]).
pub(crate) fn unmark(file: &File, at: u64) {
    let _ = imp::unmark(file, at);
}

/// Marks `file`'s open file description as alive at byte `at` (above 0),
/// for as long as it is open; `false` if it cannot.
pub(crate) fn mark_alive(file: &File, at: u64) -> bool {
    imp::mark(file, at).is_ok()
}

/// Whether another open file description of `file` marks byte `at` (see
/// [`mark_alive`]): one syscall; `true` if it cannot tell.
pub(crate) fn marked_alive(file: &File, at: u64) -> bool {
    imp::unmarked(file, at).map_or(true, |free| !free)
}
