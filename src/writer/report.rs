//! Failures on paths that cannot return an error (a `tracing` event, a
//! handle dropped with a partial line, the background thread, the work
//! done after a record is in): counted, and the first of each kind printed
//! on stderr. A failure that lost records and one that lost none (deleting
//! a backup retention let go, following a replaced lock file) are counted
//! apart, and said apart, so that the counters agree with what is printed.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::sys::stderr;

/// The failure counts of one log in this process.
#[derive(Debug)]
pub(crate) struct ErrorReport {
    path: PathBuf,
    records: AtomicU64,
    loss_printed: AtomicBool,
    maintenance: AtomicU64,
    maintenance_printed: AtomicBool,
}

impl ErrorReport {
    pub(crate) fn new(path: PathBuf) -> ErrorReport {
        ErrorReport {
            path,
            records: AtomicU64::new(0),
            loss_printed: AtomicBool::new(false),
            maintenance: AtomicU64::new(0),
            maintenance_printed: AtomicBool::new(false),
        }
    }

    /// Records that could not be written.
    pub(crate) fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }

    /// Failures that lost no record.
    pub(crate) fn maintenance(&self) -> u64 {
        self.maintenance.load(Ordering::Relaxed)
    }

    /// Counts `records` that could not be written and prints the first such
    /// failure; with `records` 0, a failure that lost nothing, counted and
    /// printed as such.
    pub(crate) fn report(&self, err: &io::Error, records: u64) {
        if records == 0 {
            self.maintenance.fetch_add(1, Ordering::Relaxed);
            if !self.maintenance_printed.swap(true, Ordering::Relaxed) {
                stderr::print(format_args!(
                    "`{}`: {err} (no record was lost; further such failures are counted in stats().maintenance_failures, not printed)",
                    self.path.display()
                ));
            }
            return;
        }
        self.records.fetch_add(records, Ordering::Relaxed);
        if !self.loss_printed.swap(true, Ordering::Relaxed) {
            stderr::print(format_args!(
                "cannot write to `{}`: {err} ({records} record(s) lost; further losses are counted in write_errors(), not printed)",
                self.path.display()
            ));
        }
    }
}
