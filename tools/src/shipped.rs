//! Checks what a log shipper (`tail -F`, rsyslog, ...) sent on: the lines
//! it read from a rotating log, in the order it shipped them. Every line the
//! writers wrote must arrive exactly once, whole, and in each writer's
//! order; this counts what did not. A writer SIGKILLed part-way is held to
//! what it had acknowledged, and may leave one torn line, as the verifier
//! allows on disk (see [`verify`](crate::verify)).

use std::collections::BTreeMap;
use std::fmt;

use crate::record::{self, WriterId};
use crate::verify::torn::{self, Cut, TornLine};

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
    /// joined, cut, or from no writer of the run), and that no kill
    /// explains.
    pub torn: u64,
    /// Torn lines that killed writers left: the beginning of the line each
    /// was writing when killed, ended by a newline, one at most per killed
    /// writer.
    pub torn_by_kill: u64,
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
    check_with_kills(shipped, writers, &BTreeMap::new(), line_size)
}

/// [`check`], some of the writers SIGKILLed part-way: `killed` holds each
/// of them with the lines it had acknowledged (its `write_all` returned)
/// before the kill, and `writers` what it was to write. Its acknowledged
/// lines must be shipped as any other; the lines it wrote after them, if
/// any were shipped, must follow on without a hole. Besides, it may have
/// left one torn line: a strict prefix of the line after its last one
/// shipped, ended by a newline, shipped after that last line.
pub fn check_with_kills(
    shipped: &[u8],
    writers: &BTreeMap<WriterId, u64>,
    killed: &BTreeMap<WriterId, u64>,
    line_size: usize,
) -> Shipped {
    let mut report = Shipped {
        expected: writers.values().sum(),
        unterminated: !shipped.is_empty() && !shipped.ends_with(b"\n"),
        ..Shipped::default()
    };
    // Each writer's line numbers in the order shipped, and where its last
    // line was along the output.
    let mut seen: BTreeMap<WriterId, (Vec<u64>, u64)> = BTreeMap::new();
    let mut torn_lines = Vec::new();
    let mut expected_line = Vec::with_capacity(line_size);
    for (position, line) in shipped.split_inclusive(|&b| b == b'\n').enumerate() {
        let position = position as u64;
        report.lines += 1;
        let valid = record::parse_header(line).filter(|&(writer, seq)| {
            record::line(&mut expected_line, writer, seq, line_size);
            line == expected_line.as_slice() && writers.get(&writer).is_some_and(|&n| seq < n)
        });
        match valid {
            Some((writer, seq)) => {
                let (seqs, last) = seen.entry(writer).or_default();
                seqs.push(seq);
                *last = position;
            }
            None if !killed.is_empty() => torn_lines.push(TornLine {
                bytes: line.to_vec(),
                position,
            }),
            None => report.torn += 1,
        }
    }
    let mut cuts = Vec::new();
    for (writer, &count) in writers {
        let (seqs, last) = seen.remove(writer).unwrap_or_default();
        report.out_of_order += seqs.windows(2).filter(|w| w[1] < w[0]).count() as u64;
        let mut times = vec![0u32; count as usize];
        for &seq in &seqs {
            times[seq as usize] += 1;
        }
        // A killed writer wrote its acknowledged lines, and perhaps a few
        // more: up to its last line shipped.
        let written = match killed.get(writer) {
            Some(&acknowledged) => {
                let next = seqs.iter().max().map_or(0, |&hi| hi + 1);
                if next < count {
                    let mut line = Vec::new();
                    record::line(&mut line, *writer, next, line_size);
                    let after = (!seqs.is_empty()).then_some(last);
                    cuts.push(Cut { line, after });
                }
                next.max(acknowledged).min(count)
            }
            None => count,
        };
        for (seq, n) in times.into_iter().enumerate() {
            match n {
                0 if (seq as u64) < written => report.lost += 1,
                0 => {}
                1 => report.once += 1,
                n => report.duplicated += u64::from(n - 1),
            }
        }
    }
    let explained = torn::explained(&torn_lines, &cuts);
    report.torn_by_kill = explained.iter().filter(|&&e| e).count() as u64;
    report.torn += torn_lines.len() as u64 - report.torn_by_kill;
    report
}

impl fmt::Display for Shipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} lines written, {} shipped: {} once, {} lost, {} duplicated, {} torn{}, {} out of order{}",
            self.expected,
            self.lines,
            self.once,
            self.lost,
            self.duplicated,
            self.torn,
            match self.torn_by_kill {
                0 => String::new(),
                n => format!(" (and {n} left by a kill)"),
            },
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

    /// Writer 1-0 killed after acknowledging 2 of its 4 lines.
    fn killed() -> BTreeMap<WriterId, u64> {
        [((1, 0), 2)].into()
    }

    /// The beginning of line `seq` of `writer`, ended by a newline.
    fn prefix(writer: WriterId, seq: u64) -> Vec<u8> {
        let mut out = line(writer, seq)[..SIZE / 2].to_vec();
        out.push(b'\n');
        out
    }

    #[test]
    fn a_killed_writer_may_stop_after_its_acknowledged_lines_with_one_torn_line() {
        let mut order: Vec<_> = (0..4).map(|s| ((0, 0), s)).collect();
        order.insert(1, ((1, 0), 0));
        order.insert(3, ((1, 0), 1));
        order.insert(4, ((1, 0), 2)); // written, not yet acknowledged
        let mut data = lines(&order);
        data.extend(prefix((1, 0), 3));
        data.extend(line((0, 0), 0)[..10].iter().chain(b"\n")); // no kill explains it
        let report = check_with_kills(&data, &writers(), &killed(), SIZE);
        assert_eq!(
            (report.once, report.lost, report.torn_by_kill, report.torn),
            (7, 0, 1, 1),
            "{report}"
        );
    }

    #[test]
    fn a_killed_writer_loses_none_of_its_acknowledged_lines_and_tears_once() {
        let mut order: Vec<_> = (0..4).map(|s| ((0, 0), s)).collect();
        order.push(((1, 0), 0));
        let mut data = lines(&order);
        data.extend(prefix((1, 0), 1));
        data.extend(prefix((1, 0), 1)); // a second copy: a re-read
        let report = check_with_kills(&data, &writers(), &killed(), SIZE);
        assert_eq!(
            (report.lost, report.torn_by_kill, report.torn),
            (1, 1, 1),
            "{report}"
        );
        // The prefix of a line other than the one it was writing, or shipped
        // before its last line, is torn.
        let mut data = lines(&[((1, 0), 0)]);
        data.extend(prefix((1, 0), 0));
        let mut early = prefix((1, 0), 2);
        early.extend(lines(&[((1, 0), 0), ((1, 0), 1)]));
        for data in [data, early] {
            let report = check_with_kills(&data, &writers(), &killed(), SIZE);
            assert_eq!((report.torn_by_kill, report.torn), (0, 1), "{report}");
        }
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
