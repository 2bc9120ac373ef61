//! [`WorkerGuard`]: what stops the background thread, once it has written
//! everything queued.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
        let sent = match deadline {
            None => self.queue.sender.send(Message::Shutdown).is_ok(),
            Some(deadline) => self
                .queue
                .sender
                .send_deadline(Message::Shutdown, deadline)
                .is_ok(),
        };
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
        if thread.join().is_err() {
            stderr::print(format_args!("the background writer thread panicked"));
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
