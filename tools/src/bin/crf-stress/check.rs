//! After the writers: the next writer's repair, then the verification of
//! everything they left against what they were to write.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use concurrent_rotating_file::{Compression, RotatingFile};
use crf_tools::signals;
use crf_tools::verify::{self, Expectation, Report};

use crate::args::RunArgs;
use crate::fleet::Outcome;
use crate::progress;

/// Opens the log as the next writer would, which repairs what killed
/// writers left (unfinished compressions, parked backups), and drops it,
/// which waits for the compressions it queued. Returns the rotations
/// counted in the shared state.
pub(crate) fn repair(args: &RunArgs, log: &Path) -> io::Result<u64> {
    let spinner = progress::spinner(
        "repairing",
        "opening the log as the next writer would",
        args.json,
    );
    let next_writer = RotatingFile::builder(log)
        .max_bytes(args.max_bytes)
        .backups(args.backups)
        .compression(if args.gzip {
            Compression::Gzip
        } else {
            Compression::None
        })
        .share_with_python(args.any_python())
        .restart_proof(args.restart_proof)
        .open()?;
    let rotations = next_writer.rotations();
    drop(next_writer);
    spinner.finish_and_clear();
    Ok(rotations)
}

/// Reads every file back and checks it against what the writers were to
/// write and how they ended.
pub(crate) fn verify(
    args: &RunArgs,
    log: &Path,
    outcome: &Outcome,
    rotations: u64,
) -> io::Result<Report> {
    let writers: BTreeMap<_, _> = (0..args.total_processes())
        .flat_map(|p| (0..args.threads_of(p)).map(move |t| ((p, t), args.lines)))
        .collect();
    let expect = Expectation {
        log: log.to_path_buf(),
        max_bytes: args.max_bytes,
        backups: args.backups,
        line_size: args.line_size as usize,
        writers,
        killed: outcome.killed.clone(),
        // After the next writer's repair, even with kills.
        all_gzipped: args.all_gzipped(),
        foreign: (0..args.total_processes())
            .filter(|&p| args.is_python(p))
            .collect(),
        restart_proof: args.restart_proof,
        rotations: Some(rotations),
    };
    let bar = progress::bytes("verifying", 0, args.json);
    let mut report = verify::verify_with_progress(&expect, &mut |p| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
        bar.set_message(format!(", {}/{} files", p.files_done, p.files_total));
        // A long verification gives way to Ctrl-C within a few megabytes.
        signals::unless_stop_asked()
    })?;
    bar.finish_and_clear();
    report.problems.extend(outcome.failed.iter().cloned());
    Ok(report)
}
