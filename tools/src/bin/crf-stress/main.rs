//! `crf-stress`: many real processes write numbered lines to one rotating
//! log through the library, then every file is read back and checked
//! against the guarantees: nothing lost, duplicated, torn or out of order,
//! no file over the limit, an unbroken chain of backups.
//!
//! A run goes through its phases in order: every flag checked
//! ([`validate`]) and the directory prepared ([`run_dir`]) before anything
//! starts; the writers started ([`fleet`]) and watched ([`monitor`]); the
//! next writer's repair and the verification ([`check`]); the report
//! ([`report`]). The same executable is each Rust writer process
//! ([`writer_process`]). SIGINT or SIGTERM, to the run or to its whole
//! process group, stops the writers and ends the run unverified, with
//! status 130 ([`writer_signals`]).

mod args;
mod check;
mod fleet;
mod fork;
mod latency;
mod messages;
mod monitor;
mod progress;
mod python;
mod raw_loop;
mod report;
mod run_dir;
mod validate;
mod writer_args;
mod writer_process;
mod writer_signals;

use std::process::ExitCode;
use std::time::Instant;

use clap::{CommandFactory, Parser};

use args::{Cli, Internal, RunArgs};
use fleet::Fleet;
use run_dir::RunDir;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = crf_tools::signals::ignore_file_size_limit_signal() {
        crf_tools::say!("crf-stress: cannot ignore SIGXFSZ: {e}");
        return ExitCode::from(2);
    }
    if let Some(Internal::Writer(args)) = cli.writer {
        return match writer_process::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                crf_tools::say!("crf-stress writer {}: {e}", args.id);
                ExitCode::FAILURE
            }
        };
    }
    let args = cli.run;
    let prepared = validate::check(&args)
        .and_then(|()| {
            if args.any_python() {
                python::check(&args.python_bin)
            } else {
                Ok(())
            }
        })
        .and_then(|()| RunDir::prepare(args.dir.as_deref(), args.force));
    let dir = match prepared {
        Ok(dir) => dir,
        // Printed once, like clap's own refusals, with the usage; status 2.
        Err(message) => Cli::command()
            .error(clap::error::ErrorKind::ValueValidation, message)
            .exit(),
    };
    match run(&args, &dir) {
        Ok(passed) => {
            dir.finish(passed);
            if passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        // However the stop showed (a phase cut short, a writer's pipe
        // closed): nothing that follows was checked, so no figure is given.
        Err(e)
            if e.kind() == std::io::ErrorKind::Interrupted || crf_tools::signals::stop_asked() =>
        {
            let left = if dir.is_temporary() {
                "their temporary directory removed".to_owned()
            } else {
                format!("what they wrote left in {}", dir.path().display())
            };
            crf_tools::say!(
                "crf-stress: interrupted: nothing was verified; the writers were stopped and {left}"
            );
            ExitCode::from(130)
        }
        Err(e) => {
            crf_tools::say!("crf-stress: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs every phase; `Ok(false)` if a check failed, `Interrupted` if SIGINT
/// or SIGTERM asked it to stop (to the run, or to its whole process group:
/// the writers leave those signals to it, see [`writer_signals`]).
fn run(args: &RunArgs, dir: &RunDir) -> std::io::Result<bool> {
    // Ctrl-C ends the writers and removes the temporary directory rather
    // than leave both behind.
    crf_tools::signals::stop_on_term_and_int()?;
    if !args.json {
        print!("{}", report::header(args));
    }
    let log = dir.log();
    let started = Instant::now();
    let mut fleet = Fleet::start(args, &log)?;
    monitor::watch(args, &mut fleet)?;
    let outcome = fleet.finish()?;
    let writing = started.elapsed();
    let in_files = outcome.in_files.map_or(writing, |at| at - started);
    let checking = Instant::now();
    crf_tools::signals::unless_stop_asked()?;
    let shared_rotations = check::repair(args, &log)?;
    // The writers' own counts, when every one told: the shared state's
    // starts again if a fault started it afresh (its file deleted or
    // emptied), and would fail a run in which nothing was lost.
    let rotations = outcome.rotations.unwrap_or(shared_rotations);
    let report = check::verify(args, &log, &outcome, rotations)?;
    // The last point where a stop leaves no figure printed.
    crf_tools::signals::unless_stop_asked()?;
    report::Run {
        args,
        dir: dir.path(),
        outcome: &outcome,
        report: &report,
        rotations,
        shared_rotations,
        writing,
        in_files,
        checking: checking.elapsed(),
    }
    .print();
    Ok(report.ok())
}
