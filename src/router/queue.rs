//! [`NonBlockingRouter`], the handle that queues events with their names,
//! and the [`RouterQueue`] its clones, its guard and its thread share.
//!
//! The same rules as the single file's background writer
//! ([`NonBlocking`](crate::NonBlocking)): nothing lost unless asked
//! (`lossy`), `flush` acknowledged once everything sent before is written,
//! and once the thread has stopped (or in a child after `fork()`, where it
//! does not exist) events are written by the caller.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::time::Duration;

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};

use crate::non_blocking::message::Message;
use crate::router::handle::Router;
use crate::router::name::LogName;
use crate::router::thread;
use crate::sys::fork;
use crate::writer::records::Records;

/// What travels from the callers to the router's thread. Events are
/// inline on purpose (the size difference clippy warns of): the bounded
/// channel's preallocated slots then carry them, name and all, with no
/// allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Routed {
    /// One event, and the name of its file.
    Record { name: LogName, message: Message },
    /// Answer once everything queued before this is written.
    Flush(Sender<()>),
    /// Write everything queued, then stop.
    Shutdown,
}

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
    queue: Arc<RouterQueue>,
}

/// What the handles, the guard and the thread share.
pub(crate) struct RouterQueue {
    pub(crate) router: Router,
    pub(crate) sender: Sender<Routed>,
    /// Kept so that after the thread stops, senders can write out what is
    /// still queued themselves.
    pub(crate) receiver: Receiver<Routed>,
    pub(crate) stopped: AtomicBool,
    lossy: bool,
    dropped: AtomicU64,
    /// The thread exists only in the process that started it.
    pub(crate) fork_generation: u64,
}

// === impl NonBlockingRouter ===

impl NonBlockingRouter {
    pub(crate) fn new(queue: Arc<RouterQueue>) -> NonBlockingRouter {
        NonBlockingRouter { queue }
    }

    /// Returns once every event sent before is in its file.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room, as [`io::Write::flush`] does.
    pub fn flush(&self) -> io::Result<()> {
        self.queue.flush();
        Ok(())
    }

    /// Events dropped because the queue was full (lossy mode only).
    pub fn dropped(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }

    /// The router the events are routed by (its files and counters).
    pub fn router(&self) -> &Router {
        &self.queue.router
    }

    pub(crate) fn queue(&self) -> &RouterQueue {
        &self.queue
    }
}

impl std::fmt::Debug for NonBlockingRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlockingRouter")
            .field("queued", &self.queue.sender.len())
            .field("lossy", &self.queue.lossy)
            .field("dropped", &self.dropped())
            .field("router", &self.queue.router)
            .finish()
    }
}

// === impl RouterQueue ===

impl RouterQueue {
    pub(crate) fn new(router: Router, capacity: usize, lossy: bool) -> RouterQueue {
        let (sender, receiver) = crossbeam_channel::bounded(capacity);
        RouterQueue {
            router,
            sender,
            receiver,
            stopped: AtomicBool::new(false),
            lossy,
            dropped: AtomicU64::new(0),
            fork_generation: fork::generation(),
        }
    }

    /// Queues one event for `name`'s file, or writes it directly once the
    /// thread is gone.
    pub(crate) fn send(&self, name: &LogName, record: &[u8]) {
        if self.stopped.load(Ordering::SeqCst) || self.fork_generation != fork::generation() {
            return self.router.write_record(name, record);
        }
        let routed = Routed::Record {
            name: *name,
            message: Message::record(record, Records::One),
        };
        match self.sender.try_send(routed) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) if self.lossy => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Full(routed) | TrySendError::Disconnected(routed)) => {
                if self.send_waiting(routed).is_some() {
                    return self.router.write_record(name, record);
                }
            }
        }
        self.after_send();
    }

    /// Sends, waiting for room; gives the message back if the thread
    /// stopped meanwhile.
    fn send_waiting(&self, mut routed: Routed) -> Option<Routed> {
        loop {
            // Wake up now and then: the thread may stop while we wait.
            match self.sender.send_timeout(routed, Duration::from_millis(100)) {
                Ok(()) => return None,
                Err(SendTimeoutError::Timeout(back)) if !self.stopped.load(Ordering::SeqCst) => {
                    routed = back
                }
                Err(SendTimeoutError::Timeout(back) | SendTimeoutError::Disconnected(back)) => {
                    return Some(back);
                }
            }
        }
    }

    /// Pairs with the fence in `thread::run`: if the thread stopped without
    /// seeing what we just queued, it is ours to write.
    fn after_send(&self) {
        fence(Ordering::SeqCst);
        if self.stopped.load(Ordering::SeqCst) {
            thread::drain(self);
        }
    }

    /// Returns once everything sent before is in its file.
    fn flush(&self) {
        if self.fork_generation != fork::generation() {
            // A child after fork(): its events went straight to the files.
            return;
        }
        if !self.stopped.load(Ordering::SeqCst) {
            let (ack, acked) = crossbeam_channel::bounded(1);
            // A flush is never dropped, even by a lossy writer.
            if self.send_waiting(Routed::Flush(ack)).is_none() {
                loop {
                    match acked.recv_timeout(Duration::from_millis(100)) {
                        Ok(()) => return,
                        Err(_) if !self.stopped.load(Ordering::SeqCst) => {}
                        Err(_) => break,
                    }
                }
            }
        }
        self.after_send();
    }
}
