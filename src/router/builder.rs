//! [`NonBlockingRouterBuilder`]: the options of a router's background
//! writer, and how its one thread is started.

use std::sync::Arc;
use std::time::Duration;

use crate::router::guard::RouterGuard;
use crate::router::handle::Router;
use crate::router::queue::{NonBlockingRouter, RouterQueue};
use crate::router::thread;

/// Options of a router's background writer, made by
/// [`Router::non_blocking_builder`].
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`capacity`](NonBlockingRouterBuilder::capacity) | 4096 events | about 1.2 MiB of queue, all names together |
/// | [`lossy`](NonBlockingRouterBuilder::lossy) | `false` | `true`: drop and count when full |
/// | [`shutdown_timeout`](NonBlockingRouterBuilder::shutdown_timeout) | none | how long the guard's drop may wait |
///
/// ```
/// use concurrent_rotating_file::{RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let logs = dir.path().to_path_buf();
///
/// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))));
/// let (writer, _guard) = router.non_blocking_builder().capacity(16_384).lossy(true).finish();
/// assert_eq!(writer.dropped(), 0); // events dropped when the queue was full
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `finish` is called"]
pub struct NonBlockingRouterBuilder {
    router: Router,
    capacity: usize,
    lossy: bool,
    shutdown_timeout: Option<Duration>,
}

// === impl Router ===

impl Router {
    /// A background writer for this router with the default options: one
    /// thread for all the names; see [`NonBlockingRouter`].
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn non_blocking(&self) -> (NonBlockingRouter, RouterGuard) {
        self.non_blocking_builder().finish()
    }

    /// Options for a background writer for this router.
    pub fn non_blocking_builder(&self) -> NonBlockingRouterBuilder {
        NonBlockingRouterBuilder {
            router: self.clone(),
            capacity: 4096,
            lossy: false,
            shutdown_timeout: None,
        }
    }
}

// === impl NonBlockingRouterBuilder ===

impl NonBlockingRouterBuilder {
    /// How many events the queue holds (at least 1), whatever their names.
    /// An event of up to 238 bytes takes about 300 bytes of queue with its
    /// name, allocated up front, so the default of 4096 is about 1.2 MiB.
    pub fn capacity(mut self, events: usize) -> Self {
        self.capacity = events.max(1);
        self
    }

    /// What a log call does when the queue is full: wait for room (`false`,
    /// the default: nothing is lost) or drop the event and count it
    /// ([`NonBlockingRouter::dropped`]).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// The longest the [`RouterGuard`]'s drop waits for the queue to be
    /// written. Default: no limit, so nothing queued is lost at exit.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Starts the background thread.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn finish(self) -> (NonBlockingRouter, RouterGuard) {
        let queue = Arc::new(RouterQueue::new(self.router, self.capacity, self.lossy));
        let thread = {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name("crf-router".into())
                .spawn(move || thread::run(&queue))
                .expect("cannot start the router's background thread")
        };
        let guard = RouterGuard::new(Arc::clone(&queue), thread, self.shutdown_timeout);
        (NonBlockingRouter::new(queue), guard)
    }
}
