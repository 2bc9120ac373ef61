//! [`RecordFilter`]: the user's predicate over whole records
//! ([`Builder::filter`](crate::Builder::filter)), and what it leaves of a
//! buffer of records.
//!
//! The filter sees each record as it would be written: the whole line (or
//! the whole `tracing` event, however many lines it spans), its newline
//! included. It runs before the in-process mutex and the lock are taken, so
//! a slow filter holds up no other writer: on the caller's thread for the
//! synchronous writer, on the background thread for `non_blocking` (the
//! log call itself pays nothing for it). Every record dropped is counted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::writer::records::Records;

/// The predicate's type: `true` keeps the record.
type Keep = dyn Fn(&[u8]) -> bool + Send + Sync;

/// A record filter as set on a builder, and the counters its drops go to
/// besides the log's own.
#[derive(Clone)]
pub(crate) struct RecordFilter {
    keep: Arc<Keep>,
    /// A router's total (see `Router::stats`), when a router opened the log.
    also_count: Option<Arc<AtomicU64>>,
}

/// What a filter left of a buffer of records.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    /// Every record: the buffer as it is.
    All,
    /// None at all.
    Nothing,
    /// Some: the records kept, copied in order.
    Some(KeptRecords),
}

/// The records a filter kept, copied.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct KeptRecords {
    pub(crate) bytes: Vec<u8>,
    /// Where each kept record ends in `bytes`.
    pub(crate) ends: Vec<usize>,
    /// Where each kept record started in the original buffer.
    starts: Vec<usize>,
    /// The original buffer's length.
    len: usize,
}

impl KeptRecords {
    /// How many bytes of the original buffer `written` bytes of the kept
    /// ones stand for: the records dropped before the first record not
    /// written count as taken (they never had to be written).
    pub(crate) fn original_written(&self, written: usize) -> usize {
        let done = self.ends.partition_point(|&end| end <= written);
        self.starts.get(done).copied().unwrap_or(self.len)
    }
}

impl RecordFilter {
    pub(crate) fn new(keep: Arc<Keep>) -> RecordFilter {
        RecordFilter {
            keep,
            also_count: None,
        }
    }

    /// The same filter, its drops counted in `counter` too.
    #[cfg_attr(not(any(feature = "tracing", feature = "log")), allow(dead_code))]
    pub(crate) fn also_counting(mut self, counter: Arc<AtomicU64>) -> RecordFilter {
        self.also_count = Some(counter);
        self
    }

    /// Runs the filter over every record of `bytes` (which ends with a
    /// newline: every record is whole), as `records` divides it, and counts
    /// the records dropped in `dropped`.
    pub(crate) fn select(&self, bytes: &[u8], records: Records<'_>, dropped: &AtomicU64) -> Kept {
        // One record (an event, a line written alone): no copy to make,
        // nothing to scan past its end.
        if records == Records::One || records.first_end_after(bytes, 0) == bytes.len() {
            if (self.keep)(bytes) {
                return Kept::All;
            }
            self.count(1, dropped);
            return Kept::Nothing;
        }
        self.select_each(bytes, records, dropped)
    }

    /// [`select`](RecordFilter::select) of a buffer of several records.
    fn select_each(&self, bytes: &[u8], records: Records<'_>, dropped: &AtomicU64) -> Kept {
        let mut kept: Option<KeptRecords> = None;
        let mut dropped_here = 0;
        let mut start = 0;
        let mut index = 0;
        while start < bytes.len() {
            let end = records.first_end_after(bytes, start);
            let record = &bytes[start..end];
            if (self.keep)(record) {
                if let Some(kept) = kept.as_mut() {
                    kept.bytes.extend_from_slice(record);
                    kept.ends.push(kept.bytes.len());
                    kept.starts.push(start);
                }
            } else {
                dropped_here += 1;
                if kept.is_none() {
                    // The first drop: copy the records kept before it.
                    kept = Some(kept_before(bytes, records, start, index));
                }
            }
            start = end;
            index += 1;
        }
        if dropped_here == 0 {
            return Kept::All;
        }
        self.count(dropped_here, dropped);
        match kept {
            Some(kept) if !kept.ends.is_empty() => Kept::Some(KeptRecords {
                len: bytes.len(),
                ..kept
            }),
            _ => Kept::Nothing,
        }
    }
}

