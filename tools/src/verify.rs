//! Reads a log directory after a run and checks the library's guarantees
//! against what was written: never torn, never past `max_bytes`, an
//! unbroken chain with each writer's lines in order, nothing lost or
//! duplicated, and for a killed writer only its own unwritten lines missing
//! (a prefix of its sequence).

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::record::{self, WriterId};

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
    /// Processes killed on purpose: their lines need only be a prefix.
    pub killed: Vec<u32>,
    /// Every backup must be gzipped (a clean run with gzip on).
    pub all_gzipped: bool,
    /// Processes using Python's handler, which rotates only once a file has
    /// reached the limit: a record of theirs may take a file past it.
    pub foreign: Vec<u32>,
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
    /// Lines found whole.
    pub found: u64,
    /// Lines missing that no rule excuses.
    pub lost: u64,
    /// Lines found more than once.
    pub duplicated: u64,
    /// Lines that are not exactly a line some writer wrote.
    pub torn: u64,
    /// Lines found before an earlier line of the same writer.
    pub out_of_order: u64,
    /// The largest file's size, decompressed.
    pub largest_file: u64,
    /// Whether the oldest lines may have been pruned (the chain is full).
    pub pruned: bool,
    /// Every broken rule, in words.
    pub problems: Vec<String>,
}

impl Report {
    /// Whether every rule held.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The files of the chain, oldest first, ending with the live file.
fn chain(expect: &Expectation, report: &mut Report) -> io::Result<Vec<PathBuf>> {
    let dir = expect.log.parent().unwrap_or(Path::new("."));
    let name = expect
        .log
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let mut backups: BTreeMap<usize, PathBuf> = BTreeMap::new();
    // The library's own directory holds the lock and state files, and
    // nothing of this log once every writer is done (no temporary file, no
    // backup waiting to be deleted).
    let own = dir.join(OWN_DIR);
    if own.is_dir() {
        for entry in std::fs::read_dir(&own)? {
            let entry_name = entry?.file_name().to_string_lossy().into_owned();
            let ours = entry_name
                .strip_prefix(&name)
                .is_some_and(|rest| rest.starts_with('.'));
            if ours && entry_name != format!("{name}.lock") && entry_name != format!("{name}.state")
            {
                report
                    .problems
                    .push(format!("unexpected file {OWN_DIR}/{entry_name}"));
            }
        }
    }
    for entry in std::fs::read_dir(dir)? {
        let entry_name = entry?.file_name().to_string_lossy().into_owned();
        // Python's handler's lock, shared with it.
        let python_lock = format!(".__{}.lock", name.trim_end_matches(".log"));
        if entry_name == name || entry_name == python_lock || entry_name == OWN_DIR {
            continue;
        }
        let number = entry_name
            .strip_prefix(&format!("{name}."))
            .map(|n| n.strip_suffix(".gz").map_or((n, false), |n| (n, true)));
        match number
            .and_then(|(n, gz)| n.parse::<usize>().ok().filter(|&n| n >= 1).map(|n| (n, gz)))
        {
            Some((n, gz)) => {
                report.gzipped += usize::from(gz);
                if backups.insert(n, dir.join(&entry_name)).is_some() {
                    report
                        .problems
                        .push(format!("backup {n} exists both plain and gzipped"));
                }
            }
            None => report
                .problems
                .push(format!("unexpected file {entry_name}")),
        }
    }
    let numbers: Vec<usize> = backups.keys().copied().collect();
    report.backups = numbers.len();
    if numbers.iter().enumerate().any(|(i, &n)| n != i + 1) {
        report
            .problems
            .push(format!("gap in the backup numbering: {numbers:?}"));
    }
    if numbers.len() > expect.backups {
        report.problems.push(format!(
            "{} backups, more than the {} allowed",
            numbers.len(),
            expect.backups
        ));
    }
    if expect.all_gzipped && report.gzipped < report.backups {
        report.problems.push(format!(
            "{} of {} backups left plain",
            report.backups - report.gzipped,
            report.backups
        ));
    }
    report.pruned = numbers.len() >= expect.backups;
    let mut files: Vec<PathBuf> = backups.into_values().rev().collect();
    if expect.log.exists() {
        files.push(expect.log.clone());
    }
    Ok(files)
}

/// A file's contents, decompressed if gzipped.
fn read(file: &Path, report: &mut Report) -> io::Result<Vec<u8>> {
    let data = std::fs::read(file)?;
    if file.extension().is_none_or(|e| e != "gz") {
        return Ok(data);
    }
    let mut plain = Vec::new();
    if let Err(e) = io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&data[..]), &mut plain)
    {
        report
            .problems
            .push(format!("{} is not a valid gzip file: {e}", file.display()));
    }
    Ok(plain)
}

