//! [`Batch`]: records of one file gathered for one locked write.

use crate::writer::filter::Kept;
use crate::writer::open_log::OpenLog;
use crate::writer::records::Records;

/// Records gathered for one locked write, each ended with a newline.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    bytes: Vec<u8>,
    /// Where each record ends in `bytes`.
    ends: Vec<usize>,
}

impl Batch {
    /// Adds `bytes`, which divide into records as `records` says
    /// ([`Records::Lines`] or [`Records::One`]). A record without its
    /// newline (a partial line flushed) gets one here, so that the next
    /// record in the batch is never glued to it (guarantee: never torn).
    pub(crate) fn push(&mut self, bytes: &[u8], records: Records<'_>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        if records == Records::Lines {
            self.ends
                .extend(memchr::memchr_iter(b'\n', bytes).map(|i| start + i + 1));
        }
        if bytes.last() != Some(&b'\n') {
            self.bytes.push(b'\n');
            self.ends.push(self.bytes.len());
        } else if records != Records::Lines {
            self.ends.push(self.bytes.len());
        }
    }

    /// How many records the batch holds.
    pub(crate) fn records(&self) -> usize {
        self.ends.len()
    }

    /// How many bytes the batch holds.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Appends everything with one lock and one `write(2)` per file. The
    /// records a failed write did not get in are counted, exactly, and
    /// reported; they are not retried, so that callers are not held up for
    /// as long as the disk stays full, and the next batch tries afresh.
    /// The user's filter runs here, on the thread, over every record: the
    /// log calls pay nothing for it, and what it drops is never counted
    /// as lost.
    pub(crate) fn write(&self, log: &OpenLog) {
        if self.bytes.is_empty() {
            return;
        }
        let Some((filter, dropped)) = log.filter() else {
            return write_kept(log, &self.bytes, &self.ends);
        };
        match filter.select(&self.bytes, Records::Ends(&self.ends), dropped) {
            Kept::All => write_kept(log, &self.bytes, &self.ends),
            Kept::Nothing => {}
            Kept::Some(kept) => write_kept(log, &kept.bytes, &kept.ends),
        }
    }

    /// Empties the batch, keeping its buffers unless a burst grew them past
    /// `keep` bytes.
    pub(crate) fn clear(&mut self, keep: usize) {
        self.bytes.clear();
        self.ends.clear();
        if self.bytes.capacity() > keep {
            self.bytes.shrink_to(keep);
            self.ends.shrink_to(keep / 64);
        }
    }
}

/// Appends records ending at `ends` with one lock and one `write(2)` per
/// file; counts exactly those a failed write did not get in.
fn write_kept(log: &OpenLog, bytes: &[u8], ends: &[usize]) {
    if let Err(e) = log.append_kept(bytes, Records::Ends(ends)) {
        let lost = ends.iter().filter(|&&end| end > e.written).count();
        log.errors.report(&e.error, lost as u64);
    }
}

/// How many records `bytes` holds, as [`Batch::push`] would count them.
pub(crate) fn records_in(bytes: &[u8], records: Records<'_>) -> u64 {
    match records {
        Records::Lines => {
            let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
            lines + u64::from(bytes.last() != Some(&b'\n'))
        }
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_knows_where_each_record_ends() {
        let mut batch = Batch::default();
        batch.push(b"a\nbb\n", Records::Lines);
        batch.push(b"event\non two lines\n", Records::One);
        batch.push(b"partial", Records::Lines);
        assert_eq!(batch.ends, [2, 5, 24, 32]);
        assert_eq!(batch.records(), 4);
        assert_eq!(records_in(b"a\nbb\npartial", Records::Lines), 3);
    }

    #[test]
    fn a_record_without_its_newline_is_never_glued_to_the_next() {
        let mut batch = Batch::default();
        batch.push(b"partial", Records::Lines);
        batch.push(b"event without newline", Records::One);
        batch.push(b"next\n", Records::Lines);
        assert_eq!(batch.bytes, b"partial\nevent without newline\nnext\n");
        assert_eq!(batch.ends, [8, 30, 35]);
    }
}
