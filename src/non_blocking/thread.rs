//! The background thread: it drains everything queued into one batch and
//! appends it with one lock and one `write(2)` per file, instead of a
//! locked write per record.

use std::sync::atomic::{AtomicBool, Ordering, fence};

use crossbeam_channel::{Receiver, TryRecvError};

use crate::non_blocking::batch::Batch;
use crate::non_blocking::message::Message;
use crate::writer::open_log::OpenLog;

/// The thread's loop: block for a message, take everything else queued,
/// write it all, repeat; on `Shutdown` (or when every sender is gone), write
/// what is queued and return.
pub(crate) fn run(receiver: &Receiver<Message>, log: &OpenLog, stopped: &AtomicBool) {
    let mut batch = Batch::default();
    let mut running = true;
    while running {
        let Ok(first) = receiver.recv() else { break };
        running = batch.push(first);
        while running && !batch.is_full() {
            match receiver.try_recv() {
                Ok(message) => running = batch.push(message),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        batch.write(log);
    }
    // From now on senders write for themselves (see `Queue::send`). The
    // fences pair with theirs: a record sent before a sender saw `stopped`
    // is in the queue when this last drain runs.
    stopped.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    drain(receiver, log, &mut batch);
}

/// Writes whatever is queued, from whichever thread calls it.
pub(crate) fn drain(receiver: &Receiver<Message>, log: &OpenLog, batch: &mut Batch) {
    while let Ok(message) = receiver.try_recv() {
        batch.push(message);
        if batch.is_full() {
            batch.write(log);
        }
    }
    batch.write(log);
}
