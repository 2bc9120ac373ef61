//! `crf-stress writer`: one process writing numbered lines through the
//! library (or, for the baseline modes, [`raw_loop`]), started by the
//! stress run and by the tests; it reports through [`messages`].

use std::io::Write;
use std::time::{Duration, Instant};

use concurrent_rotating_file::{Compression, NonBlocking, RotatingFile};

use crf_tools::{FORKED_ID_OFFSET, record};

use crate::fork::{fork, wait_for};
use crate::latency::Latencies;
use crate::messages;
use crate::raw_loop;
use crate::writer_args::{Exit, WriterArgs, WriterMode};

/// Runs the writer process; prints its latencies and `done <lines>` on
/// success.
pub(crate) fn run(args: &WriterArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.mode.is_raw() {
        let latencies = raw_loop::run(args)?;
        messages::done(args.lines, &latencies);
        return Ok(());
    }
    let compression = if args.gzip {
        Compression::Gzip
    } else {
        Compression::None
    };
    let mut builder = RotatingFile::builder(&args.log)
        .max_bytes(args.max_bytes)
        .backups(args.backups)
        .compression(compression)
        .path_check_interval(if args.beside_python {
            Duration::ZERO
        } else {
            Duration::from_millis(100)
        })
        .share_with_python(args.beside_python)
        .restart_proof(args.restart_proof);
    if let Some(age) = args.compress_after {
        builder = builder.compress_after(age);
    }
    if let Some(wait) = args.compression_wait {
        builder = builder.compression_wait(wait);
    }
    if let Some(level) = args.compression_level {
        builder = builder.compression_level(level);
    }
    if let Some(mode) = args.file_mode {
        builder = builder.mode(mode);
    }
    if let Some(gid) = args.group {
        builder = builder.group_id(gid);
    }
    let log = builder.open()?;
    if args.mode == WriterMode::TracingGlobal {
        // Never dropped: what a service does.
        tracing::subscriber::set_global_default(plain_events(log.clone()))?;
    }
    // One background writer per process, started before any fork: a child
    // then uses the parent's handle, as a prefork server would.
    let background = matches!(
        args.mode,
        WriterMode::NonBlocking | WriterMode::TracingNonBlocking
    )
    .then(|| log.non_blocking());
    let mut args = args.clone();
    // `Some(None)` in a forked child, `Some(Some(pid))` in its parent.
    let forked = if args.fork_after_open {
        Some(fork()?)
    } else {
        None
    };
    if forked == Some(None) {
        args.id += FORKED_ID_OFFSET;
    }
    let args = &args;
    let writer = background.as_ref().map(|(writer, _)| writer);
    let latencies = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..args.threads)
            .map(|thread| {
                let (log, writer) = (log.clone(), writer.cloned());
                scope.spawn(move || write_lines(log, writer, args, thread))
            })
            .collect();
        let mut all = Latencies::default();
        for handle in handles {
            all.merge(&handle.join().expect("writer thread panicked")?);
        }
        Ok::<_, std::io::Error>(all)
    })?;
    if args.exit == Exit::ProcessExitHoldingGuard {
        // The exit handler writes what is queued, and rotates as it must,
        // after this report: its rotations are not told.
        messages::written(args.lines * u64::from(args.threads));
        messages::done(args.lines * u64::from(args.threads), &latencies);
        std::mem::forget(background);
        std::process::exit(0);
    }
    if let Some((writer, _)) = &background {
        // What tracing's writer left queued, too.
        writer.clone().flush()?;
    }
    // Dropping the handles below waits for the compressions, if any.
    messages::written(args.lines * u64::from(args.threads));
    if let Some((writer, guard)) = background {
        drop(guard);
        let (errors, dropped) = (writer.write_errors(), writer.dropped());
        if errors > 0 || dropped > 0 {
            return Err(format!("{errors} records failed, {dropped} dropped").into());
        }
    }
    if let Some(Some(pid)) = forked {
        wait_for(pid)?;
    }
    if forked.is_none() {
        // A process forked from another counts its own rotations apart:
        // told only where no fork split them.
        messages::rotations(log.stats().own_rotations);
    }
    messages::done(args.lines * u64::from(args.threads), &latencies);
    if args.exit == Exit::ProcessExit {
        // Nothing is dropped: the library's exit handler is what finishes
        // the compressions.
        std::process::exit(0);
    }
    Ok(())
}

fn write_lines(
    log: RotatingFile,
    background: Option<NonBlocking>,
    args: &WriterArgs,
    thread: u32,
) -> std::io::Result<Latencies> {
    let mut latencies = Latencies::default();
    match (args.mode, background) {
        (WriterMode::NonBlocking, Some(mut writer)) => {
            write_io(&mut writer, args, thread, &mut latencies)?;
        }
        (WriterMode::TracingNonBlocking, Some(writer)) => {
            tracing::subscriber::with_default(plain_events(writer), || {
                write_events(args, thread, &mut latencies);
            });
        }
        (WriterMode::Tracing, _) => {
            let subscriber = plain_events(log.clone());
            tracing::subscriber::with_default(subscriber, || {
                write_events(args, thread, &mut latencies);
            });
        }
        (WriterMode::TracingGlobal, _) => write_events(args, thread, &mut latencies),
        _ => {
            let mut writer = log.clone();
            write_io(&mut writer, args, thread, &mut latencies)?;
        }
    }
    match log.write_errors() {
        0 => Ok(latencies),
        errors => Err(std::io::Error::other(format!("{errors} records failed"))),
    }
}

/// Sleeps until line `seq` is due, at `rate` lines per second from `start`.
fn pace(rate: u64, start: Instant, seq: u64) {
    if rate > 0 {
        let due = start + Duration::from_secs_f64(seq as f64 / rate as f64);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

/// One `write_all` per line, timed.
fn write_io(
    writer: &mut impl Write,
    args: &WriterArgs,
    thread: u32,
    latencies: &mut Latencies,
) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(args.line_size);
    let every = messages::progress_every(args.line_size);
    let began = Instant::now();
    for seq in 0..args.lines {
        pace(args.rate, began, seq);
        record::line(&mut line, (args.id, thread), seq, args.line_size);
        let start = Instant::now();
        writer.write_all(&line)?;
        latencies.record(start.elapsed());
        messages::progress(thread, seq + 1, every);
    }
    writer.flush()
}

/// A subscriber writing each event's message alone, as a line to `writer`.
fn plain_events<W>(writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_writer(writer)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .finish()
}

/// One `tracing` event per line through the subscriber in force, timed.
fn write_events(args: &WriterArgs, thread: u32, latencies: &mut Latencies) {
    let mut line = Vec::with_capacity(args.line_size);
    let every = messages::progress_every(args.line_size);
    let began = Instant::now();
    for seq in 0..args.lines {
        pace(args.rate, began, seq);
        record::line(&mut line, (args.id, thread), seq, args.line_size);
        // The fmt layer adds the newline.
        let text = std::str::from_utf8(&line[..line.len() - 1]).expect("lines are ASCII");
        let start = Instant::now();
        tracing::info!("{text}");
        latencies.record(start.elapsed());
        messages::progress(thread, seq + 1, every);
    }
}
