//! `crf-stress`: many real processes write numbered lines to one rotating
//! log through the library, then every file is read back and checked against
//! the invariants: nothing lost, duplicated, torn or out of order, no file
//! over the limit, a whole backup chain.

mod writer_process;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use concurrent_rotating_file::{Compression, RotatingFile};
use indicatif::{ProgressBar, ProgressStyle};

use crf_tools::verify::{self, Expectation, Report};
use writer_process::{WriterArgs, WriterMode};

/// Stress-test concurrent-rotating-file with many processes and verify the
/// result.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    writer: Option<Internal>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Internal {
    /// Internal: one writer process.
    #[command(hide = true)]
    Writer(WriterArgs),
}

#[derive(Debug, Clone, clap::Args)]
struct RunArgs {
    /// Writer processes.
    #[arg(long, short = 'p', default_value_t = 8)]
    processes: u32,
    /// Lines each thread writes.
    #[arg(long, short = 'n', default_value_t = 25_000)]
    lines: u64,
    /// Threads per process, each through its own clone of one handle.
    #[arg(long, default_value_t = 1)]
    threads: u32,
    /// Bytes per line, newline included.
    #[arg(long, default_value_t = 120)]
    line_size: usize,
    /// Rotation size.
    #[arg(long, default_value_t = 256 * 1024)]
    max_bytes: u64,
    /// Backups to keep. Default: enough that nothing is pruned, so every
    /// line can be verified.
    #[arg(long)]
    backups: Option<usize>,
    /// How the writer processes write.
    #[arg(long, value_enum, default_value_t = WriterMode::Sync)]
    mode: WriterMode,
    /// Gzip the backups.
    #[arg(long)]
    gzip: bool,
    /// Pace each Rust writer thread to at most this many lines per second
    /// (0: as fast as it can), for example so that Rust and Python writers,
    /// which start slower, overlap.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// Add this many writers using Python's ConcurrentRotatingFileHandler
    /// on the same file (the Rust writers then check the path before every
    /// record, as they must beside foreign writers).
    #[arg(long, default_value_t = 0)]
    python: u32,
    /// Run the same workload with Python's handler alone: every one of the
    /// `--processes` writers is a Python process.
    #[arg(long)]
    only_python: bool,
    /// The Python interpreter for `--python` and `--only-python`; it needs
    /// the `concurrent-log-handler` package.
    #[arg(long, env = "CRF_PYTHON", default_value = "python3")]
    python_bin: String,
    /// SIGKILL this many random writer processes at random moments.
    #[arg(long, default_value_t = 0)]
    kill: u32,
    /// Where to write. Default: a fresh temporary directory, removed on
    /// success and kept on failure.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Internal::Writer(args)) = cli.writer {
        return match writer_process::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("crf-stress writer {}: {e}", args.id);
                ExitCode::FAILURE
            }
        };
    }
    match run(&cli.run) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("crf-stress: {e}");
            ExitCode::from(2)
        }
    }
}

/// Outcome of the writer processes, as they reported it.
#[derive(Debug, Default)]
struct Outcome {
    killed: Vec<u32>,
    failed: Vec<String>,
    p50: Vec<u64>,
    p99: Vec<u64>,
    max: Vec<u64>,
}

fn run(args: &RunArgs) -> Result<bool, Box<dyn std::error::Error>> {
    let (dir, temp) = match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            (dir.clone(), None)
        }
        None => {
            let temp = tempfile::Builder::new().prefix("crf-stress-").tempdir()?;
            (temp.path().to_path_buf(), Some(temp))
        }
    };
    let log = dir.join("app.log");
    let total_bytes = args.total_lines() * args.line_size as u64;
    let backups = args.backups.unwrap_or_else(|| match args.max_bytes {
        0 => 1,
        max => usize::try_from(total_bytes / max.max(1) * 2 + 8).unwrap_or(usize::MAX),
    });

    let started = Instant::now();
    let outcome = run_writers(args, &log, backups)?;
    let elapsed = started.elapsed();

    let writers: BTreeMap<_, _> = (0..args.total_processes())
        .flat_map(|p| {
            let threads = if args.is_python(p) { 1 } else { args.threads };
            (0..threads).map(move |t| ((p, t), args.lines))
        })
        .collect();
    let expect = Expectation {
        log: log.clone(),
        max_bytes: args.max_bytes,
        backups,
        line_size: args.line_size,
        writers,
        killed: outcome.killed.clone(),
        // After the next writer's repair, even with kills.
        all_gzipped: args.gzip && args.max_bytes > 0,
        foreign: (0..args.total_processes())
            .filter(|&p| args.is_python(p))
            .collect(),
        rotations: None,
    };
    // Open the log as the next writer would: that repairs what killed
    // writers left (unfinished compressions, parked backups), and dropping
    // it waits for the compressions it queued.
    let compression = if args.gzip {
        Compression::Gzip
    } else {
        Compression::None
    };
    let next_writer = RotatingFile::builder(&log)
        .max_bytes(args.max_bytes)
        .backups(backups)
        .compression(compression)
        .open()?;
    let rotations = next_writer.rotations();
    drop(next_writer);
    let mut report = verify::verify(&expect)?;
    report.problems.extend(outcome.failed.iter().cloned());
    print_report(args, &report, &outcome, elapsed, rotations, backups);
    let ok = report.ok();
    match temp {
        Some(temp) if !ok => eprintln!("crf-stress: files kept in {}", temp.keep().display()),
        Some(_) => {}
        None => {}
    }
    Ok(ok)
}

