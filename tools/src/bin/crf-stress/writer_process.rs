//! `crf-stress writer`: one process writing numbered lines through the
//! library, started by the stress run (and by the tests).

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use concurrent_rotating_file::{Compression, NonBlocking, RotatingFile};

use crf_tools::{FORKED_ID_OFFSET, record};

/// How a writer process writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WriterMode {
    /// `write_all` of each line through `io::Write`.
    Sync,
    /// One `tracing` event per line, through the fmt layer with no decoration.
    Tracing,
    /// `write_all` of each line through the background writer
    /// (`non_blocking`).
    NonBlocking,
    /// One `tracing` event per line through the background writer.
    TracingNonBlocking,
    /// Baseline, not the library: `flock`, `write`, unlock per line on the
    /// same lock and log files, never rotating. The floor the sync writer is
    /// measured against.
    RawFlock,
    /// Baseline: one `write` per line on an `O_APPEND` file, no lock, no
    /// rotation.
    RawUnlocked,
    /// Baseline: lines gathered into 64 KiB batches, one `write` each, no
    /// lock, no rotation. The floor the background writer is measured
    /// against.
    RawBatched,
}

impl WriterMode {
    /// The name on the command line.
    pub(crate) fn name(self) -> String {
        self.to_possible_value()
            .expect("no skipped variants")
            .get_name()
            .to_owned()
    }

    /// Whether this is a baseline loop rather than the library.
    pub(crate) fn is_raw(self) -> bool {
        matches!(
            self,
            WriterMode::RawFlock | WriterMode::RawUnlocked | WriterMode::RawBatched
        )
    }
}

/// The options one writer process runs with.
#[derive(Debug, Clone, Args)]
pub(crate) struct WriterArgs {
    /// The log file.
    #[arg(long)]
    pub(crate) log: PathBuf,
    /// This writer's number.
    #[arg(long)]
    pub(crate) id: u32,
    #[arg(long)]
    pub(crate) lines: u64,
    #[arg(long, default_value_t = 1)]
    pub(crate) threads: u32,
    #[arg(long, default_value_t = 120)]
    pub(crate) line_size: usize,
    #[arg(long)]
    pub(crate) max_bytes: u64,
    #[arg(long)]
    pub(crate) backups: usize,
    #[arg(long, value_enum, default_value_t = WriterMode::Sync)]
    pub(crate) mode: WriterMode,
    /// At most this many lines per second per thread (0: no limit).
    #[arg(long, default_value_t = 0)]
    pub(crate) rate: u64,
    /// Gzip the backups.
    #[arg(long)]
    pub(crate) gzip: bool,
    /// Share the log with Python's handler: lock its lock file, and check
    /// the log path before every record, as beside a writer outside the
    /// library.
    #[arg(long)]
    pub(crate) beside_python: bool,
    /// Fork once after opening; parent and child then both write through the
    /// handle opened before the fork, the child as writer
    /// `id + FORKED_ID_OFFSET` (guarantee: fork-safe, the child takes its own
    /// lock).
    #[arg(long)]
    pub(crate) fork_after_open: bool,
}

/// Runs the writer process; prints `done <lines> <p50 ns> <p99 ns> <max ns>` on
/// success.
pub(crate) fn run(args: &WriterArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.mode.is_raw() {
        return raw_loop(args);
    }
    let compression = if args.gzip {
        Compression::Gzip
    } else {
        Compression::None
    };
    let log = RotatingFile::builder(&args.log)
        .max_bytes(args.max_bytes)
        .backups(args.backups)
        .compression(compression)
        .path_check_interval(if args.beside_python {
            Duration::ZERO
        } else {
            Duration::from_millis(100)
        })
        .share_with_python(args.beside_python)
        .open()?;
    // One background writer per process, started before any fork: a child
    // then uses the parent's handle, as a prefork server would.
    let background = matches!(
        args.mode,
        WriterMode::NonBlocking | WriterMode::TracingNonBlocking
    )
    .then(|| log.non_blocking());
    let mut args = args.clone();
    let child = if args.fork_after_open { fork() } else { None };
    if child == Some(0) {
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
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.join().expect("writer thread panicked")?);
        }
        Ok::<_, std::io::Error>(all)
    })?;
    if let Some((writer, guard)) = background {
        drop(guard);
        let (errors, dropped) = (writer.write_errors(), writer.dropped());
        if errors > 0 || dropped > 0 {
            return Err(format!("{errors} records failed, {dropped} dropped").into());
        }
    }
    let (p50, p99, max) = percentiles(latencies);
    if let Some(pid) = child.filter(|&pid| pid > 0) {
        wait_for(pid)?;
    }
    println!(
        "done {} {} {} {}",
        args.lines * u64::from(args.threads),
        p50.as_nanos(),
        p99.as_nanos(),
        max.as_nanos()
    );
    Ok(())
}

