//! [`WorkerGuard`]: what stops the background thread, once it has written
//! everything queued.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::SendTimeoutError;

use crate::non_blocking::handle::Queue;
use crate::non_blocking::message::Message;
use crate::sys::{fork, stderr};

/// Stops the background thread when dropped, after it has written
/// everything queued. Hold it in `main` for as long as the program logs:
///
/// ```
/// # use concurrent_rotating_file::RotatingFile;
/// # let dir = tempfile::tempdir()?;
/// # let log = RotatingFile::builder(dir.path().join("app.log")).open()?;
/// let (writer, _guard) = log.non_blocking(); // `_guard`, not `_`: `_` drops at once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the guard stops the background thread"]
pub struct WorkerGuard {
    queue: Arc<Queue>,
    thread: Option<JoinHandle<()>>,
    shutdown_timeout: Option<Duration>,
}

impl WorkerGuard {
    pub(crate) fn new(
        queue: Arc<Queue>,
        thread: JoinHandle<()>,
        shutdown_timeout: Option<Duration>,
    ) -> WorkerGuard {
        WorkerGuard {
            queue,
            thread: Some(thread),
            shutdown_timeout,
        }
    }
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        if self.queue.fork_generation != fork::generation() {
            // A child after fork(): the thread is the parent's, not ours to
            // stop or join; the child's records went straight to the file.
            std::mem::forget(self.thread.take());
            return;
        }
        let deadline = self.shutdown_timeout.map(|t| Instant::now() + t);
        let sent = self.send_shutdown(deadline);
        let Some(thread) = self.thread.take() else {
            return;
        };
        if let Some(deadline) = deadline {
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !sent || !thread.is_finished() {
                stderr::print(format_args!(
                    "the background writer of `{}` did not finish within the shutdown timeout; {} queued records may be lost",
                    self.queue.file.path().display(),
                    self.queue.sender.len()
                ));
                return;
            }
        }
        // The thread catches its own panics (and reports them).
        let _ = thread.join();
        self.wait_for_compressions(deadline);
    }
}

impl WorkerGuard {
    /// Waits for the compressions the last batches' rotations queued, so
    /// that a program leaves every backup gzipped (within the log's
    /// `compression_wait`, and the shutdown timeout if set).
    fn wait_for_compressions(&self, deadline: Option<Instant>) {
        let log = self.queue.file.open_log();
        let wait = log.config.compression_wait;
        let bound = Instant::now() + wait;
        let deadline = deadline.map_or(bound, |deadline| deadline.min(bound));
        let left = log.wait_for_compressions(deadline);
        if left > 0 {
            stderr::print(format_args!(
                "{left} compression(s) of `{}`'s backups unfinished when the background writer stopped; they go on in the background, and the next process to open the log finishes what this one does not",
                self.queue.file.path().display(),
            ));
        }
    }
}

impl WorkerGuard {
    /// Asks the thread to stop once it has written what is queued: sends
    /// `Shutdown`, waiting for room until `deadline`, unless the thread
    /// stopped by itself (it died: nothing would take the message).
    fn send_shutdown(&self, deadline: Option<Instant>) -> bool {
        let mut message = Message::Shutdown;
        loop {
            if self.queue.ending.stopped.load(Ordering::SeqCst) {
                return true;
            }
            let mut wait = Duration::from_millis(100);
            if let Some(deadline) = deadline {
                wait = wait.min(deadline.saturating_duration_since(Instant::now()));
            }
            match self.queue.sender.send_timeout(message, wait) {
                Ok(()) => return true,
                Err(SendTimeoutError::Timeout(back))
                    if deadline.is_none_or(|deadline| Instant::now() < deadline) =>
                {
                    message = back;
                }
                Err(_) => return false,
            }
        }
    }
}

impl std::fmt::Debug for WorkerGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerGuard")
            .field("path", &self.queue.file.path())
            .field(
                "running",
                &self.thread.as_ref().is_some_and(|t| !t.is_finished()),
            )
            .finish()
    }
}
