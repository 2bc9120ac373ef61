//! `compare-peers` run small: its counting is real. One process alone
//! meets each crate's known faults exactly (file-rotate splits the line at
//! each limit, log4rs and flexi_logger let each file pass the limit by the
//! line that triggers the rotation, tracing-appender never rotates by size),
//! and this crate, with four processes on one log, loses nothing and never
//! passes the limit.

use std::collections::BTreeMap;
use std::process::{Command, Output};

const COMPARE: &str = env!("CARGO_BIN_EXE_compare-peers");

fn compare(args: &[&str]) -> Output {
    Command::new(COMPARE).args(args).output().unwrap()
}

/// The table of one round of `processes` processes writing 5,000 lines of
/// 120 bytes each with a 64 KiB limit (65,536 bytes: 546 whole lines and
/// 16 bytes), through the crates `only` names (all if none).
fn small_run(processes: &str, only: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut args = vec![
        "-p",
        processes,
        "-n",
        "5000",
        "--max-bytes",
        "64K",
        "--rounds",
        "1",
    ];
    for peer in only {
        args.extend(["--peer", peer]);
    }
    table(&compare(&args))
}

/// The table's rows by crate, each a map from column to cell.
fn table(out: &Output) -> BTreeMap<String, BTreeMap<String, String>> {
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split(" | ")
            .map(|cell| cell.trim().to_owned())
            .collect()
    };
    let mut rows = text.lines().filter(|line| line.starts_with("| "));
    let header = cells(rows.next().unwrap_or_else(|| panic!("no table: {text}")));
    rows.skip(1) // the alignment row
        .map(|row| {
            let row = cells(row);
            let columns = header.iter().cloned().zip(row.iter().cloned()).collect();
            (row[0].clone(), columns)
        })
        .collect()
}

/// The count a cell opens with: `1,234 (5%)` is 1234.
fn count(cell: &str) -> u64 {
    let digits: String = cell
        .split(' ')
        .next()
        .unwrap()
        .chars()
        .filter(|c| *c != ',')
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {cell}"))
}

/// The counts of `columns` in `row`, in that order.
fn counts(row: &BTreeMap<String, String>, columns: &[&str]) -> Vec<u64> {
    columns.iter().map(|column| count(&row[*column])).collect()
}

const FAULTS: [&str; 6] = [
    "lost",
    "duplicated",
    "torn",
    "files",
    "files over 64.0 KiB",
    "writers failed",
];

#[test]
fn one_process_meets_each_crates_known_faults_exactly() {
    // 600,000 bytes in all.
    let rows = small_run("1", &[]);
    let expected: [(&str, [u64; 6]); 5] = [
        // 9 files of 546 lines and the live one: never past the limit.
        ("concurrent-rotating-file", [0, 0, 0, 10, 0, 0]),
        // Rotated once past the limit, by the 547th line: 9 files over.
        ("flexi_logger", [0, 0, 0, 10, 9, 0]),
        ("log4rs", [0, 0, 0, 10, 9, 0]),
        // Cut at exactly 65,536 bytes, 9 times inside a line: each cut
        // line lost as a whole and found as 2 torn pieces.
        ("file-rotate", [9, 0, 18, 10, 0, 0]),
        // No size limit: one file of 600,000 bytes.
        ("tracing-appender", [0, 0, 0, 1, 1, 0]),
    ];
    for (name, faults) in expected {
        assert_eq!(
            counts(&rows[name], &FAULTS),
            faults,
            "{name}: {:?}",
            rows[name]
        );
    }
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
}

#[test]
fn four_processes_on_one_log_lose_nothing_and_never_pass_max_bytes_through_this_crate() {
    let rows = small_run("4", &["concurrent-rotating-file", "tracing-appender"]);
    let ours = &rows["concurrent-rotating-file"];
    // 20,000 lines of 120 bytes: 36 full files and the live one.
    assert_eq!(counts(ours, &FAULTS), [0, 0, 0, 37, 0, 0], "{ours:?}");
    assert!(count(&ours["lines/s"]) > 0, "{ours:?}");
    let time_only = &rows["tracing-appender"];
    assert_eq!(
        counts(time_only, &FAULTS),
        [0, 0, 0, 1, 1, 0],
        "{time_only:?}"
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
}

#[test]
fn a_limit_smaller_than_a_line_is_refused_naming_the_flag() {
    let out = compare(&["--max-bytes", "100"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--max-bytes (100) must hold at least one line"),
        "{err}"
    );
}
