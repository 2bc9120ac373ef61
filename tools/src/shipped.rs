//! Checks what a log shipper (`tail -F`, rsyslog, ...) sent on: the lines
//! it read from a rotating log, in the order it shipped them. Every line the
//! writers wrote must arrive exactly once, whole, and in each writer's
//! order; this counts what did not.

use std::collections::BTreeMap;
use std::fmt;

use crate::record::{self, WriterId};

/// What a shipper sent, line by line, against what the writers wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Shipped {
    /// Lines the writers wrote.
    pub expected: u64,
    /// Lines shipped, whole or not, duplicates included.
    pub lines: u64,
    /// Lines the writers wrote that were shipped exactly once.
    pub once: u64,
    /// Lines the writers wrote that were never shipped.
    pub lost: u64,
    /// Extra copies: a line shipped three times counts two.
    pub duplicated: u64,
    /// Shipped lines that are not exactly a line some writer wrote (torn,
    /// joined, cut, or from no writer of the run).
    pub torn: u64,
    /// Lines shipped after a later line of the same writer.
    pub out_of_order: u64,
    /// A last line without its newline (the shipper stopped mid-line).
    pub unterminated: bool,
}

impl Shipped {
    /// Whether every line arrived exactly once, whole and in order.
    pub fn ok(&self) -> bool {
        self.lost == 0
            && self.duplicated == 0
            && self.torn == 0
            && self.out_of_order == 0
            && !self.unterminated
    }
}

/// Checks `shipped`, the bytes a shipper sent on, against `writers` (each
/// writer and how many lines it wrote, numbered from 0) writing lines of
/// `line_size` bytes ([`record::line`]).
pub fn check(shipped: &[u8], writers: &BTreeMap<WriterId, u64>, line_size: usize) -> Shipped {
    let mut report = Shipped {
        expected: writers.values().sum(),
        unterminated: !shipped.is_empty() && !shipped.ends_with(b"\n"),
        ..Shipped::default()
    };
    let mut seen: BTreeMap<WriterId, Vec<u64>> = BTreeMap::new();
    let mut expected_line = Vec::with_capacity(line_size);
    for line in shipped.split_inclusive(|&b| b == b'\n') {
        report.lines += 1;
        let valid = record::parse_header(line).filter(|&(writer, seq)| {
            record::line(&mut expected_line, writer, seq, line_size);
            line == expected_line.as_slice() && writers.get(&writer).is_some_and(|&n| seq < n)
        });
        match valid {
            Some((writer, seq)) => seen.entry(writer).or_default().push(seq),
            None => report.torn += 1,
        }
    }
    for (writer, &count) in writers {
        let seqs = seen.remove(writer).unwrap_or_default();
        report.out_of_order += seqs.windows(2).filter(|w| w[1] < w[0]).count() as u64;
        let mut times = vec![0u32; count as usize];
        for &seq in &seqs {
            times[seq as usize] += 1;
        }
        for n in times {
            match n {
                0 => report.lost += 1,
                1 => report.once += 1,
                n => report.duplicated += u64::from(n - 1),
            }
        }
    }
    report
}

impl fmt::Display for Shipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines written, {} shipped: {} once, {} lost, {} duplicated, {} torn, {} out of order{}",
            self.expected,
            self.lines,
            self.once,
            self.lost,
            self.duplicated,
            self.torn,
            self.out_of_order,
            if self.unterminated {
                ", the last one unterminated"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: usize = 40;

    fn line(writer: WriterId, seq: u64) -> Vec<u8> {
        let mut out = Vec::new();
        record::line(&mut out, writer, seq, SIZE);
        out
    }

    /// Two writers of 4 lines each, interleaved.
    fn writers() -> BTreeMap<WriterId, u64> {
        [((0, 0), 4), ((1, 0), 4)].into()
    }

    fn lines(order: &[(WriterId, u64)]) -> Vec<u8> {
        order.iter().flat_map(|&(w, s)| line(w, s)).collect()
    }

    fn all() -> Vec<(WriterId, u64)> {
        (0..4).flat_map(|s| [((0, 0), s), ((1, 0), s)]).collect()
    }

    #[test]
    fn every_line_once_in_order_is_ok() {
        let report = check(&lines(&all()), &writers(), SIZE);
        assert!(report.ok(), "{report}");
        assert_eq!((report.lines, report.once, report.expected), (8, 8, 8));
    }

    #[test]
    fn a_missing_line_is_lost() {
        let mut order = all();
        order.remove(3);
        let report = check(&lines(&order), &writers(), SIZE);
        assert_eq!((report.lost, report.once), (1, 7), "{report}");
        assert!(!report.ok());
    }

    #[test]
    fn a_line_shipped_again_is_a_duplicate_and_out_of_order() {
        let mut order = all();
        order.push(((0, 0), 1));
        order.push(((0, 0), 1));
        let report = check(&lines(&order), &writers(), SIZE);
        assert_eq!(
            (report.duplicated, report.once, report.out_of_order),
            (2, 7, 1),
            "{report}"
        );
    }

    #[test]
    fn lines_swapped_are_out_of_order() {
        let mut order = all();
        order.swap(0, 2);
        let report = check(&lines(&order), &writers(), SIZE);
        assert_eq!((report.out_of_order, report.lost), (1, 0), "{report}");
    }

    #[test]
    fn a_torn_or_joined_line_is_torn_and_its_lines_lost() {
        let mut data = lines(&all());
        data[SIZE + 10] = b'#'; // the second line damaged
        data.remove(2 * SIZE - 1); // the second and third joined
        let report = check(&data, &writers(), SIZE);
        assert_eq!(
            (report.torn, report.lost, report.lines),
            (1, 2, 7),
            "{report}"
        );
    }

    #[test]
    fn a_line_of_no_writer_of_the_run_is_torn() {
        let mut order = all();
        order.push(((7, 0), 0));
        order.push(((0, 0), 4)); // past the count
        let report = check(&lines(&order), &writers(), SIZE);
        assert_eq!(report.torn, 2, "{report}");
    }

    #[test]
    fn a_cut_last_line_is_unterminated() {
        let mut data = lines(&all());
        data.pop();
        let report = check(&data, &writers(), SIZE);
        assert!(
            report.unterminated && report.torn == 1 && !report.ok(),
            "{report}"
        );
    }
}
