//! The router's one background thread: it drains everything queued, sorts
//! it by name into one [`Batch`] per name, and appends each batch to its
//! file with one lock and one `write(2)`, however many names there are.

use std::collections::HashMap;
use std::sync::atomic::{Ordering, fence};

use crossbeam_channel::{Sender, TryRecvError};

use crate::non_blocking::batch::{Batch, MAX_BATCH};
use crate::router::handle::Router;
use crate::router::name::LogName;
use crate::router::queue::{Routed, RouterQueue};

/// Spare batches kept between rounds (with their buffers), so that a steady
/// flow of a few names allocates nothing.
const SPARE_BATCHES: usize = 8;

/// Everything taken from the queue in one go, by name.
#[derive(Default)]
pub(crate) struct Round {
    /// Where each name's batch is in `batches`.
    index: HashMap<LogName, usize>,
    /// Each name's batch, and how many events it holds.
    batches: Vec<(LogName, Batch, u64)>,
    spare: Vec<Batch>,
    bytes: usize,
    acks: Vec<Sender<()>>,
}

impl Round {
    /// Adds a message; returns false for `Shutdown`.
    fn push(&mut self, routed: Routed) -> bool {
        match routed {
            Routed::Record { name, message } => {
                self.bytes += message.payload().map_or(0, |(bytes, _)| bytes.len());
                let batches = &mut self.batches;
                let spare = &mut self.spare;
                // Runs of one name are the common case: no hashing for them.
                let at = match batches.last() {
                    Some((last, ..)) if *last == name => batches.len() - 1,
                    _ => *self.index.entry(name).or_insert_with(|| {
                        batches.push((name, spare.pop().unwrap_or_default(), 0));
                        batches.len() - 1
                    }),
                };
                let (_, batch, events) = &mut self.batches[at];
                *events += 1;
                batch.push(message);
            }
            Routed::Flush(ack) => self.acks.push(ack),
            Routed::Shutdown => return false,
        }
        true
    }

    /// Whether the round holds [`MAX_BATCH`] bytes, all names together.
    fn is_full(&self) -> bool {
        self.bytes >= MAX_BATCH
    }

    /// Appends each name's batch to its file (or the fallback's), then
    /// answers the flushes waiting on the round. A failed write is counted
    /// and reported by the file, as for a single file's background writer.
    fn write(&mut self, router: &Router) {
        for (name, mut batch, events) in self.batches.drain(..) {
            match router.file_for(&name, events) {
                Some(file) => batch.write(file.open_log()),
                // Counted as lost by the router; the batch's bytes go.
                None => batch = Batch::default(),
            }
            if self.spare.len() < SPARE_BATCHES {
                self.spare.push(batch);
            }
        }
        self.index.clear();
        self.bytes = 0;
        for ack in self.acks.drain(..) {
            let _ = ack.send(());
        }
    }
}

/// The thread's loop: block for a message, take everything else queued,
/// write it all, repeat; on `Shutdown` (or when every sender is gone), write
/// what is queued and return.
pub(crate) fn run(queue: &RouterQueue) {
    let mut round = Round::default();
    let mut running = true;
    while running {
        let Ok(first) = queue.receiver.recv() else {
            break;
        };
        running = round.push(first);
        while running && !round.is_full() {
            match queue.receiver.try_recv() {
                Ok(routed) => running = round.push(routed),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        round.write(&queue.router);
    }
    // From now on senders write for themselves (see `RouterQueue::send`).
    // The fences pair with theirs: an event sent before a sender saw
    // `stopped` is in the queue when this last drain runs.
    queue.stopped.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    drain(queue);
}

/// Writes whatever is queued, from whichever thread calls it.
pub(crate) fn drain(queue: &RouterQueue) {
    let mut round = Round::default();
    while let Ok(routed) = queue.receiver.try_recv() {
        round.push(routed);
        if round.is_full() {
            round.write(&queue.router);
        }
    }
    round.write(&queue.router);
}
