//! One writer's lines as found along the chain: which numbers, in what
//! order, how often, and which of the missing ones a rule excuses.

/// What was found of one writer's numbered lines, in chain order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sequence {
    /// One bit per line number seen, grown as needed.
    seen: Vec<u64>,
    /// Distinct line numbers seen.
    pub(crate) distinct: u64,
    /// The lowest and highest line numbers seen.
    pub(crate) lo: Option<u64>,
    pub(crate) hi: Option<u64>,
    /// The number of the line seen last, in chain order.
    previous: Option<u64>,
    /// Where the line seen last is along the chain (lines counted from the
    /// oldest file's first).
    pub(crate) last_position: Option<u64>,
    /// Lines seen again.
    pub(crate) duplicated: u64,
    /// Lines seen after a line of a higher number.
    pub(crate) out_of_order: u64,
}

/// The lines a writer is missing, by where they are missing from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Missing {
    /// Before the first line found: excused if the chain was pruned.
    pub(crate) head: u64,
    /// Between the first and last lines found: never excused.
    pub(crate) holes: u64,
    /// After the last line found: excused for a killed writer.
    pub(crate) tail: u64,
}

impl Sequence {
    /// Records line `seq`, found at `position` along the chain.
    pub(crate) fn record(&mut self, seq: u64, position: u64) {
        let (word, bit) = ((seq / 64) as usize, 1u64 << (seq % 64));
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & bit != 0 {
            self.duplicated += 1;
        } else {
            self.seen[word] |= bit;
            self.distinct += 1;
        }
        if self.previous.is_some_and(|previous| seq < previous) {
            self.out_of_order += 1;
        }
        self.previous = Some(seq);
        self.lo = Some(self.lo.map_or(seq, |lo| lo.min(seq)));
        self.hi = Some(self.hi.map_or(seq, |hi| hi.max(seq)));
        self.last_position = Some(position);
    }

    /// What is missing of the `count` lines the writer was to write (every
    /// line recorded was below `count`).
    pub(crate) fn missing(&self, count: u64) -> Missing {
        match (self.lo, self.hi) {
            (Some(lo), Some(hi)) => Missing {
                head: lo.min(count),
                holes: (hi + 1 - lo).saturating_sub(self.distinct),
                tail: count.saturating_sub(hi + 1),
            },
            _ => Missing {
                head: count,
                ..Missing::default()
            },
        }
    }

    /// The number of the line after the last one found: the line a writer
    /// killed inside a write was writing. `None` when it cannot be known
    /// (nothing found, and the chain pruned).
    pub(crate) fn next(&self, pruned: bool) -> Option<u64> {
        match self.hi {
            Some(hi) => Some(hi + 1),
            None if pruned => None,
            None => Some(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(seqs: &[u64]) -> Sequence {
        let mut sequence = Sequence::default();
        for (position, &seq) in seqs.iter().enumerate() {
            sequence.record(seq, position as u64);
        }
        sequence
    }

    #[test]
    fn a_whole_sequence_misses_nothing() {
        let sequence = found(&[0, 1, 2, 3]);
        assert_eq!(sequence.missing(4), Missing::default());
        assert_eq!((sequence.duplicated, sequence.out_of_order), (0, 0));
        assert_eq!(sequence.next(false), Some(4));
    }

    #[test]
    fn missing_lines_are_told_apart_by_where_they_are() {
        let sequence = found(&[3, 4, 6, 7]);
        let expected = Missing {
            head: 3,
            holes: 1,
            tail: 2,
        };
        assert_eq!(sequence.missing(10), expected);
        assert_eq!(found(&[]).missing(5).head, 5);
        assert_eq!(found(&[]).next(false), Some(0));
        assert_eq!(found(&[]).next(true), None);
    }

    #[test]
    fn duplicates_and_reordering_are_counted() {
        let sequence = found(&[0, 2, 1, 2, 3]);
        assert_eq!((sequence.duplicated, sequence.out_of_order), (1, 1));
        assert_eq!(sequence.missing(4), Missing::default());
        assert_eq!(sequence.last_position, Some(4));
    }
}
