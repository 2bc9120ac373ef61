//! [`RouterGuard`]: what stops the router's background thread, once it has
//! written everything queued.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::router::queue::{Routed, RouterQueue};
use crate::sys::fork;

/// Stops a [`NonBlockingRouter`](crate::NonBlockingRouter)'s thread when
/// dropped, after it has written everything queued to its files. Hold it in
/// `main` for as long as the program logs, as tracing-appender's
/// `WorkerGuard`:
///
/// ```
/// # use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
/// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
/// let (writer, _guard) = router.non_blocking(); // `_guard`, not `_`: `_` drops at once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Handles still alive afterwards write synchronously.
#[must_use = "dropping the guard stops the background thread"]
pub struct RouterGuard {
    queue: Arc<RouterQueue>,
    thread: Option<JoinHandle<()>>,
    shutdown_timeout: Option<Duration>,
}

impl RouterGuard {
    pub(crate) fn new(
        queue: Arc<RouterQueue>,
        thread: JoinHandle<()>,
        shutdown_timeout: Option<Duration>,
    ) -> RouterGuard {
        RouterGuard {
            queue,
            thread: Some(thread),
            shutdown_timeout,
        }
    }
}

impl Drop for RouterGuard {
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        if self.queue.fork_generation != fork::generation() {
            // A child after fork(): the thread is the parent's, not ours to
            // stop or join; the child's events went straight to the files.
            std::mem::forget(thread);
            return;
        }
        let sender = &self.queue.sender;
        let Some(deadline) = self.shutdown_timeout.map(|t| Instant::now() + t) else {
            let _ = sender.send(Routed::Shutdown);
            if thread.join().is_err() {
                eprintln!("concurrent-rotating-file: the router's background thread panicked");
            }
            // The last batches' rotations queued compressions: the program
            // leaves every backup gzipped.
            self.queue.router.wait_for_compressions(None);
            return;
        };
        let sent = sender.send_deadline(Routed::Shutdown, deadline).is_ok();
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if sent && thread.is_finished() {
            let _ = thread.join();
            self.queue.router.wait_for_compressions(Some(deadline));
        } else {
            eprintln!(
                "concurrent-rotating-file: the router's background thread did not finish within the shutdown timeout; {} queued events may be lost",
                sender.len()
            );
        }
    }
}

impl std::fmt::Debug for RouterGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterGuard")
            .field(
                "running",
                &self.thread.as_ref().is_some_and(|t| !t.is_finished()),
            )
            .finish()
    }
}
