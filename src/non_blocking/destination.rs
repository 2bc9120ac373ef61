//! [`Destination`]: where a background writer's records go, one file or
//! one file per name. The queue, its thread and its guard are the same for
//! both; only this differs.

use std::hash::Hash;
use std::io;
use std::time::Instant;

use crate::non_blocking::batch::Batch;
use crate::sys::stderr;
use crate::writer::append::AppendError;
use crate::writer::handle::RotatingFile;
use crate::writer::records::Records;

/// Where the background thread writes what it took from the queue.
pub(crate) trait Destination: Send + Sync + 'static {
    /// What records are sorted by before they are written: `()` for one
    /// file, the name of its file for a router.
    type Key: Copy + Eq + Hash + Send + 'static;

    /// The background thread's name.
    const THREAD_NAME: &'static str;

    /// Appends `batch`, every record queued for `key`, with one lock and
    /// one `write(2)` per file; what fails is counted and reported.
    fn write(&self, key: &Self::Key, batch: &Batch);

    /// Appends records from the caller's thread: once the background
    /// thread has stopped, and in a child after `fork()`, where it does not
    /// exist.
    fn write_directly(
        &self,
        key: &Self::Key,
        bytes: &[u8],
        records: Records<'_>,
    ) -> Result<(), AppendError>;

    /// Counts `records` lost to `error` (the thread died with them queued),
    /// and reports the first loss.
    fn lost(&self, error: &io::Error, records: u64);

    /// What is written to, for messages.
    fn describe(&self) -> String;

    /// Waits for the compressions this process queued, within each log's
    /// `compression_wait` and `deadline`, and says on stderr what is left
    /// unfinished: for the guard, once the thread has stopped.
    fn wait_for_compressions(&self, deadline: Option<Instant>);
}

// === impl RotatingFile ===

impl Destination for RotatingFile {
    type Key = ();

    const THREAD_NAME: &'static str = "concurrent-rotating-file";

    fn write(&self, _: &(), batch: &Batch) {
        batch.write(self.open_log());
    }

    fn write_directly(
        &self,
        _: &(),
        bytes: &[u8],
        records: Records<'_>,
    ) -> Result<(), AppendError> {
        self.open_log().append(bytes, records)
    }

    fn lost(&self, error: &io::Error, records: u64) {
        self.open_log().errors.report(error, records);
    }

    fn describe(&self) -> String {
        format!("`{}`", self.path().display())
    }

    fn wait_for_compressions(&self, deadline: Option<Instant>) {
        let log = self.open_log();
        let bound = Instant::now() + log.config.compression_wait;
        let deadline = deadline.map_or(bound, |deadline| deadline.min(bound));
        let left = log.wait_for_compressions(deadline);
        if left > 0 {
            stderr::print(format_args!(
                "{left} compression(s) of `{}`'s backups unfinished when the background writer stopped; they go on in the background, and the next process to open the log finishes what this one does not",
                self.path().display(),
            ));
        }
    }
}
