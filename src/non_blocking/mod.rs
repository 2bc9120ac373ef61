//! [`NonBlocking`]: log calls that only queue, and a background thread that
//! writes the queue in batches; the same machinery serves a router's
//! background writer, with a [`Destination`](destination::Destination) of
//! one file per name instead of one file.
//!
//! A call copies its record into the [`queue`]'s current round, sorted by
//! destination ([`round`], [`batch`]), and returns ([`handle`]); the
//! [`thread`] takes the whole round at once and appends each file's
//! records under one lock with one `write(2)`. The records still obey
//! every guarantee of [`RotatingFile`](crate::RotatingFile): whole, in
//! order per thread, split between files only at record boundaries.
//!
//! By default nothing is lost: a full queue makes the caller wait.
//! [`NonBlockingBuilder::lossy`] drops instead, and counts what it drops.
//! [`flush`](std::io::Write::flush) returns once everything sent before it
//! is in the file; dropping the [`WorkerGuard`] ([`guard`]) writes
//! everything queued and stops the thread, after which the handles write
//! synchronously. So does a handle used in a child after `fork()`, where
//! the thread does not exist. A thread that dies (a panic) counts what it
//! held as lost, and the handles fail at once from then on. A process that
//! exits without dropping the guard still has what was queued written
//! ([`at_exit`]).

pub(crate) mod at_exit;
pub(crate) mod batch;
pub(crate) mod builder;
pub(crate) mod destination;
pub(crate) mod guard;
pub(crate) mod handle;
pub(crate) mod queue;
pub(crate) mod round;
pub(crate) mod thread;
