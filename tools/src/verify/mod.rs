//! Reads a log directory after a run (renamed backups, or a restart-proof
//! log's numbered files) and checks the library's guarantees against what
//! was written: never torn, never past `max_bytes`, an unbroken chain with
//! each writer's lines in order, nothing lost or duplicated, and for a
//! killed writer only its own unwritten lines missing (a prefix of its
//! sequence, and at most one torn line: the beginning of the line it was
//! writing).
//!
//! When backups were pruned, what survives must be exactly the newest part
//! of each writer's sequence: its lines found form one run, without holes,
//! ending at its last line. When the run's rotations are known (no process
//! killed, no foreign writer), the count goes further: every backup was
//! full when rotated, and the lines missing are exactly those the files
//! pruned held, so nothing was lost even where nothing is left to read.
//!
//! Files are read as a stream, so a run of any size is checked in a few
//! megabytes of memory (one bit per line number).

mod chain;
mod read;
mod restart_proof;
mod sequence;
pub(crate) mod torn;

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::record::{self, WriterId};
use chain::ChainFile;
use sequence::Sequence;
use torn::{Cut, TornLine};

/// The hidden directory beside a log where the library keeps its own
/// files.
pub const OWN_DIR: &str = ".concurrent-rotating-file";

/// What the run was asked to do.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// The live log file.
    pub log: PathBuf,
    /// The rotation size the writers used (0: never rotate).
    pub max_bytes: u64,
    /// The most backups the chain may hold.
    pub backups: usize,
    /// Bytes per line, newline included.
    pub line_size: usize,
    /// Each writer and how many lines it was to write.
    pub writers: BTreeMap<WriterId, u64>,
    /// Processes killed on purpose: their lines need only be a prefix, and
    /// each may leave one torn line.
    pub killed: Vec<u32>,
    /// Every backup must be gzipped (a clean run with gzip on).
    pub all_gzipped: bool,
    /// Processes using Python's handler, which rotates only once a file has
    /// reached the limit: a record of theirs may take a file past it.
    pub foreign: Vec<u32>,
    /// The log is restart-proof: its files are `app.000001.log`, ... in
    /// number order, `app.log` a second name of the live (highest) one.
    pub restart_proof: bool,
    /// The rotations counted in the shared state after the run
    /// (`RotatingFile::rotations`). Used only when no process was killed
    /// and no foreign writer took part, with every writer on `max_bytes`:
    /// every rotation is then counted and every rotated file full, so each
    /// backup must hold exactly as many lines as fit, and the lines missing
    /// must be exactly those of the files pruned.
    pub rotations: Option<u64>,
}

/// What was found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files read: the backups and the live file.
    pub files: usize,
    /// Backups in the chain.
    pub backups: usize,
    /// Backups among them that are gzipped.
    pub gzipped: usize,
    /// Bytes read, decompressed.
    pub bytes: u64,
    /// Lines the writers were to write.
    pub expected: u64,
    /// Lines the writers are known to have written: all of a surviving
    /// writer's, and a killed writer's up to its last line found.
    pub written: u64,
    /// Lines found whole (each counted once).
    pub found: u64,
    /// Lines missing that no rule excuses.
    pub lost: u64,
    /// Lines found more than once.
    pub duplicated: u64,
    /// Lines that are not exactly a line some writer wrote, and that no
    /// kill explains.
    pub torn: u64,
    /// Torn lines that killed writers left: the beginning of the line each
    /// was writing when killed, one at most per killed writer.
    pub torn_by_kill: u64,
    /// Lines found before an earlier line of the same writer.
    pub out_of_order: u64,
    /// The largest file's size, decompressed.
    pub largest_file: u64,
    /// Files past `max_bytes` with a record of ours that is not alone in
    /// its file (never past `max_bytes` broken).
    pub oversize_files: u64,
    /// Whether the oldest lines may have been pruned.
    pub pruned: bool,
    /// Files pruned from the chain and lines they held, when the rotations
    /// tell (see [`Expectation::rotations`]).
    pub pruned_files: Option<u64>,
    /// Lines the pruned files held, when the rotations tell.
    pub pruned_lines: Option<u64>,
    /// Every broken rule, in words.
    pub problems: Vec<String>,
}

