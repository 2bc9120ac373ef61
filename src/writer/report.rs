//! Failures on paths that cannot return an error (a `tracing` event, a
//! handle dropped with a partial line, the background thread): counted, and
//! the first printed on stderr.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::sys::stderr;

/// The failure count of one log in this process.
#[derive(Debug)]
pub(crate) struct ErrorReport {
    path: PathBuf,
    records: AtomicU64,
    printed: AtomicBool,
}

impl ErrorReport {
    pub(crate) fn new(path: PathBuf) -> ErrorReport {
        ErrorReport {
            path,
            records: AtomicU64::new(0),
            printed: AtomicBool::new(false),
        }
    }

    /// Records that could not be written.
    pub(crate) fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }

    /// Counts `records` that could not be written; prints the first failure
    /// (of any kind: a failure to delete an old backup loses no record).
    pub(crate) fn report(&self, err: &io::Error, records: u64) {
        self.records.fetch_add(records, Ordering::Relaxed);
        if !self.printed.swap(true, Ordering::Relaxed) {
            stderr::print(format_args!(
                "cannot write to `{}`: {err} (further errors are counted, not printed)",
                self.path.display()
            ));
        }
    }
}