impl RunArgs {
    fn total_processes(&self) -> u32 {
        self.processes + if self.only_python { 0 } else { self.python }
    }

    fn is_python(&self, process: u32) -> bool {
        self.only_python || process >= self.processes
    }

    fn total_lines(&self) -> u64 {
        (0..self.total_processes())
            .map(|p| {
                if self.is_python(p) {
                    self.lines
                } else {
                    self.lines * u64::from(self.threads)
                }
            })
            .sum()
    }
}

/// The Python writer, written out for the interpreter to run.
const PYTHON_WRITER: &str = include_str!("python_writer.py");

/// Checks that the interpreter has Python's handler, with a clear error.
fn check_python(python: &str) -> std::io::Result<()> {
    let missing = |why: String| {
        std::io::Error::other(format!(
            "Python's ConcurrentRotatingFileHandler is not available to `{python}` ({why}); install it with `{python} -m pip install concurrent-log-handler` or name another interpreter with --python-bin"
        ))
    };
    let status = Command::new(python)
        .args(["-c", "import concurrent_log_handler"])
        .stderr(Stdio::null())
        .status()
        .map_err(|e| missing(e.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(missing("the import fails".into()))
    }
}

fn run_writers(args: &RunArgs, log: &std::path::Path, backups: usize) -> std::io::Result<Outcome> {
    let exe = std::env::current_exe()?;
    let python_script = if args.python > 0 || args.only_python {
        check_python(&args.python_bin)?;
        let mut script = tempfile::Builder::new()
            .prefix("crf-python-writer-")
            .suffix(".py")
            .tempfile()?;
        std::io::Write::write_all(&mut script, PYTHON_WRITER.as_bytes())?;
        Some(script)
    } else {
        None
    };
    let mut children: Vec<(u32, Child)> = Vec::new();
    for id in 0..args.total_processes() {
        let mut command = match &python_script {
            Some(script) if args.is_python(id) => {
                let mut command = Command::new(&args.python_bin);
                command
                    .arg(script.path())
                    .arg(log)
                    .arg(id.to_string())
                    .arg(args.lines.to_string())
                    .arg(args.line_size.to_string())
                    .arg(args.max_bytes.to_string())
                    .arg(backups.to_string())
                    .arg(if args.gzip { "1" } else { "0" });
                command
            }
            _ => {
                let mut command = Command::new(&exe);
                command
                    .arg("writer")
                    .arg("--log")
                    .arg(log)
                    .args(["--id", &id.to_string()])
                    .args(["--lines", &args.lines.to_string()])
                    .args(["--threads", &args.threads.to_string()])
                    .args(["--line-size", &args.line_size.to_string()])
                    .args(["--max-bytes", &args.max_bytes.to_string()])
                    .args(["--backups", &backups.to_string()])
                    .args(["--mode", &args.mode.name()])
                    .args(["--rate", &args.rate.to_string()])
                    .args(args.gzip.then_some("--gzip"))
                    .args((args.python > 0).then_some("--strict"));
                command
            }
        };
        children.push((id, command.stdout(Stdio::piped()).spawn()?));
    }
    monitor(args, log, backups, &mut children)?;
    let mut outcome = Outcome::default();
    for (id, child) in children {
        let output = child.wait_with_output()?;
        use std::os::unix::process::ExitStatusExt;
        if output.status.signal() == Some(libc::SIGKILL) {
            outcome.killed.push(id);
        } else if !output.status.success() {
            outcome
                .failed
                .push(format!("writer {id} failed: {}", output.status));
        } else if let Some(line) = String::from_utf8_lossy(&output.stdout)
            .lines()
            .find(|l| l.starts_with("done "))
        {
            let fields: Vec<u64> = line
                .split(' ')
                .skip(1)
                .filter_map(|f| f.parse().ok())
                .collect();
            if let [_, p50, p99, max] = fields[..] {
                outcome.max.push(max);
                outcome.p50.push(p50);
                outcome.p99.push(p99);
            }
        }
    }
    Ok(outcome)
}

/// Shows progress while the writers run (read from the shared rotation
/// count and the live file's size), and SIGKILLs `args.kill` random writers,
/// each when the run has written a random share of its bytes, so the kills
/// land mid-write, mid-rotation and mid-compression alike.
fn monitor(
    args: &RunArgs,
    log: &std::path::Path,
    backups: usize,
    children: &mut [(u32, Child)],
) -> std::io::Result<()> {
    let total = args.total_lines() * args.line_size as u64;
    let bar = if args.json {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec}",
        )
        .expect("a valid template"),
    );
    let mut rng = Rng::seeded();
    let mut victims: Vec<usize> = (0..children.len()).collect();
    rng.shuffle(&mut victims);
    victims.truncate(args.kill as usize);
    let mut targets: Vec<(u64, usize)> = victims
        .iter()
        .map(|&v| (rng.below(total * 9 / 10), v))
        .collect();
    targets.sort_unstable_by(|a, b| b.cmp(a)); // popped from the end, smallest first
    let watch = RotatingFile::builder(log)
        .max_bytes(args.max_bytes)
        .backups(backups)
        .open()?;
    loop {
        let live = std::fs::metadata(log).map_or(0, |m| m.len());
        let written = watch.rotations() * args.max_bytes + live;
        bar.set_position(written.min(total));
        while targets.last().is_some_and(|&(target, _)| target <= written) {
            let (_, victim) = targets.pop().expect("checked");
            // SIGKILL; a no-op for a child already reaped (its pid may have
            // been reused), which `kill(2)` by pid would not know.
            children[victim].1.kill()?;
        }
        if children
            .iter_mut()
            .all(|(_, c)| matches!(c.try_wait(), Ok(Some(_))))
        {
            break;
        }
        let pause = if targets.is_empty() {
            Duration::from_millis(20)
        } else {
            Duration::from_micros(200)
        };
        std::thread::sleep(pause);
    }
    bar.finish_and_clear();
    Ok(())
}

