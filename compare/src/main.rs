//! `compare-peers`: several real processes share one log file rotated at a
//! size limit, through each peer crate used as its documentation shows and
//! through this one; then every line is read back by the verifier
//! `crf-stress` uses (`crf_tools::verify`), and what each crate lost,
//! duplicated, tore, and let grow past the limit is printed as a Markdown
//! table, with each crate's rate.
//!
//! A comparison goes round by round, the crates in turn within each round
//! ([`round`]), and prints the medians ([`table`]). The same executable is
//! each writer process ([`writer`]), which writes through one crate
//! ([`peers`]).

mod args;
mod peers;
mod round;
mod table;
mod writer;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use args::{Cli, Internal};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Internal::Writer(args)) = cli.writer {
        return match writer::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                crf_tools::say!(
                    "compare-peers writer {} ({}): {e}",
                    args.id,
                    args.peer.name()
                );
                ExitCode::FAILURE
            }
        };
    }
    let args = cli.compare;
    let dir = match args.check().and_then(|()| args.prepare_dir()) {
        Ok(dir) => dir,
        // Printed once, like clap's own refusals, with the usage; status 2.
        Err(message) => Cli::command()
            .error(clap::error::ErrorKind::ValueValidation, message)
            .exit(),
    };
    let mut outcomes = Vec::new();
    for round in 0..args.rounds {
        for &peer in &args.peers() {
            let at = dir.path().join(format!("round-{round}")).join(peer.name());
            match round::run(peer, &args, &at) {
                Ok(outcome) => outcomes.push((peer, outcome)),
                Err(e) => {
                    crf_tools::say!("compare-peers: {}: {e}", peer.name());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    print!("{}", table::markdown(&args, &outcomes));
    ExitCode::SUCCESS
}
