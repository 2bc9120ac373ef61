//! The run's report: for people, in human units, or with `--json` as one
//! object whose keys are listed, with their meaning, in
//! `tools/crf-stress-json.md` (a test holds the two to each other).

use std::path::Path;
use std::time::Duration;

use crf_tools::units::{format_bytes, format_count, format_duration};
use crf_tools::verify::Report;
use serde::Serialize;

use crate::args::RunArgs;
use crate::fleet::Outcome;
use crate::latency::Percentiles;

/// Bumped whenever a key changes meaning or goes away; keys may be added
/// without it.
const SCHEMA_VERSION: u32 = 1;

/// Everything a report says about a run.
#[derive(Debug)]
pub(crate) struct Run<'a> {
    pub(crate) args: &'a RunArgs,
    pub(crate) dir: &'a Path,
    pub(crate) outcome: &'a Outcome,
    pub(crate) report: &'a Report,
    /// The rotations the run made: the writers' own counts if every one
    /// told, else the shared state's.
    pub(crate) rotations: u64,
    /// The rotations the shared state counts.
    pub(crate) shared_rotations: u64,
    /// From the first writer's start to the last one's exit.
    pub(crate) writing: Duration,
    /// From the first writer's start until every surviving writer's records
    /// were in the files: `writing` but for the wait for compressions.
    pub(crate) in_files: Duration,
    /// The repair and the verification.
    pub(crate) checking: Duration,
}

/// The `--json` report, version [`SCHEMA_VERSION`].
#[derive(Debug, Serialize)]
struct Json<'a> {
    schema_version: u32,
    ok: bool,
    problems: &'a [String],
    dir: String,
    mode: String,
    processes: u32,
    python_processes: u32,
    threads: u32,
    lines_per_thread: u64,
    line_size: u64,
    max_bytes: u64,
    backups_allowed: usize,
    gzip: bool,
    restart_proof: bool,
    killed: usize,
    killed_processes: &'a [u32],
    seconds: f64,
    in_files_seconds: f64,
    check_seconds: f64,
    lines_expected: u64,
    lines_written: u64,
    lines_found: u64,
    lines_pruned: Option<u64>,
    files_pruned: Option<u64>,
    lost: u64,
    duplicated: u64,
    torn: u64,
    torn_by_kill: u64,
    out_of_order: u64,
    files: usize,
    backups_found: usize,
    gzipped: usize,
    pruned: bool,
    largest_file: u64,
    bytes_written: u64,
    bytes_found: u64,
    rotations: u64,
    lines_per_second: f64,
    writers_lines_per_second: f64,
    mb_per_second: f64,
    write_p50_ns: u64,
    write_p99_ns: u64,
    write_p999_ns: u64,
    write_max_ns: u64,
}

