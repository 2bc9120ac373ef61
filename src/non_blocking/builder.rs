//! [`NonBlockingBuilder`]: the options of a background writer, and how it
//! is started.

use std::sync::Arc;
use std::time::Duration;

use crate::non_blocking::guard::WorkerGuard;
use crate::non_blocking::handle::{NonBlocking, Queue};
use crate::non_blocking::thread;
use crate::writer::handle::RotatingFile;

/// Options of a background writer, made by
/// [`RotatingFile::non_blocking_builder`].
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`capacity`](NonBlockingBuilder::capacity) | 4096 records | about 1 MiB of queue |
/// | [`lossy`](NonBlockingBuilder::lossy) | `false` | `true`: drop and count when full |
/// | [`shutdown_timeout`](NonBlockingBuilder::shutdown_timeout) | none | how long the guard's drop may wait |
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `finish` is called"]
pub struct NonBlockingBuilder {
    file: RotatingFile,
    capacity: usize,
    lossy: bool,
    shutdown_timeout: Option<Duration>,
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
            capacity: 4096,
            lossy: false,
            shutdown_timeout: None,
        }
    }
}

// === impl NonBlockingBuilder ===

impl NonBlockingBuilder {
    /// How many records the queue holds (at least 1). A record of up to
    /// 238 bytes takes 256 bytes of queue, so the default of 4096 is about
    /// 1 MiB, allocated up front: the process's extra memory stays bounded
    /// whatever the load.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records.max(1);
        self
    }

    /// What a log call does when the queue is full: wait for room (`false`,
    /// the default: nothing is lost) or drop the record and count it
    /// ([`NonBlocking::dropped`]).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// The longest the [`WorkerGuard`]'s drop waits for the queue to be
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
    pub fn finish(self) -> (NonBlocking, WorkerGuard) {
        let queue = Arc::new(Queue::new(self.file, self.capacity, self.lossy));
        let thread = {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name("concurrent-rotating-file".into())
                .spawn(move || thread::run(&queue.receiver, queue.file.open_log(), &queue.ending))
                .expect("cannot start the background writer thread")
        };
        let guard = WorkerGuard::new(Arc::clone(&queue), thread, self.shutdown_timeout);
        (NonBlocking::new(queue), guard)
    }
}