fn median(values: &[u64]) -> u64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

fn print_report(
    args: &RunArgs,
    report: &Report,
    outcome: &Outcome,
    elapsed: Duration,
    rotations: u64,
    backups: usize,
) {
    let secs = elapsed.as_secs_f64();
    // Pruned lines were written too; a killed writer's count is unknown, so
    // with kills only the lines found count.
    let written = if outcome.killed.is_empty() {
        report.expected
    } else {
        report.found
    };
    let lines_per_s = written as f64 / secs;
    let mb_per_s = (written * args.line_size as u64) as f64 / secs / 1e6;
    let (p50, p99) = (median(&outcome.p50), median(&outcome.p99));
    if args.json {
        let problems: Vec<String> = report.problems.iter().map(|p| format!("{p:?}")).collect();
        println!(
            "{{\"ok\":{},\"processes\":{},\"threads\":{},\"mode\":\"{}\",\"killed\":{},\"lines_expected\":{},\"lines_found\":{},\"lost\":{},\"duplicated\":{},\"torn\":{},\"out_of_order\":{},\"files\":{},\"backups\":{},\"gzip\":{},\"gzipped\":{},\"backups_allowed\":{},\"pruned\":{},\"largest_file\":{},\"max_bytes\":{},\"rotations\":{},\"seconds\":{:.3},\"lines_per_second\":{:.0},\"mb_per_second\":{:.2},\"write_p50_ns\":{},\"write_p99_ns\":{},\"write_max_ns\":{},\"problems\":[{}]}}",
            report.ok(),
            args.processes,
            args.threads,
            args.mode.name(),
            outcome.killed.len(),
            report.expected,
            report.found,
            report.lost,
            report.duplicated,
            report.torn,
            report.out_of_order,
            report.files,
            report.backups,
            args.gzip,
            report.gzipped,
            backups,
            report.pruned,
            report.largest_file,
            args.max_bytes,
            rotations,
            secs,
            lines_per_s,
            mb_per_s,
            p50,
            p99,
            outcome.max.iter().max().copied().unwrap_or(0),
            problems.join(",")
        );
        return;
    }
    println!(
        "crf-stress: {} processes x {} threads x {} lines of {} bytes, mode {}, max_bytes {}, backups {}{}",
        args.processes,
        args.threads,
        args.lines,
        args.line_size,
        args.mode.name(),
        args.max_bytes,
        backups,
        if args.gzip { ", gzip" } else { "" }
    );
    if args.python > 0 || args.only_python {
        let python = if args.only_python {
            args.processes
        } else {
            args.python
        };
        println!(
            "  python writers    {python:>12}  (ConcurrentRotatingFileHandler via {})",
            args.python_bin
        );
    }
    if !outcome.killed.is_empty() {
        println!(
            "  killed writers    {:>12}  {:?} (held to the prefix rule)",
            outcome.killed.len(),
            outcome.killed
        );
    }
    print!("{report}");
    println!("  rotations         {rotations:>12}");
    println!("  wall time         {secs:>12.3}  s");
    println!("  throughput        {lines_per_s:>12.0}  lines/s  ({mb_per_s:.1} MB/s)");
    println!(
        "  write latency     {:>12}  ns p50, {} ns p99 (median over writers), {} ns at most",
        p50,
        p99,
        outcome.max.iter().max().copied().unwrap_or(0)
    );
    println!(
        "{}",
        if report.ok() {
            "OK: every invariant holds"
        } else {
            "FAILED"
        }
    );
}

/// A small xorshift generator: the kills need spread, not quality.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}
