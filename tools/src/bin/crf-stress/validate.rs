//! Every flag checked before anything starts, each refusal naming the flag
//! as typed and what it accepts.

use crf_tools::record::{MAX_LINES, MAX_PROCESSES, MAX_THREADS, MIN_LINE_SIZE};

use crate::args::RunArgs;

/// The longest line accepted: every writer thread holds one in memory.
const MAX_LINE_SIZE: u64 = 16 << 20;

/// Checks the options together; the message says what to change.
pub(crate) fn check(args: &RunArgs) -> Result<(), String> {
    if args.processes == 0 {
        return Err("--processes must be at least 1".into());
    }
    if args.total_processes() > MAX_PROCESSES {
        return Err(format!(
            "--processes and --python must add up to at most {MAX_PROCESSES} writer processes (the line header has 4 digits for them), not {}",
            args.total_processes()
        ));
    }
    if args.lines == 0 {
        return Err("--lines must be at least 1".into());
    }
    if args.lines > MAX_LINES {
        return Err(format!(
            "--lines must be at most {MAX_LINES} (the line header has 10 digits for the line number)"
        ));
    }
    if args.threads == 0 || args.threads > MAX_THREADS {
        return Err(format!(
            "--threads must be between 1 and {MAX_THREADS} (the line header has 2 digits for the thread)"
        ));
    }
    if args.line_size < MIN_LINE_SIZE as u64 {
        return Err(format!(
            "--line-size must be at least {MIN_LINE_SIZE} bytes: each line holds a {}-byte header (`0000-00 0000000000 `) and a newline; {} is too small",
            MIN_LINE_SIZE - 1,
            args.line_size
        ));
    }
    if args.line_size > MAX_LINE_SIZE {
        return Err(format!(
            "--line-size must be at most 16M ({MAX_LINE_SIZE} bytes)"
        ));
    }
    if args.backups == 0 && args.max_bytes > 0 {
        return Err(
            "--backups must be at least 1 while --max-bytes is not 0: with rotation on, each full file becomes a backup"
                .into(),
        );
    }
    if args.kill > args.total_processes() {
        return Err(format!(
            "--kill must be at most {}, the number of writer processes",
            args.total_processes()
        ));
    }
    if args.restart_proof && args.any_python() {
        return Err(
            "--restart-proof cannot be combined with --python or --only-python: Python's handler renames the log at each rotation, which a restart-proof log never does"
                .into(),
        );
    }
    if args.mode.is_raw() {
        let mode = args.mode.name();
        if args.max_bytes != 0 {
            return Err(format!(
                "--mode {mode} is a baseline loop that never rotates: add --max-bytes 0"
            ));
        }
        if args.gzip {
            return Err(format!(
                "--mode {mode} never rotates, so --gzip has no backup to compress"
            ));
        }
        if args.restart_proof {
            return Err(format!(
                "--mode {mode} writes app.log itself, without the library: --restart-proof does not apply"
            ));
        }
        if args.threads != 1 {
            return Err(format!(
                "--mode {mode} writes from one thread: --threads must be 1"
            ));
        }
        if args.any_python() {
            return Err(format!(
                "--mode {mode} cannot share a file with Python's handler, which rotates it"
            ));
        }
    }
    Ok(())
}