impl Run<'_> {
    /// Prints the report on standard output.
    pub(crate) fn print(&self) {
        if self.args.json {
            match serde_json::to_string(&self.json()) {
                Ok(json) => println!("{json}"),
                Err(e) => crf_tools::say!("crf-stress: cannot write the JSON report: {e}"),
            }
        } else {
            print!("{}", self.text());
        }
    }

    /// Lines known written: what the writers reported, or what the
    /// verifier found of them if more (a killed writer's last lines).
    fn lines_written(&self) -> u64 {
        self.outcome.lines_reported.max(self.report.written)
    }

    fn bytes_written(&self) -> u64 {
        self.lines_written() * self.args.line_size
    }

    fn lines_per_second(&self) -> f64 {
        self.lines_written() as f64 / self.writing.as_secs_f64().max(1e-9)
    }

    /// Lines known written per second until they were all in the files:
    /// what the writers saw, without the wait for compressions at exit.
    fn writers_lines_per_second(&self) -> f64 {
        self.lines_written() as f64 / self.in_files.as_secs_f64().max(1e-9)
    }

    fn mb_per_second(&self) -> f64 {
        self.bytes_written() as f64 / self.writing.as_secs_f64().max(1e-9) / 1e6
    }

    fn json(&self) -> Json<'_> {
        let (args, report) = (self.args, self.report);
        let latency = self.outcome.latencies.percentiles();
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        Json {
            schema_version: SCHEMA_VERSION,
            ok: report.ok(),
            problems: &report.problems,
            dir: self.dir.display().to_string(),
            mode: args.mode.name(),
            processes: args.total_processes(),
            python_processes: args.python_processes(),
            threads: args.threads,
            lines_per_thread: args.lines,
            line_size: args.line_size,
            max_bytes: args.max_bytes,
            backups_allowed: args.backups,
            gzip: args.gzip,
            restart_proof: args.restart_proof,
            killed: self.outcome.killed.len(),
            killed_processes: &self.outcome.killed,
            seconds: self.writing.as_secs_f64(),
            in_files_seconds: self.in_files.as_secs_f64(),
            check_seconds: self.checking.as_secs_f64(),
            lines_expected: report.expected,
            lines_written: self.lines_written(),
            lines_found: report.found,
            lines_pruned: report.pruned_lines,
            files_pruned: report.pruned_files,
            lost: report.lost,
            duplicated: report.duplicated,
            torn: report.torn,
            torn_by_kill: report.torn_by_kill,
            out_of_order: report.out_of_order,
            files: report.files,
            backups_found: report.backups,
            gzipped: report.gzipped,
            pruned: report.pruned,
            largest_file: report.largest_file,
            bytes_written: self.bytes_written(),
            bytes_found: report.bytes,
            rotations: self.rotations,
            lines_per_second: self.lines_per_second(),
            writers_lines_per_second: self.writers_lines_per_second(),
            mb_per_second: self.mb_per_second(),
            write_p50_ns: nanos(latency.p50),
            write_p99_ns: nanos(latency.p99),
            write_p999_ns: nanos(latency.p999),
            write_max_ns: nanos(latency.max),
        }
    }

    /// The report for people, below the [`header`] printed at the start.
    fn text(&self) -> String {
        let (args, report, outcome) = (self.args, self.report, self.outcome);
        let mut out = String::new();
        let mut row = |label: &str, text: String| out.push_str(&format!("  {label:<10} {text}\n"));
        row(
            "written",
            format!(
                "{} ({}) in {}: {} lines/s, {:.1} MB/s",
                plural(self.lines_written(), "line", "lines"),
                format_bytes(self.bytes_written()),
                format_duration(self.writing),
                format_count(self.lines_per_second().round() as u64),
                self.mb_per_second()
            ),
        );
        if args.gzip {
            row(
                "in files",
                format!(
                    "every line after {}: {} lines/s; the rest of the time, compressions",
                    format_duration(self.in_files),
                    format_count(self.writers_lines_per_second().round() as u64),
                ),
            );
        }
        let Percentiles {
            p50,
            p99,
            p999,
            max,
        } = outcome.latencies.percentiles();
        row(
            "latency",
            format!(
                "p50 {}, p99 {}, p99.9 {}, max {} (one write each, {})",
                format_duration(p50),
                format_duration(p99),
                format_duration(p999),
                format_duration(max),
                plural(outcome.latencies.count(), "write", "writes"),
            ),
        );
        if !outcome.killed.is_empty() {
            let ids: Vec<String> = outcome.killed.iter().map(u32::to_string).collect();
            row(
                "killed",
                format!(
                    "{} ({}), each held to losing only its unwritten lines; {} torn line{} left by a kill",
                    plural(outcome.killed.len() as u64, "writer", "writers"),
                    ids.join(", "),
                    report.torn_by_kill,
                    if report.torn_by_kill == 1 { "" } else { "s" }
                ),
            );
        }
        row(
            "rotations",
            if args.any_python() {
                format!(
                    "{} (Python's handler does not count its own)",
                    format_count(self.rotations)
                )
            } else if self.shared_rotations != self.rotations {
                format!(
                    "{}, each writer counting its own (the shared state counts {}: a fault started it afresh)",
                    format_count(self.rotations),
                    format_count(self.shared_rotations)
                )
            } else {
                format_count(self.rotations)
            },
        );
        row(
            "found",
            format!(
                "{} ({}) in {}: {} ({} gzipped) and the live file; largest {}",
                plural(report.found, "line", "lines"),
                format_bytes(report.bytes),
                plural(report.files as u64, "file", "files"),
                plural(report.backups as u64, "backup", "backups"),
                report.gzipped,
                format_bytes(report.largest_file)
            ),
        );
        match (report.pruned_lines, report.pruned_files) {
            (Some(lines), Some(files)) if files > 0 => row(
                "pruned",
                format!(
                    "{} in {}, as the rotations account for; each writer's newest lines kept, whole",
                    plural(lines, "line", "lines"),
                    plural(files, "file", "files")
                ),
            ),
            _ if report.pruned => row(
                "pruned",
                "the oldest files; each writer's newest lines kept, whole".to_owned(),
            ),
            _ => {}
        }
        row(
            "checked",
            format!(
                "lost {}, duplicated {}, torn {}, out of order {}; in {}",
                format_count(report.lost),
                format_count(report.duplicated),
                format_count(report.torn),
                format_count(report.out_of_order),
                format_duration(self.checking)
            ),
        );
        for problem in &report.problems {
            row("PROBLEM", problem.clone());
        }
        let verdict = if report.ok() {
            "OK: every check held\n".to_owned()
        } else {
            format!(
                "FAILED: {}; the files are kept in {}\n",
                plural(report.problems.len() as u64, "problem", "problems"),
                self.dir.display()
            )
        };
        format!("{out}{verdict}")
    }
}