fn write_lines(
    log: RotatingFile,
    background: Option<NonBlocking>,
    args: &WriterArgs,
    thread: u32,
) -> std::io::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(args.lines as usize);
    match (args.mode, background) {
        (WriterMode::NonBlocking, Some(mut writer)) => {
            write_io(&mut writer, args, thread, &mut latencies)?;
        }
        (WriterMode::TracingNonBlocking, Some(writer)) => {
            write_events(writer, args, thread, &mut latencies);
        }
        (WriterMode::Tracing, _) => write_events(log.clone(), args, thread, &mut latencies),
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
    latencies: &mut Vec<Duration>,
) -> std::io::Result<()> {
    let mut line = Vec::with_capacity(args.line_size);
    let began = Instant::now();
    for seq in 0..args.lines {
        pace(args.rate, began, seq);
        record::line(&mut line, (args.id, thread), seq, args.line_size);
        let start = Instant::now();
        writer.write_all(&line)?;
        latencies.push(start.elapsed());
    }
    writer.flush()
}

/// One `tracing` event per line through the fmt layer, timed.
fn write_events<W>(writer: W, args: &WriterArgs, thread: u32, latencies: &mut Vec<Duration>)
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .without_time()
        .with_level(false)
        .with_target(false)
        .with_ansi(false)
        .finish();
    let mut line = Vec::with_capacity(args.line_size);
    let began = Instant::now();
    tracing::subscriber::with_default(subscriber, || {
        for seq in 0..args.lines {
            pace(args.rate, began, seq);
            record::line(&mut line, (args.id, thread), seq, args.line_size);
            // The fmt layer adds the newline.
            let text = std::str::from_utf8(&line[..line.len() - 1]).expect("lines are ASCII");
            let start = Instant::now();
            tracing::info!("{text}");
            latencies.push(start.elapsed());
        }
    });
}

/// The baseline loops: what the kernel costs with nothing of the library.
fn raw_loop(args: &WriterArgs) -> Result<(), Box<dyn std::error::Error>> {
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
    let mut batch = Vec::with_capacity(64 * 1024 + args.line_size);
    let mut latencies = Vec::with_capacity(args.lines as usize);
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
        latencies.push(start.elapsed());
    }
    file.write_all(&batch)?;
    let (p50, p99, max) = percentiles(latencies);
    println!(
        "done {} {} {} {}",
        args.lines,
        p50.as_nanos(),
        p99.as_nanos(),
        max.as_nanos()
    );
    Ok(())
}

/// The median, 99th percentile and largest of the latencies.
fn percentiles(mut latencies: Vec<Duration>) -> (Duration, Duration, Duration) {
    if latencies.is_empty() {
        return (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    }
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (at(0.50), at(0.99), at(1.0))
}

/// Forks: `Some(0)` in the child, `Some(child's pid)` in the parent.
fn fork() -> Option<libc::pid_t> {
    // SAFETY: called before this process spawns any thread, so the child is a
    // faithful single-threaded copy. std has no fork().
    match unsafe { libc::fork() } {
        -1 => panic!("fork failed: {}", std::io::Error::last_os_error()),
        pid => Some(pid),
    }
}

fn wait_for(pid: libc::pid_t) -> std::io::Result<()> {
    let mut status = 0;
    // SAFETY: waiting for our own child with a valid out-pointer.
    if unsafe { libc::waitpid(pid, &mut status, 0) } == -1 {
        return Err(std::io::Error::last_os_error());
    }
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "forked child failed: status {status}"
        )))
    }
}