impl RecordFilter {
    /// Counts `records` dropped, in the log's count and the router's.
    fn count(&self, records: u64, dropped: &AtomicU64) {
        dropped.fetch_add(records, Ordering::Relaxed);
        if let Some(counter) = &self.also_count {
            counter.fetch_add(records, Ordering::Relaxed);
        }
    }
}

/// The `count` records of `bytes` before `upto`, all kept, as the start of
/// a copy.
fn kept_before(bytes: &[u8], records: Records<'_>, upto: usize, count: usize) -> KeptRecords {
    let mut kept = KeptRecords {
        bytes: Vec::with_capacity(bytes.len()),
        ends: Vec::with_capacity(count + 1),
        starts: Vec::with_capacity(count + 1),
        len: bytes.len(),
    };
    kept.bytes.extend_from_slice(&bytes[..upto]);
    let mut start = 0;
    while start < upto {
        kept.starts.push(start);
        start = records.first_end_after(bytes, start);
        kept.ends.push(start);
    }
    kept
}

impl std::fmt::Debug for RecordFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordFilter")
            .field("counted_by_a_router", &self.also_count.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(keep: fn(&[u8]) -> bool) -> RecordFilter {
        RecordFilter::new(Arc::new(keep))
    }

    fn no_noise(record: &[u8]) -> bool {
        !record.starts_with(b"noise")
    }

    #[test]
    fn a_buffer_whose_records_are_all_kept_is_not_copied() {
        let dropped = AtomicU64::new(0);
        let kept = filter(no_noise).select(b"a\nb\n", Records::Lines, &dropped);
        assert_eq!(kept, Kept::All);
        assert_eq!(dropped.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn dropped_lines_are_counted_and_the_kept_ones_copied_in_order() {
        let dropped = AtomicU64::new(0);
        let bytes = b"a\nnoise 1\nbb\nnoise 2\nc\n";
        let Kept::Some(kept) = filter(no_noise).select(bytes, Records::Lines, &dropped) else {
            panic!("some records are kept");
        };
        assert_eq!(kept.bytes, b"a\nbb\nc\n");
        assert_eq!(kept.ends, [2, 5, 7]);
        assert_eq!(dropped.load(Ordering::Relaxed), 2);
        // Nothing written: the caller's bytes are all still to write.
        assert_eq!(kept.original_written(0), 0);
        // `a` written: so is the noise after it, which never had to be.
        assert_eq!(kept.original_written(2), 10);
        assert_eq!(kept.original_written(7), bytes.len());
    }

    #[test]
    fn a_multi_line_record_is_judged_whole() {
        let dropped = AtomicU64::new(0);
        // One event on two lines, then one on one line, as a batch holds them.
        let bytes = b"event\nnoise inside\nnoise\n";
        let keep_unless_noise_first: fn(&[u8]) -> bool = no_noise;
        let Kept::Some(kept) =
            filter(keep_unless_noise_first).select(bytes, Records::Ends(&[19, 25]), &dropped)
        else {
            panic!("the first event is kept");
        };
        assert_eq!(kept.bytes, b"event\nnoise inside\n");
        assert_eq!(kept.ends, [19]);
        assert_eq!(
            filter(no_noise).select(b"noise\n", Records::One, &dropped),
            Kept::Nothing
        );
        assert_eq!(dropped.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_routers_counter_counts_the_drops_too() {
        let (dropped, router) = (AtomicU64::new(0), Arc::new(AtomicU64::new(0)));
        let counting = filter(no_noise).also_counting(Arc::clone(&router));
        counting.select(b"noise\nnoise\nok\n", Records::Lines, &dropped);
        assert_eq!(dropped.load(Ordering::Relaxed), 2);
        assert_eq!(router.load(Ordering::Relaxed), 2);
    }
}