/// What the run is about to do, printed before anything starts (and before
/// the progress bar): the processes, threads and lines, the mode and the
/// rotation, and which writers are Python's.
pub(crate) fn header(args: &RunArgs) -> String {
    let rotation = match args.max_bytes {
        0 => "never rotating".to_owned(),
        max => format!(
            "rotating at {}, keeping {}{}{}",
            format_bytes(max),
            plural(args.backups as u64, "backup", "backups"),
            if args.gzip { ", gzipped" } else { "" },
            if args.restart_proof {
                ", restart-proof (no file renamed)"
            } else {
                ""
            }
        ),
    };
    let mode = if args.only_python {
        "Python's handler".to_owned()
    } else {
        format!("mode {}", args.mode.name())
    };
    let mut head = format!(
        "crf-stress: {} × {} × {} of {}, {mode}, {rotation}\n",
        plural(u64::from(args.total_processes()), "process", "processes"),
        plural(u64::from(args.threads), "thread", "threads"),
        plural(args.lines, "line", "lines"),
        format_bytes(args.line_size),
    );
    if args.any_python() {
        head.push_str(&format!(
            "  {:<10} {} of them through Python's ConcurrentRotatingFileHandler ({})\n",
            "python",
            plural(u64::from(args.python_processes()), "process", "processes"),
            args.python_bin
        ));
    }
    head
}

/// `n` and the noun that goes with it: `1 line`, `2 lines`.
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", format_count(n), if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::args::Cli;

    fn run_text(report: &Report, killed: Vec<u32>) -> String {
        let args = Cli::try_parse_from(["crf-stress", "-p", "2", "-n", "6"])
            .unwrap()
            .run;
        let outcome = Outcome {
            killed,
            lines_reported: 12,
            ..Outcome::default()
        };
        Run {
            args: &args,
            dir: Path::new("/tmp/run"),
            outcome: &outcome,
            report,
            rotations: 3,
            shared_rotations: 3,
            writing: Duration::from_millis(1500),
            in_files: Duration::from_millis(1200),
            checking: Duration::from_millis(20),
        }
        .text()
    }

    #[test]
    fn a_failed_run_lists_its_problems_and_where_its_files_are() {
        let report = Report {
            expected: 12,
            written: 12,
            found: 11,
            lost: 1,
            problems: vec!["writer 1-0: 1 lines missing".into()],
            ..Report::default()
        };
        let text = run_text(&report, vec![]);
        assert!(
            text.contains("  PROBLEM    writer 1-0: 1 lines missing\n"),
            "{text}"
        );
        assert!(text.contains("lost 1, duplicated 0"), "{text}");
        assert!(
            text.ends_with("FAILED: 1 problem; the files are kept in /tmp/run\n"),
            "{text}"
        );
    }

    #[test]
    fn kills_and_the_lines_they_cut_are_reported() {
        let report = Report {
            expected: 12,
            written: 9,
            found: 9,
            torn_by_kill: 1,
            ..Report::default()
        };
        let text = run_text(&report, vec![1]);
        assert!(
            text.contains("  killed     1 writer (1), each held to losing only its unwritten lines; 1 torn line left by a kill\n"),
            "{text}"
        );
        assert!(
            text.contains("  written    12 lines (1.41 KiB) in 1.5 s: 8 lines/s"),
            "{text}"
        );
        assert!(text.ends_with("OK: every check held\n"), "{text}");
    }
}
