//! `compare-peers writer`: one process writing numbered lines through one
//! crate. It sets the crate up, says `ready`, and starts writing when the
//! comparison says `go`, so that every process of a round writes at once
//! and the round's time is the writing alone.

use std::io::{self, BufRead, Write};

use crf_tools::record;

use crate::peers::Setup;

/// Runs the writer process.
pub(crate) fn run(args: &Setup) -> Result<(), Box<dyn std::error::Error>> {
    let mut sink = args.peer.open(args)?;
    let mut stdout = io::stdout();
    writeln!(stdout, "ready")?;
    stdout.flush()?;
    let mut go = String::new();
    if io::stdin().lock().read_line(&mut go)? == 0 {
        return Err("the comparison ended before the start".into());
    }
    let mut line = Vec::new();
    for seq in 0..args.lines {
        record::line(&mut line, (args.id, 0), seq, args.line_size as usize);
        sink.line(&line)?;
    }
    sink.finish()?;
    Ok(())
}
