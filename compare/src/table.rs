//! The comparison's result as a Markdown table: one row per crate, the
//! median of its rounds in each column.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crf_tools::units::{format_bytes, format_count};

use crate::args::CompareArgs;
use crate::peers::Peer;
use crate::round::Outcome;

/// The table, with a line above saying what was run.
pub(crate) fn markdown(args: &CompareArgs, outcomes: &[(Peer, Outcome)]) -> String {
    let total = args.total_lines();
    let limit = format_bytes(args.max_bytes);
    let mut out = format!(
        "{} × {} lines of {} bytes, one log rotated at {limit} ({} lines, {}), through each crate; every line read back. Medians of {}.\n\n",
        match args.processes {
            1 => "1 process".to_owned(),
            n => format!("{n} processes"),
        },
        format_count(args.lines),
        args.line_size,
        format_count(total),
        format_bytes(total * args.line_size),
        match args.rounds {
            1 => "1 round".to_owned(),
            n => format!("{n} interleaved rounds"),
        }
    );
    let _ = writeln!(
        out,
        "| crate | used through | lost | duplicated | torn | files | largest file | files over {limit} | writers failed | lines/s |"
    );
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    let mut notes = String::new();
    for peer in args.peers() {
        let rounds: Vec<&Outcome> = outcomes
            .iter()
            .filter(|(p, _)| *p == peer)
            .map(|(_, outcome)| outcome)
            .collect();
        let median = |value: &dyn Fn(&Outcome) -> u64| median(rounds.iter().map(|o| value(o)));
        // A rate only of rounds where every writer wrote all its lines.
        let whole: Vec<&&Outcome> = rounds.iter().filter(|o| o.failures.is_empty()).collect();
        let rate = if whole.is_empty() {
            "n/a".to_owned()
        } else {
            let per_round = whole
                .iter()
                .map(|o| (total as f64 / o.writing.as_secs_f64().max(1e-9)).round() as u64);
            format_count(self::median(per_round))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {rate} |",
            peer.name(),
            peer.setup(),
            share(median(&|o| o.lost), total),
            format_count(median(&|o| o.duplicated)),
            format_count(median(&|o| o.torn)),
            format_count(median(&|o| o.files)),
            format_bytes(median(&|o| o.largest_file)),
            format_count(median(&|o| o.oversize_files)),
            match median(&|o| o.failures.len() as u64) {
                0 => "0".to_owned(),
                n => format!("{n} of {}", args.processes),
            },
        );
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for failure in rounds.iter().flat_map(|o| &o.failures) {
            *reasons.entry(failure).or_default() += 1;
        }
        for (reason, count) in reasons {
            let _ = writeln!(
                notes,
                "- {}: {count} of {} writer processes: {reason}",
                peer.name(),
                rounds.len() * args.processes as usize
            );
        }
    }
    if !notes.is_empty() {
        out.push_str("\nWriter processes that failed (their lines unwritten count as lost):\n\n");
        out.push_str(&notes);
    }
    out
}

/// `n`, and its share of `total` when not 0: `1,234 (55%)`, `9 (0.2%)`.
fn share(n: u64, total: u64) -> String {
    let percent = n as f64 * 100.0 / total.max(1) as f64;
    match n {
        0 => "0".to_owned(),
        _ if percent < 1.0 => format!("{} ({percent:.1}%)", format_count(n)),
        _ => format!("{} ({percent:.0}%)", format_count(n)),
    }
}

/// The median of `values` (the lower middle one of an even count).
fn median(values: impl Iterator<Item = u64>) -> u64 {
    let mut values: Vec<u64> = values.collect();
    values.sort_unstable();
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_value_or_the_lower_middle_one() {
        assert_eq!(median([5, 1, 3].into_iter()), 3);
        assert_eq!(median([4, 1, 3, 2].into_iter()), 2);
        assert_eq!(median(std::iter::empty()), 0);
    }

    #[test]
    fn a_share_is_a_count_and_a_percentage() {
        assert_eq!(share(0, 10), "0");
        assert_eq!(share(110_000, 200_000), "110,000 (55%)");
        assert_eq!(share(9, 5_000), "9 (0.2%)");
    }
}
