//! `crf`: standard input to a rotating log file, line by line, safely
//! shared with other `crf` processes (and any writer using the library, or
//! Python's handler) on the same file.
//!
//! ```text
//! some-program 2>&1 | crf logs/app.log --max-bytes 1M --backups 10 --gzip
//! ```
//!
//! With `--rotate-now` (or `--reopen`) it reads nothing: it rotates the log
//! (or makes every writer reopen its path) and exits.
//!
//! After SIGTERM or SIGINT it reads on until standard input ends, for at
//! most `--drain-timeout`: the program before it in the pipe got the
//! signal too, and writes its last lines before it exits.
//!
//! Exit status: 0 when standard input ended (or the drain timeout after a
//! stop signal passed), with everything read written; 1 if writing (or rotating) failed;
//! 2 for bad arguments or a log that cannot be opened; 3 if reading
//! standard input failed.

mod args;
mod pipe;
mod stdin_ready;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::Args;
use pipe::Failure;

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(message) = args.check() {
        // Printed once, like clap's own refusals, with the usage; status 2.
        Args::command()
            .error(clap::error::ErrorKind::ValueValidation, message)
            .exit();
    }
    // A file size limit (RLIMIT_FSIZE) then fails the write, reported
    // below, instead of killing the process without a word.
    if let Err(e) = crf_tools::signals::ignore_file_size_limit_signal() {
        crf_tools::say!("crf: cannot ignore SIGXFSZ: {e}");
        return ExitCode::from(2);
    }
    let log = match args.builder().open() {
        Ok(log) => log,
        Err(e) => {
            crf_tools::say!("crf: {e}");
            return ExitCode::from(2);
        }
    };
    if args.rotate_now || args.reopen {
        return on_demand(log, &args);
    }
    if let Err(e) = crf_tools::signals::stop_on_term_and_int_unless_ignored() {
        crf_tools::say!("crf: cannot install signal handlers: {e}");
        return ExitCode::from(2);
    }
    match pipe::copy(log, args.tee, args.drain_timeout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Read(e)) => {
            crf_tools::say!("crf: cannot read standard input: {e}");
            ExitCode::from(3)
        }
        Err(Failure::Write(e)) => {
            // The library's errors name the file and what was being done;
            // any that does not gets the file named here.
            let (message, file) = (e.to_string(), args.file.display().to_string());
            if message.contains(&file) {
                crf_tools::say!("crf: {message}");
            } else {
                crf_tools::say!("crf: cannot write to {file}: {message}");
            }
            ExitCode::from(1)
        }
    }
}

/// `--rotate-now` and `--reopen`: asks every process writing the log, then
/// exits (after the rotation's compression, with `--gzip`).
fn on_demand(mut log: concurrent_rotating_file::RotatingFile, args: &Args) -> ExitCode {
    let done = if args.rotate_now {
        log.rotate().map(|rotated| {
            if !rotated {
                crf_tools::say!(
                    "crf: {} not rotated: it is empty, or another process rotated it meanwhile",
                    args.file.display()
                );
            }
        })
    } else {
        log.reopen()
    };
    // The exit would wait as long; this says it if it takes longer.
    match done.and_then(|()| log.shutdown(std::time::Duration::from_secs(60))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            crf_tools::say!("crf: {e}");
            ExitCode::from(1)
        }
    }
}