impl Report {
    /// Whether every rule held.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How far a verification has read, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Files read to their end.
    pub files_done: usize,
    /// Files in the chain.
    pub files_total: usize,
    /// Bytes read from disk (compressed, for `.gz` backups).
    pub bytes_done: u64,
    /// The chain's size on disk.
    pub bytes_total: u64,
}

/// At most this many torn lines are kept for the killed writers' rule;
/// beyond, each is a problem anyway (one per killed writer is the most the
/// rule allows).
const TORN_KEPT: usize = 10_000;

/// Checks everything.
///
/// # Errors
///
/// Only if the directory or a file of the chain cannot be read; a file
/// that is not what it should be (a broken `.gz`) is a problem in the
/// report instead.
pub fn verify(expect: &Expectation) -> io::Result<Report> {
    verify_with_progress(expect, &mut |_| Ok(()))
}

/// [`verify`], calling `on_progress` after each file and every few
/// megabytes read; an error it returns ends the verification (a person's
/// Ctrl-C, say) and is returned.
///
/// # Errors
///
/// As [`verify`], and what `on_progress` returns.
pub fn verify_with_progress(
    expect: &Expectation,
    on_progress: &mut dyn FnMut(Progress) -> io::Result<()>,
) -> io::Result<Report> {
    let chain = if expect.restart_proof {
        restart_proof::list(&expect.log, expect.backups, expect.all_gzipped)?
    } else {
        chain::list(&expect.log, expect.backups, expect.all_gzipped)?
    };
    check(expect, chain, true, on_progress)
}

/// Checks the files of a log that another writer rotated and named its own
/// way (a peer crate, in a comparison): `files`, oldest first, are the
/// whole log. Nothing was pruned, so no line missing is excused; each
/// file and each writer's lines are held to what [`verify`] holds them to.
/// Of the expectation, [`log`](Expectation::log), `backups`, `all_gzipped`
/// and `restart_proof` play no part: the files are as given.
///
/// # Errors
///
/// Only if a file cannot be opened; one that cannot be read to its end is
/// a problem in the report instead.
pub fn verify_files(expect: &Expectation, files: &[PathBuf]) -> io::Result<Report> {
    check(expect, chain::given(files), false, &mut |_| Ok(()))
}

/// Reads `chain` and holds it to `expect`; with `may_be_pruned`, a chain
/// holding as many backups as allowed may have lost its oldest lines to
/// pruning.
fn check(
    expect: &Expectation,
    chain: chain::Chain,
    may_be_pruned: bool,
    on_progress: &mut dyn FnMut(Progress) -> io::Result<()>,
) -> io::Result<Report> {
    let mut report = Report {
        expected: expect.writers.values().sum(),
        files: chain.files.len(),
        backups: chain.backups,
        gzipped: chain.gzipped,
        problems: chain.problems,
        ..Report::default()
    };
    let counted = expect
        .rotations
        .filter(|_| expect.killed.is_empty() && expect.foreign.is_empty());
    if let Some(rotations) = counted {
        // Retention by count: R rotations keeping B leave min(R, B) backups
        // and prune the rest.
        let kept = rotations.min(expect.backups as u64);
        if report.backups as u64 != kept {
            report.problems.push(format!(
                "{} backups, where {rotations} rotations keeping {} leave {kept}",
                report.backups, expect.backups
            ));
        }
        let pruned_files = rotations - kept;
        report.pruned_files = Some(pruned_files);
        report.pruned_lines = Some(pruned_files * lines_per_file(expect));
        report.pruned = pruned_files > 0;
    } else {
        report.pruned = may_be_pruned && report.backups >= expect.backups;
    }
    let mut reading = Reading {
        expect,
        full_backups: counted.is_some() && expect.max_bytes > 0,
        sequences: BTreeMap::new(),
        torn: Vec::new(),
        position: 0,
        line: Vec::new(),
        expected_line: Vec::new(),
    };
    let mut progress = Progress {
        files_done: 0,
        files_total: chain.files.len(),
        bytes_done: 0,
        bytes_total: chain.files.iter().map(|f| f.size).sum(),
    };
    for file in &chain.files {
        let done_before = progress.bytes_done;
        reading.file(file, &mut report, &mut |read| {
            progress.bytes_done = done_before + read;
            on_progress(progress)
        })?;
        progress.files_done += 1;
        progress.bytes_done = done_before + file.size;
        on_progress(progress)?;
    }
    reading.finish(&mut report);
    Ok(report)
}

