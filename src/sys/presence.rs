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
//! (`imp`, `linux.rs`). Where there are none (`unix.rs`), no mark is ever
//! set: a process never finds itself alone, so every record takes the
//! `flock`, and whether a holder lives is asked of its pid.

use std::fs::File;
use std::io;

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as imp;
#[cfg(not(target_os = "linux"))]
mod unix;
#[cfg(not(target_os = "linux"))]
use unix as imp;

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
