//! [`Batch`]: records gathered for one locked write.

use crossbeam_channel::Sender;

use crate::non_blocking::message::Message;
use crate::writer::open_log::OpenLog;
use crate::writer::records::Records;

/// A batch stops growing past this size (and is written).
pub(crate) const MAX_BATCH: usize = 256 * 1024;

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
    pub(crate) fn push(&mut self, message: Message) -> bool {
        self.records += message.records();
        match message {
            Message::Flush(ack) => self.acks.push(ack),
            Message::Shutdown => return false,
            message => {
                let (bytes, records) = message.payload().expect("a record");
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                match records {
                    Records::Lines => {
                        self.ends
                            .extend(memchr::memchr_iter(b'\n', bytes).map(|i| start + i + 1));
                        if bytes.last() != Some(&b'\n') {
                            self.ends.push(self.bytes.len());
                        }
                    }
                    _ => self.ends.push(self.bytes.len()),
                }
            }
        }
        true
    }

    /// How many records the batch holds.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Whether the batch has grown to [`MAX_BATCH`].
    pub(crate) fn is_full(&self) -> bool {
        self.bytes.len() >= MAX_BATCH
    }

    /// Appends everything, then answers the flushes waiting on it. The
    /// records a failed write did not get in are counted, exactly, and
    /// reported; they are not retried, so that callers are not held up for
    /// as long as the disk stays full, and the next batch tries afresh.
    pub(crate) fn write(&mut self, log: &OpenLog) {
        if !self.bytes.is_empty()
            && let Err(e) = log.append(&self.bytes, Records::Ends(&self.ends))
        {
            let lost = self.ends.iter().filter(|&&end| end > e.written).count();
            log.errors.report(&e.error, lost as u64);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_knows_where_each_record_ends() {
        let mut batch = Batch::default();
        batch.push(Message::record(b"a\nbb\n", Records::Lines));
        batch.push(Message::record(b"event\non two lines\n", Records::One));
        batch.push(Message::record(b"partial", Records::Lines));
        assert_eq!(batch.ends, [2, 5, 24, 31]);
        assert_eq!(batch.records, 4);
    }
}