/// Lines of `line_size` a full file holds.
fn lines_per_file(expect: &Expectation) -> u64 {
    (expect.max_bytes / expect.line_size.max(1) as u64).max(1)
}

/// The state of one pass along the chain.
struct Reading<'a> {
    expect: &'a Expectation,
    /// Every backup must hold as many lines as fit (no kill, no foreign
    /// writer: nothing rotates a file early).
    full_backups: bool,
    sequences: BTreeMap<WriterId, Sequence>,
    /// Lines no writer wrote as they are, kept for the killed writers' rule.
    torn: Vec<TornLine>,
    /// Lines read so far along the chain.
    position: u64,
    line: Vec<u8>,
    expected_line: Vec<u8>,
}

impl Reading<'_> {
    /// Reads one file of the chain, line by line.
    fn file(
        &mut self,
        file: &ChainFile,
        report: &mut Report,
        on_read: &mut dyn FnMut(u64) -> io::Result<()>,
    ) -> io::Result<()> {
        let read_from_disk = Cell::new(0);
        let mut reader = read::open(&file.path, &read_from_disk)?;
        let (mut size, mut lines, mut oversize) = (0u64, 0u64, false);
        let mut reported = 0;
        loop {
            self.line.clear();
            match reader.read_until(b'\n', &mut self.line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    report.problems.push(format!(
                        "{}: cannot be read to its end: {e}",
                        file.path.display()
                    ));
                    break;
                }
            }
            size += self.line.len() as u64;
            // Never past max_bytes: no record of ours may end past the limit
            // unless it is alone in its file (a foreign writer's record may).
            if self.expect.max_bytes > 0 && size > self.expect.max_bytes && lines > 0 && !oversize {
                let foreign = record::parse_header(&self.line)
                    .is_some_and(|((p, _), _)| self.expect.foreign.contains(&p));
                if !foreign {
                    oversize = true;
                    report.oversize_files += 1;
                    report.problems.push(format!(
                        "{}: over max_bytes {}: a record of ours ends at byte {size}, not alone in its file",
                        file.path.display(),
                        self.expect.max_bytes
                    ));
                }
            }
            self.classify(report);
            lines += 1;
            self.position += 1;
            if read_from_disk.get() >= reported + (4 << 20) {
                reported = read_from_disk.get();
                on_read(reported)?;
            }
        }
        report.bytes += size;
        report.largest_file = report.largest_file.max(size);
        if self.full_backups && file.backup && lines != lines_per_file(self.expect) {
            report.problems.push(format!(
                "{}: {lines} lines, where a full file holds {}: rotated before it was full",
                file.path.display(),
                lines_per_file(self.expect)
            ));
        }
        Ok(())
    }

    /// Files the line just read: a whole line of a known writer, or torn.
    fn classify(&mut self, report: &mut Report) {
        let whole = record::parse_header(&self.line).filter(|&(writer, seq)| {
            record::line(&mut self.expected_line, writer, seq, self.expect.line_size);
            self.line == self.expected_line
                && self
                    .expect
                    .writers
                    .get(&writer)
                    .is_some_and(|&count| seq < count)
        });
        match whole {
            Some((writer, seq)) => self
                .sequences
                .entry(writer)
                .or_default()
                .record(seq, self.position),
            None if !self.expect.killed.is_empty() && self.torn.len() < TORN_KEPT => {
                self.torn.push(TornLine {
                    bytes: self.line.clone(),
                    position: self.position,
                });
            }
            None => report.torn += 1,
        }
    }

    /// Holds each writer's sequence to the rules, once every file is read.
    fn finish(mut self, report: &mut Report) {
        let expect = self.expect;
        let mut cuts = Vec::new();
        let mut pruned_away = 0;
        for (&writer, &count) in &expect.writers {
            let sequence = self.sequences.remove(&writer).unwrap_or_default();
            let killed = expect.killed.contains(&writer.0);
            let missing = sequence.missing(count);
            // A killed writer may stop anywhere (a prefix), even before its
            // first line; pruning may take the oldest lines, even all of a
            // writer that finished early.
            let head = if report.pruned || (killed && sequence.hi.is_none()) {
                0
            } else {
                missing.head
            };
            let tail = if killed || (sequence.hi.is_none() && report.pruned) {
                0
            } else {
                missing.tail
            };
            if report.pruned {
                pruned_away += missing.head;
            }
            let lost = head + missing.holes + tail;
            report.found += sequence.distinct;
            report.written += if killed {
                sequence.hi.map_or(0, |hi| hi + 1)
            } else {
                count
            };
            let name = format!("writer {}-{}", writer.0, writer.1);
            if lost > 0 {
                report.problems.push(format!(
                    "{name}: {lost} lines missing (found {} distinct, from {:?} to {:?}, of {count}{})",
                    sequence.distinct,
                    sequence.lo,
                    sequence.hi,
                    if killed { ", killed" } else { "" }
                ));
            }
            if sequence.duplicated > 0 {
                report
                    .problems
                    .push(format!("{name}: {} duplicated lines", sequence.duplicated));
            }
            if sequence.out_of_order > 0 {
                report.problems.push(format!(
                    "{name}: {} lines out of order",
                    sequence.out_of_order
                ));
            }
            report.lost += lost;
            report.duplicated += sequence.duplicated;
            report.out_of_order += sequence.out_of_order;
            if let Some(next) = sequence
                .next(report.pruned)
                .filter(|&n| killed && n < count)
            {
                let mut line = Vec::new();
                record::line(&mut line, writer, next, expect.line_size);
                cuts.push(Cut {
                    line,
                    after: sequence.last_position,
                });
            }
        }
        // What pruning excused must be what the pruned files held.
        if let Some(pruned_lines) = report.pruned_lines {
            if pruned_away > pruned_lines {
                report.lost += pruned_away - pruned_lines;
                report.problems.push(format!(
                    "{pruned_away} of the oldest lines missing, but the {} files pruned held {pruned_lines}",
                    report.pruned_files.unwrap_or(0)
                ));
            } else if pruned_away < pruned_lines {
                report.problems.push(format!(
                    "only {pruned_away} of the oldest lines missing, but the {} files pruned held {pruned_lines}",
                    report.pruned_files.unwrap_or(0)
                ));
            }
        }
        let explained = torn::explained(&self.torn, &cuts);
        let by_kill = explained.iter().filter(|&&e| e).count() as u64;
        report.torn_by_kill = by_kill;
        report.torn += self.torn.len() as u64 - by_kill;
        if report.torn > 0 {
            report
                .problems
                .push(format!("{} torn or unknown lines", report.torn));
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  lines expected    {:>12}", self.expected)?;
        writeln!(f, "  lines written     {:>12}", self.written)?;
        writeln!(f, "  lines found       {:>12}", self.found)?;
        if let Some(pruned) = self.pruned_lines {
            writeln!(
                f,
                "  lines pruned      {pruned:>12}  (in {} files)",
                self.pruned_files.unwrap_or(0)
            )?;
        }
        writeln!(f, "  lost              {:>12}", self.lost)?;
        writeln!(f, "  duplicated        {:>12}", self.duplicated)?;
        writeln!(f, "  torn              {:>12}", self.torn)?;
        writeln!(f, "  torn by a kill    {:>12}", self.torn_by_kill)?;
        writeln!(f, "  out of order      {:>12}", self.out_of_order)?;
        writeln!(
            f,
            "  files             {:>12}  ({} backups, {} gzipped{})",
            self.files,
            self.backups,
            self.gzipped,
            if self.pruned {
                ", oldest pruned"
            } else {
                ", none pruned"
            }
        )?;
        writeln!(f, "  largest file      {:>12}  bytes", self.largest_file)?;
        writeln!(f, "  files oversize    {:>12}", self.oversize_files)?;
        for problem in &self.problems {
            writeln!(f, "  PROBLEM: {problem}")?;
        }
        Ok(())
    }
}
