//! The background thread of [`NonBlocking`](crate::NonBlocking): it drains
//! everything queued into one buffer and appends it with one lock and one
//! `write(2)` per file, instead of a locked write per record.

use std::sync::atomic::{AtomicBool, Ordering, fence};

use crossbeam_channel::{Receiver, Sender, TryRecvError};

use crate::records::Records;
use crate::writer::Inner;

/// Records up to this size travel inside the message: the bounded channel
/// preallocates its slots, so such a record costs no allocation.
pub(crate) const INLINE: usize = 238;

/// A batch stops growing past this size (and is written).
const MAX_BATCH: usize = 256 * 1024;

/// What one message holds: complete lines (from `io::Write`) or a single
/// record (a `tracing` event, whatever its newlines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Lines,
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    One,
}

/// What travels from the callers to the worker. Small records are inline on
/// purpose (the size difference clippy warns of): the bounded channel's
/// preallocated slots then carry them with no allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Message {
    Inline {
        len: u8,
        kind: Kind,
        bytes: [u8; INLINE],
    },
    Heap {
        kind: Kind,
        bytes: Vec<u8>,
    },
    /// Answer once everything queued before this is written.
    Flush(Sender<()>),
    /// Write everything queued, then stop.
    Shutdown,
}

impl Message {
    pub(crate) fn record(bytes: &[u8], kind: Kind) -> Message {
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Message::Inline {
                len: bytes.len() as u8,
                kind,
                bytes: inline,
            }
        } else {
            Message::Heap {
                kind,
                bytes: bytes.to_vec(),
            }
        }
    }

    pub(crate) fn payload(&self) -> Option<(&[u8], Kind)> {
        match self {
            Message::Inline { len, kind, bytes } => Some((&bytes[..usize::from(*len)], *kind)),
            Message::Heap { kind, bytes } => Some((bytes, *kind)),
            Message::Flush(_) | Message::Shutdown => None,
        }
    }

    /// How many records the message holds (for the drop and error counts).
    pub(crate) fn records(&self) -> u64 {
        match self.payload() {
            Some((bytes, Kind::Lines)) => {
                let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
                lines + u64::from(bytes.last() != Some(&b'\n'))
            }
            Some((_, Kind::One)) => 1,
            None => 0,
        }
    }
}

/// Records gathered for one locked write.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    bytes: Vec<u8>,
    /// Where each record ends in `bytes`.
    ends: Vec<usize>,
    records: u64,
    acks: Vec<Sender<()>>,
}

impl Batch {
    /// Adds a message; returns false for `Shutdown`.
    fn push(&mut self, message: Message) -> bool {
        self.records += message.records();
        match message {
            Message::Flush(ack) => self.acks.push(ack),
            Message::Shutdown => return false,
            message => {
                let (bytes, kind) = message.payload().expect("a record");
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                match kind {
                    Kind::One => self.ends.push(self.bytes.len()),
                    Kind::Lines => {
                        self.ends
                            .extend(memchr::memchr_iter(b'\n', bytes).map(|i| start + i + 1));
                        if bytes.last() != Some(&b'\n') {
                            self.ends.push(self.bytes.len());
                        }
                    }
                }
            }
        }
        true
    }

    /// Appends everything, then answers the flushes waiting on it. A failed
    /// write is counted and reported; its records are not retried, so that
    /// callers are not held up for as long as the disk stays full, and the
    /// next batch tries afresh.
    pub(crate) fn write(&mut self, file: &Inner) {
        if !self.bytes.is_empty()
            && let Err(e) = file.append(&self.bytes, Records::Ends(&self.ends))
        {
            file.report(&e, self.records);
        }
        self.bytes.clear();
        self.ends.clear();
        self.records = 0;
        for ack in self.acks.drain(..) {
            let _ = ack.send(());
        }
        // A burst may have grown the buffer far past its usual size.
        if self.bytes.capacity() > 4 * MAX_BATCH {
            self.bytes.shrink_to(MAX_BATCH);
        }
    }
}

/// The thread's loop: block for a message, take everything else queued,
/// write it all, repeat; on `Shutdown` (or when every sender is gone), write
/// what is queued and return.
pub(crate) fn run(receiver: &Receiver<Message>, file: &Inner, stopped: &AtomicBool) {
    let mut batch = Batch::default();
    let mut running = true;
    while running {
        let Ok(first) = receiver.recv() else { break };
        running = batch.push(first);
        while running && batch.bytes.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(message) => running = batch.push(message),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        batch.write(file);
    }
    // From now on senders write for themselves (see `NonBlocking::send`).
    // The fences pair with theirs: a record sent before a sender saw
    // `stopped` is in the queue when this last drain runs.
    stopped.store(true, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    drain(receiver, file, &mut batch);
}

/// Writes whatever is queued, from whichever thread calls it.
pub(crate) fn drain(receiver: &Receiver<Message>, file: &Inner, batch: &mut Batch) {
    while let Ok(message) = receiver.try_recv() {
        batch.push(message);
        if batch.bytes.len() >= MAX_BATCH {
            batch.write(file);
        }
    }
    batch.write(file);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_records_travel_inline_and_large_ones_on_the_heap() {
        assert!(matches!(
            Message::record(&[b'x'; INLINE], Kind::One),
            Message::Inline { .. }
        ));
        assert!(matches!(
            Message::record(&[b'x'; INLINE + 1], Kind::One),
            Message::Heap { .. }
        ));
        assert!(
            std::mem::size_of::<Message>() <= 256,
            "{}",
            std::mem::size_of::<Message>()
        );
    }

    #[test]
    fn a_batch_knows_where_each_record_ends() {
        let mut batch = Batch::default();
        batch.push(Message::record(b"a\nbb\n", Kind::Lines));
        batch.push(Message::record(b"event\non two lines\n", Kind::One));
        batch.push(Message::record(b"partial", Kind::Lines));
        assert_eq!(batch.ends, [2, 5, 24, 31]);
        assert_eq!(batch.records, 4);
    }
}