/// Invariant 2 for one file: none past `max_bytes` unless it holds a single
/// record; a foreign (Python) writer's record may take it past, but no
/// record of ours may land beyond the limit.
fn oversize(expect: &Expectation, records: &[&[u8]]) -> Option<String> {
    let size: u64 = records.iter().map(|r| r.len() as u64).sum();
    if expect.max_bytes == 0 || size <= expect.max_bytes || records.len() <= 1 {
        return None;
    }
    let mut end = 0;
    for record in records {
        end += record.len() as u64;
        let foreign =
            record::parse_header(record).is_some_and(|((p, _), _)| expect.foreign.contains(&p));
        if end > expect.max_bytes && !foreign {
            return Some(format!(
                "{size} bytes, over max_bytes {} with {} records, ours among those past the limit",
                expect.max_bytes,
                records.len()
            ));
        }
    }
    None
}

/// Checks everything; `Err` only if the directory cannot be read.
pub fn verify(expect: &Expectation) -> io::Result<Report> {
    let mut report = Report {
        expected: expect.writers.values().sum(),
        ..Report::default()
    };
    let files = chain(expect, &mut report)?;
    report.files = files.len();
    let mut seen: BTreeMap<WriterId, Vec<u64>> = BTreeMap::new();
    let mut expected_line = Vec::new();
    for file in &files {
        let data = read(file, &mut report)?;
        let size = data.len() as u64;
        report.bytes += size;
        report.largest_file = report.largest_file.max(size);
        let lines: Vec<&[u8]> = data.split_inclusive(|&b| b == b'\n').collect();
        if let Some(problem) = oversize(expect, &lines) {
            report
                .problems
                .push(format!("{}: {problem}", file.display()));
        }
        for line in lines {
            let Some((writer, seq)) = record::parse_header(line) else {
                report.torn += 1;
                continue;
            };
            record::line(&mut expected_line, writer, seq, expect.line_size);
            if line != expected_line.as_slice() || !expect.writers.contains_key(&writer) {
                report.torn += 1;
                continue;
            }
            seen.entry(writer).or_default().push(seq);
        }
    }
    for (&writer, &count) in &expect.writers {
        let seqs = seen.remove(&writer).unwrap_or_default();
        report.found += seqs.len() as u64;
        let out_of_order = seqs.windows(2).filter(|w| w[1] < w[0]).count() as u64;
        let mut sorted = seqs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        let duplicated = (seqs.len() - sorted.len()) as u64;
        let (lo, hi) = (sorted.first().copied(), sorted.last().copied());
        let contiguous = match (lo, hi) {
            (Some(lo), Some(hi)) => hi - lo + 1 == sorted.len() as u64,
            _ => true,
        };
        let killed = expect.killed.contains(&writer.0);
        // A killed writer may stop anywhere (a prefix); a survivor's last line
        // is its last. The oldest lines may be missing only if pruned.
        let first_ok = lo.is_none_or(|lo| lo == 0 || report.pruned);
        // Pruning may take all of a writer that finished early.
        let last_ok = killed || hi == count.checked_sub(1) || (hi.is_none() && report.pruned);
        let lost = if !contiguous || !first_ok || !last_ok || sorted.iter().any(|&s| s >= count) {
            let present = sorted.iter().filter(|&&s| s < count).count() as u64;
            let top = if killed {
                hi.map_or(0, |h| h + 1).min(count)
            } else {
                count
            };
            let bottom = if report.pruned {
                lo.unwrap_or(0).min(top)
            } else {
                0
            };
            (top - bottom).saturating_sub(present).max(1)
        } else {
            0
        };
        if lost > 0 {
            report.problems.push(format!(
                "writer {}-{}: {lost} lines missing (found {} distinct, from {lo:?} to {hi:?}, of {count}{})",
                writer.0,
                writer.1,
                sorted.len(),
                if killed { ", killed" } else { "" }
            ));
        }
        if duplicated > 0 {
            report.problems.push(format!(
                "writer {}-{}: {duplicated} duplicated lines",
                writer.0, writer.1
            ));
        }
        if out_of_order > 0 {
            report.problems.push(format!(
                "writer {}-{}: {out_of_order} lines out of order",
                writer.0, writer.1
            ));
        }
        report.lost += lost;
        report.duplicated += duplicated;
        report.out_of_order += out_of_order;
    }
    if report.torn > 0 {
        report
            .problems
            .push(format!("{} torn or unknown lines", report.torn));
    }
    Ok(report)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  lines expected    {:>12}", self.expected)?;
        writeln!(f, "  lines found       {:>12}", self.found)?;
        writeln!(f, "  lost              {:>12}", self.lost)?;
        writeln!(f, "  duplicated        {:>12}", self.duplicated)?;
        writeln!(f, "  torn              {:>12}", self.torn)?;
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
        for problem in &self.problems {
            writeln!(f, "  PROBLEM: {problem}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixture {
        dir: tempfile::TempDir,
        expect: Expectation,
    }

    /// Two writers of 6 lines each, 3 lines per file, written as a correct
    /// run would leave them.
    fn good_run() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("app.log");
        let mut lines = Vec::new();
        for seq in 0..6 {
            for writer in [(0, 0), (1, 0)] {
                let mut line = Vec::new();
                record::line(&mut line, writer, seq, 40);
                lines.push(line);
            }
        }
        let files: Vec<Vec<u8>> = lines.chunks(3).map(|c| c.concat()).collect();
        for (i, content) in files.iter().rev().enumerate() {
            let path = if i == 0 {
                log.clone()
            } else {
                dir.path().join(format!("app.log.{i}"))
            };
            std::fs::write(path, content).unwrap();
        }
        let expect = Expectation {
            log,
            max_bytes: 120,
            backups: 10,
            line_size: 40,
            writers: [((0, 0), 6), ((1, 0), 6)].into(),
            killed: vec![],
            all_gzipped: false,
            foreign: vec![],
        };
        Fixture { dir, expect }
    }

    fn edit(fixture: &Fixture, name: &str, change: impl FnOnce(&mut Vec<u8>)) {
        let path = fixture.dir.path().join(name);
        let mut data = std::fs::read(&path).unwrap();
        change(&mut data);
        std::fs::write(path, data).unwrap();
    }

    #[test]
    fn a_correct_run_passes() {
        let fixture = good_run();
        let report = verify(&fixture.expect).unwrap();
        assert!(report.ok(), "{report}");
        assert_eq!((report.found, report.files, report.backups), (12, 4, 3));
    }

    #[test]
    fn a_lost_line_is_caught() {
        let fixture = good_run();
        edit(&fixture, "app.log.2", |data| data.truncate(80));
        let report = verify(&fixture.expect).unwrap();
        assert_eq!(report.lost, 1, "{report}");
    }

    #[test]
    fn a_lost_last_line_is_caught() {
        let fixture = good_run();
        edit(&fixture, "app.log", |data| data.truncate(80));
        assert_eq!(verify(&fixture.expect).unwrap().lost, 1);
    }

    #[test]
    fn a_killed_writer_may_stop_early_but_not_skip() {
        let mut fixture = good_run();
        edit(&fixture, "app.log", |data| data.truncate(80));
        fixture.expect.killed = vec![1];
        assert!(verify(&fixture.expect).unwrap().ok());
        edit(&fixture, "app.log.3", |data| {
            data.drain(40..80).for_each(drop)
        });
        assert!(!verify(&fixture.expect).unwrap().ok());
    }

    #[test]
    fn pruning_may_take_the_oldest_lines_but_not_the_newest() {
        let mut fixture = good_run();
        fixture.expect.backups = 2;
        std::fs::remove_file(fixture.dir.path().join("app.log.3")).unwrap();
        assert!(verify(&fixture.expect).unwrap().ok());
        edit(&fixture, "app.log", |data| data.truncate(80));
        assert_eq!(verify(&fixture.expect).unwrap().lost, 1);
    }

    #[test]
    fn a_duplicate_is_caught() {
        let fixture = good_run();
        let first_line =
            std::fs::read(fixture.dir.path().join("app.log.3")).unwrap()[..40].to_vec();
        edit(&fixture, "app.log", |data| {
            data.extend_from_slice(&first_line)
        });
        let report = verify(&fixture.expect).unwrap();
        assert_eq!(report.duplicated, 1, "{report}");
        assert_eq!(report.out_of_order, 1, "{report}");
    }

    #[test]
    fn a_torn_line_is_caught() {
        let fixture = good_run();
        edit(&fixture, "app.log.1", |data| data[50] = b'#');
        let report = verify(&fixture.expect).unwrap();
        assert_eq!(report.torn, 1, "{report}");
        assert!(!report.ok());
    }

    #[test]
    fn an_oversize_file_is_caught() {
        let mut fixture = good_run();
        fixture.expect.max_bytes = 100;
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("over max_bytes")),
            "{report}"
        );
    }

    #[test]
    fn a_foreign_writer_may_overshoot_but_we_may_not() {
        let mut fixture = good_run();
        fixture.expect.max_bytes = 100; // files hold three 40-byte lines
        // Each file's third line goes past the limit: writer 0's in
        // app.log.3, writer 1's in app.log.2.
        fixture.expect.foreign = vec![0, 1];
        assert!(verify(&fixture.expect).unwrap().ok());
        fixture.expect.foreign = vec![0];
        let report = verify(&fixture.expect).unwrap();
        assert_eq!(report.problems.len(), 2, "{report}");
        assert!(
            report
                .problems
                .iter()
                .all(|p| p.contains("ours among those past the limit")),
            "{report}"
        );
    }

    #[test]
    fn a_gap_in_the_chain_is_caught() {
        let fixture = good_run();
        let dir = fixture.dir.path();
        std::fs::rename(dir.join("app.log.3"), dir.join("app.log.4")).unwrap();
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("gap")),
            "{report}"
        );
    }

    fn gzip(fixture: &Fixture, n: usize) {
        use std::io::Write;
        let plain = fixture.dir.path().join(format!("app.log.{n}"));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&std::fs::read(&plain).unwrap()).unwrap();
        std::fs::write(
            plain.with_extension(format!("{n}.gz")),
            encoder.finish().unwrap(),
        )
        .unwrap();
        std::fs::remove_file(plain).unwrap();
    }

    #[test]
    fn gzipped_backups_are_read_back() {
        let mut fixture = good_run();
        gzip(&fixture, 1);
        gzip(&fixture, 3);
        let report = verify(&fixture.expect).unwrap();
        assert!(report.ok(), "{report}");
        assert_eq!((report.found, report.gzipped), (12, 2));
        fixture.expect.all_gzipped = true;
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("left plain")),
            "{report}"
        );
    }

    #[test]
    fn a_truncated_gz_is_caught() {
        let fixture = good_run();
        gzip(&fixture, 2);
        edit(&fixture, "app.log.2.gz", |data| {
            data.truncate(data.len() / 2)
        });
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("not a valid gzip")),
            "{report}"
        );
    }

    #[test]
    fn a_number_both_plain_and_gzipped_is_caught() {
        let fixture = good_run();
        let plain = std::fs::read(fixture.dir.path().join("app.log.2")).unwrap();
        gzip(&fixture, 2);
        std::fs::write(fixture.dir.path().join("app.log.2"), plain).unwrap();
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("both plain and gzipped")),
            "{report}"
        );
    }

    #[test]
    fn a_leftover_temporary_file_is_caught() {
        let fixture = good_run();
        let own = fixture.dir.path().join(OWN_DIR);
        std::fs::create_dir(&own).unwrap();
        std::fs::write(own.join("app.log.lock"), "").unwrap();
        assert!(verify(&fixture.expect).unwrap().ok());
        std::fs::write(own.join("app.log.123.gz.tmp"), "half").unwrap();
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("unexpected file")),
            "{report}"
        );
    }

    #[test]
    fn too_many_backups_are_caught() {
        let mut fixture = good_run();
        fixture.expect.backups = 2;
        let report = verify(&fixture.expect).unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("more than")),
            "{report}"
        );
    }
}
