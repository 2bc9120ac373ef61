//! [`Round`]: the records queued between two writes of the background
//! thread, sorted by where they go: one [`Batch`] per key (the one file's
//! key is `()`; a router's is the name of the file).

use std::collections::HashMap;
use std::hash::Hash;

use crate::non_blocking::batch::Batch;
use crate::non_blocking::destination::Destination;
use crate::writer::records::Records;

/// Spare batches kept between rounds (with their buffers), so that a steady
/// flow of a few names allocates nothing.
const SPARE_BATCHES: usize = 8;

/// Records by key, each key's in one batch.
#[derive(Debug)]
pub(crate) struct Round<K> {
    /// Where each key's batch is in `batches`.
    index: HashMap<K, usize>,
    batches: Vec<(K, Batch)>,
    spare: Vec<Batch>,
    records: usize,
    bytes: usize,
}

impl<K> Default for Round<K> {
    fn default() -> Self {
        Round {
            index: HashMap::new(),
            batches: Vec::new(),
            spare: Vec::new(),
            records: 0,
            bytes: 0,
        }
    }
}

impl<K: Copy + Eq + Hash> Round<K> {
    /// Adds `bytes` for `key` (see [`Batch::push`]); returns how many
    /// records that was.
    pub(crate) fn push(&mut self, key: K, bytes: &[u8], records: Records<'_>) -> usize {
        let batches = &mut self.batches;
        let spare = &mut self.spare;
        // Runs of one key are the common case (the only one for a single
        // file): no hashing for them.
        let at = match batches.last() {
            Some((last, _)) if *last == key => batches.len() - 1,
            _ => *self.index.entry(key).or_insert_with(|| {
                batches.push((key, spare.pop().unwrap_or_default()));
                batches.len() - 1
            }),
        };
        let batch = &mut batches[at].1;
        let before = (batch.records(), batch.len());
        batch.push(bytes, records);
        let added = batch.records() - before.0;
        self.bytes += batch.len() - before.1;
        self.records += added;
        added
    }

    /// How many records the round holds.
    pub(crate) fn records(&self) -> usize {
        self.records
    }

    /// How many bytes the round holds, all keys together.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Appends each key's batch where `destination` sends it, then empties
    /// the round, keeping buffers of up to `keep` bytes for the next.
    pub(crate) fn write<D: Destination<Key = K>>(&mut self, destination: &D, keep: usize) {
        for (key, batch) in &self.batches {
            destination.write(key, batch);
        }
        self.clear(keep);
    }

    /// Empties the round without writing it, keeping buffers of up to
    /// `keep` bytes in all (a single batch keeps it all, as a single file's
    /// does); returns how many records were let go.
    pub(crate) fn clear(&mut self, keep: usize) -> usize {
        let keep_each = match self.batches.len() {
            1 => keep,
            _ => keep / SPARE_BATCHES,
        };
        for (_, mut batch) in self.batches.drain(..) {
            if self.spare.len() < SPARE_BATCHES {
                batch.clear(keep_each);
                self.spare.push(batch);
            }
        }
        self.index.clear();
        self.bytes = 0;
        std::mem::take(&mut self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_sorted_by_key_and_counted() {
        let mut round = Round::default();
        round.push("web", b"a\n", Records::One);
        round.push("db", b"b\nc\n", Records::Lines);
        round.push("web", b"d", Records::One);
        assert_eq!((round.records(), round.bytes()), (4, 8));
        let keys: Vec<_> = round
            .batches
            .iter()
            .map(|(key, b)| (*key, b.records()))
            .collect();
        assert_eq!(keys, [("web", 2), ("db", 2)]);
        assert_eq!(round.clear(1024), 4);
        assert!(round.is_empty() && round.batches.is_empty());
        assert_eq!(round.spare.len(), 2);
    }
}
