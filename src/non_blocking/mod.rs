//! [`NonBlocking`]: log calls that only queue, and a background thread that
//! writes the queue in batches.
//!
//! A call copies its record into a bounded queue (records up to 238 bytes
//! need no allocation; [`message`]) and returns ([`handle`]); one thread
//! per [`NonBlocking`] family takes everything queued and appends it under
//! one lock, with one `write(2)` per file ([`thread`], [`batch`]). The
//! records still obey every guarantee of [`RotatingFile`](crate::RotatingFile):
//! whole, in order per thread, split between files only at record
//! boundaries.
//!
//! By default nothing is lost: a full queue makes the caller wait.
//! [`NonBlockingBuilder::lossy`] drops instead, and counts what it drops.
//! [`flush`](std::io::Write::flush) returns once everything sent before it
//! is in the file; dropping the [`WorkerGuard`] ([`guard`]) writes
//! everything queued and stops the thread, after which the handles write
//! synchronously. So does a handle used in a child after `fork()`, where
//! the thread does not exist.

pub(crate) mod batch;
pub(crate) mod builder;
pub(crate) mod guard;
pub(crate) mod handle;
pub(crate) mod message;
pub(crate) mod thread;
