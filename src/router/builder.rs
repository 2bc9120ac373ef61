//! [`NonBlockingRouterBuilder`]: the options of a router's background
//! writer, and how its one thread is started.

use std::time::Duration;

use crate::non_blocking::builder::Options;
use crate::router::guard::RouterGuard;
use crate::router::handle::Router;
use crate::router::queue::NonBlockingRouter;

/// Options of a router's background writer, made by
/// [`Router::non_blocking_builder`].
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`capacity`](NonBlockingRouterBuilder::capacity) | 4096 events | about 1 MiB of queue, all names together |
/// | [`lossy`](NonBlockingRouterBuilder::lossy) | `false` | `true`: drop and count when full |
/// | [`shutdown_timeout`](NonBlockingRouterBuilder::shutdown_timeout) | none | how long the guard's drop (and an exit without it: 10 s) may wait |
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
    options: Options,
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
            options: Options::default(),
        }
    }
}

// === impl NonBlockingRouterBuilder ===

impl NonBlockingRouterBuilder {
    /// How many events the queue holds (at least 1), whatever their names,
    /// in 128 bytes each, as
    /// [`NonBlockingBuilder::capacity`](crate::NonBlockingBuilder::capacity):
    /// the default of 4096 takes about 1 MiB in all.
    pub fn capacity(mut self, events: usize) -> Self {
        self.options.capacity = events.max(1);
        self
    }

    /// What a log call does when the queue is full: wait for room (`false`,
    /// the default: nothing is lost) or drop the event and count it
    /// ([`NonBlockingRouter::dropped`]).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.options.lossy = lossy;
        self
    }

    /// The longest the [`RouterGuard`]'s drop waits for the queue to be
    /// written. Default: no limit, so nothing queued is lost at exit. Also
    /// bounds what the process's exit waits for when the guard was never
    /// dropped (`std::process::exit`, a guard leaked): 10 s without it.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.options.shutdown_timeout = Some(timeout);
        self
    }

    /// Starts the background thread.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn finish(self) -> (NonBlockingRouter, RouterGuard) {
        let (queue, stopper) = self.options.start(self.router);
        (NonBlockingRouter::new(queue), RouterGuard::new(stopper))
    }
}
