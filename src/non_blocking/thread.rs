//! The background thread: it drains everything queued into one batch and
//! appends it with one lock and one `write(2)` per file, instead of a
//! locked write per record.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering, fence};

use crossbeam_channel::{Receiver, TryRecvError};

use crate::non_blocking::batch::Batch;
use crate::non_blocking::message::Message;
use crate::writer::open_log::OpenLog;

/// How the thread ended, for the handles.
#[derive(Debug, Default)]
pub(crate) struct Ending {
    /// From now on senders write for themselves (see `Queue::send`).
    pub(crate) stopped: AtomicBool,
    /// The thread died of a panic (a `Clock` of the user's, a bug): senders
    /// get an error rather than wait for a thread that is gone.
    pub(crate) died: AtomicBool,
}

/// The thread's loop: block for a message, take everything else queued,
/// write it all, repeat; on `Shutdown` (or when every sender is gone), write
/// what is queued and return. If it panics, what was queued is counted as
/// lost and the handles are told.
pub(crate) fn run(receiver: &Receiver<Message>, log: &OpenLog, ending: &Ending) {
    let mut batch = Batch::default();
    let survived = catch_unwind(AssertUnwindSafe(|| serve(receiver, log, &mut batch)));
    if survived.is_err() {
        ending.died.store(true, Ordering::SeqCst);
    }
    // The fences pair with the senders': a record sent before a sender saw
    // `stopped` is in the queue when this last drain runs.
    ending.stopped.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    match survived {
        Ok(()) => drain(receiver, log, &mut batch),
        Err(_) => {
            let mut lost = batch.records();
            while let Ok(message) = receiver.try_recv() {
                lost += message.records();
            }
            let panicked = std::io::Error::other("the background writer thread panicked");
            log.errors.report(&panicked, lost);
        }
    }
}

fn serve(receiver: &Receiver<Message>, log: &OpenLog, batch: &mut Batch) {
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
