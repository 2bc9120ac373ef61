//! [`NonBlockingRouter`], the handle that queues events with their names.
//!
//! The machinery is the single file's background writer's
//! ([`NonBlocking`](crate::NonBlocking)), with a [`Router`] as its
//! destination (`router/destination.rs`): nothing lost unless asked
//! (`lossy`), `flush` acknowledged once everything sent before is written,
//! and once the thread has stopped (or in a child after `fork()`, where it
//! does not exist) events are written by the caller.

use std::io;
use std::sync::Arc;

use crate::non_blocking::queue::Queue;
use crate::router::handle::Router;
use crate::router::name::LogName;
use crate::writer::records::Records;

/// The writer end of a [`Router`]'s background writer: one thread for all
/// the names, which writes everything queued for a name with one lock and
/// one `write(2)` per file. `Clone + Send + Sync`; with the `tracing`
/// feature a `MakeWriter`, with the `log` feature a `log::Log`, routing as
/// the [`Router`] it was made from.
///
/// Made by [`Router::non_blocking`] or
/// [`NonBlockingRouterBuilder::finish`](crate::NonBlockingRouterBuilder::finish).
///
/// ```
/// use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
///
/// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
/// let (writer, guard) = router.non_blocking(); // keep `guard` alive in main
/// let subscriber = tracing_subscriber::fmt().with_writer(writer.clone()).with_ansi(false).finish();
/// tracing::subscriber::with_default(subscriber, || {
///     for i in 0..100 {
///         tracing::info!(target: "web", "request {i}");
///         tracing::info!(target: "db", "query {i}");
///     }
/// });
/// writer.flush()?; // everything sent so far is in its file
/// assert_eq!(std::fs::read_to_string(dir.path().join("web.log"))?.lines().count(), 100);
/// drop(guard); // at the end of main: writes what is queued, stops the thread
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct NonBlockingRouter {
    queue: Arc<Queue<Router>>,
}

// === impl NonBlockingRouter ===

impl NonBlockingRouter {
    pub(crate) fn new(queue: Arc<Queue<Router>>) -> NonBlockingRouter {
        NonBlockingRouter { queue }
    }

    /// Returns once every event sent before is in its file.
    ///
    /// # Errors
    ///
    /// If the background thread died (a panic in the router's closure):
    /// what was queued is lost, and counted in
    /// [`RouterStats::lost`](crate::RouterStats::lost).
    pub fn flush(&self) -> io::Result<()> {
        self.queue.flush()
    }

    /// Events dropped because the queue was full (lossy mode only).
    pub fn dropped(&self) -> u64 {
        self.queue.dropped()
    }

    /// The router the events are routed by (its files and counters).
    pub fn router(&self) -> &Router {
        &self.queue.destination
    }

    /// Queues `record`, as one record whatever it holds, for `name`'s
    /// file, as [`Router::write_record`] writes it (an invalid name goes to
    /// the fallback, counted). A full queue makes the caller wait, unless
    /// lossy; once the thread has stopped, or in a child after `fork()`,
    /// the record is written directly.
    ///
    /// ```
    /// use concurrent_rotating_file::{RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let logs = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
    /// let (writer, guard) = router.non_blocking();
    /// writer.write_record("web", b"request served\n")?;
    /// drop(guard); // writes what is queued
    /// assert_eq!(std::fs::read_to_string(dir.path().join("web.log"))?, "request served\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the background thread died (a panic in the router's closure),
    /// or, written directly, the error of the write. Failures of the
    /// thread's own writes are counted and the first printed on stderr.
    pub fn write_record(&self, name: &str, record: &[u8]) -> io::Result<()> {
        let name = self.router().checked(name, LogName::new(name));
        self.queue
            .send(name, record, Records::One)
            .map_err(io::Error::from)
    }

    /// Queues one event for `name`'s file (written directly once the
    /// thread has stopped); if the thread died, the event is counted as
    /// lost.
    pub(crate) fn send(&self, name: LogName, event: &[u8]) {
        if let Err(e) = self.queue.send(name, event, Records::One) {
            self.router().count_lost(1, &e.error);
        }
    }
}

impl std::fmt::Debug for NonBlockingRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlockingRouter")
            .field("queued", &self.queue.queued())
            .field("lossy", &self.queue.lossy())
            .field("dropped", &self.dropped())
            .field("router", self.router())
            .finish()
    }
}
