//! [`WorkerGuard`]: what stops the background thread, once it has written
//! everything queued; and [`Stopper`], how any background writer's guard
//! (a router's too) does it.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::non_blocking::destination::Destination;
use crate::non_blocking::queue::Queue;
use crate::sys::stderr;
use crate::writer::handle::RotatingFile;

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
    stopper: Stopper<RotatingFile>,
}

impl WorkerGuard {
    pub(crate) fn new(stopper: Stopper<RotatingFile>) -> WorkerGuard {
        WorkerGuard { stopper }
    }
}

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        self.stopper.stop();
    }
}

impl std::fmt::Debug for WorkerGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerGuard")
            .field("path", &self.stopper.queue.destination.path())
            .field("running", &self.stopper.running())
            .finish()
    }
}

/// A background writer's thread, and how long stopping it may take.
pub(crate) struct Stopper<D: Destination> {
    pub(crate) queue: Arc<Queue<D>>,
    thread: Option<JoinHandle<()>>,
    shutdown_timeout: Option<Duration>,
}

impl<D: Destination> Stopper<D> {
    pub(crate) fn new(
        queue: Arc<Queue<D>>,
        thread: JoinHandle<()>,
        shutdown_timeout: Option<Duration>,
    ) -> Stopper<D> {
        Stopper {
            queue,
            thread: Some(thread),
            shutdown_timeout,
        }
    }

    /// Whether the thread is still running.
    pub(crate) fn running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Asks the thread to write everything queued and stop, and waits for
    /// it: for ever, or until the shutdown timeout, past which what is
    /// still queued may be lost (said on stderr). Once it has stopped, the
    /// handles write synchronously.
    pub(crate) fn stop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        if self.queue.forked() {
            // A child after fork(): the thread is the parent's, not ours to
            // stop or join; the child's records went straight to the file.
            std::mem::forget(thread);
            return;
        }
        self.queue.stop();
        let deadline = self
            .shutdown_timeout
            .map(|timeout| Instant::now() + timeout);
        if let Some(deadline) = deadline {
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !thread.is_finished() {
                let queued = self.queue.queued().map_or("the".into(), |n| n.to_string());
                stderr::print(format_args!(
                    "the background writer of {} did not finish within the shutdown timeout; {queued} queued records may be lost",
                    self.queue.destination.describe(),
                ));
                return;
            }
        }
        // The thread catches its own panics (and reports them).
        let _ = thread.join();
        // The last batches' rotations queued compressions: the program
        // leaves every backup gzipped.
        self.queue.destination.wait_for_compressions(deadline);
    }
}
