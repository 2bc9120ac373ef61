//! [`NonBlockingBuilder`]: the options of a background writer, and how it
//! is started.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::non_blocking::at_exit::{self, Drain};
use crate::non_blocking::destination::Destination;
use crate::non_blocking::guard::{Stopper, WorkerGuard};
use crate::non_blocking::handle::NonBlocking;
use crate::non_blocking::queue::Queue;
use crate::non_blocking::thread;
use crate::writer::handle::RotatingFile;

/// Options of a background writer, made by
/// [`RotatingFile::non_blocking_builder`].
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`capacity`](NonBlockingBuilder::capacity) | 4096 records | about 1 MiB of queue |
/// | [`lossy`](NonBlockingBuilder::lossy) | `false` | `true`: drop and count when full |
/// | [`shutdown_timeout`](NonBlockingBuilder::shutdown_timeout) | none | how long the guard's drop (and an exit without it: 10 s) may wait |
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `finish` is called"]
pub struct NonBlockingBuilder {
    file: RotatingFile,
    options: Options,
}

/// The options of any background writer, a router's too.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) capacity: usize,
    pub(crate) lossy: bool,
    pub(crate) shutdown_timeout: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            capacity: 4096,
            lossy: false,
            shutdown_timeout: None,
        }
    }
}

impl Options {
    /// Starts a background writer to `destination`: its queue, and the
    /// thread behind it with what stops it.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub(crate) fn start<D: Destination>(&self, destination: D) -> (Arc<Queue<D>>, Stopper<D>) {
        let queue = Arc::new(Queue::new(destination, self.capacity, self.lossy));
        let thread = thread::start(Arc::clone(&queue));
        // Written at exit even if the guard is never dropped.
        let weak: Weak<dyn Drain> = Arc::downgrade(&queue) as Weak<Queue<D>>;
        at_exit::drain_at_exit(weak, self.shutdown_timeout.unwrap_or(at_exit::EXIT_WAIT));
        let stopper = Stopper::new(Arc::clone(&queue), thread, self.shutdown_timeout);
        (queue, stopper)
    }
}

// === impl RotatingFile ===

impl RotatingFile {
    /// A background writer on this file with the default options: see
    /// [`NonBlocking`] and [`NonBlockingBuilder`].
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn non_blocking(&self) -> (NonBlocking, WorkerGuard) {
        self.non_blocking_builder().finish()
    }

    /// Options for a background writer on this file.
    pub fn non_blocking_builder(&self) -> NonBlockingBuilder {
        NonBlockingBuilder {
            file: self.clone(),
            options: Options::default(),
        }
    }
}

// === impl NonBlockingBuilder ===

impl NonBlockingBuilder {
    /// How many records the queue holds (at least 1), in 128 bytes each
    /// (records larger than that fill it sooner; a record larger than the
    /// whole queue is taken alone). The thread writes the round it took
    /// while the callers fill the queue again, so the default of 4096 takes
    /// about 1 MiB in all: the process's extra memory stays bounded
    /// whatever the load.
    pub fn capacity(mut self, records: usize) -> Self {
        self.options.capacity = records.max(1);
        self
    }

    /// What a log call does when the queue is full: wait for room (`false`,
    /// the default: nothing is lost) or drop the record and count it
    /// ([`NonBlocking::dropped`]).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.options.lossy = lossy;
        self
    }

    /// The longest the [`WorkerGuard`]'s drop waits for the queue to be
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
    pub fn finish(self) -> (NonBlocking, WorkerGuard) {
        let (queue, stopper) = self.options.start(self.file);
        (NonBlocking::new(queue), WorkerGuard::new(stopper))
    }
}
