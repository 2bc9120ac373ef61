//! The baseline loops (`--mode raw-*`): what the kernel costs with nothing
//! of the library, on the same lock and log files, never rotating.

use std::io::Write;
use std::time::Instant;

use crf_tools::record;

use crate::latency::Latencies;
use crate::messages;
use crate::writer_args::{WriterArgs, WriterMode};

/// Writes every line of `args` the way its mode says; returns the
/// latencies.
pub(crate) fn run(args: &WriterArgs) -> std::io::Result<Latencies> {
    let lock_path = args.log.with_file_name(".__app.lock");
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path)?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&args.log)?;
    let mut line = Vec::with_capacity(args.line_size);
    let every = messages::progress_every(args.line_size);
    let mut batch = Vec::with_capacity(64 * 1024 + args.line_size);
    let mut latencies = Latencies::default();
    for seq in 0..args.lines {
        record::line(&mut line, (args.id, 0), seq, args.line_size);
        let start = Instant::now();
        match args.mode {
            WriterMode::RawFlock => {
                lock.lock()?;
                file.write_all(&line)?;
                lock.unlock()?;
            }
            WriterMode::RawUnlocked => file.write_all(&line)?,
            _ => {
                if batch.len() + line.len() > 64 * 1024 {
                    file.write_all(&batch)?;
                    batch.clear();
                }
                batch.extend_from_slice(&line);
            }
        }
        latencies.record(start.elapsed());
        messages::progress(0, seq + 1, every);
    }
    file.write_all(&batch)?;
    Ok(latencies)
}
