//! The cost of one record in one process, side by side with the peers and
//! the floor: 120-byte lines through `io::Write`, formatted `tracing`
//! events, and the cost of a rotation as the chain grows (the whole call,
//! and the time it holds the lock). Every rotating
//! writer rotates at 1 MiB keeping 10 backups. Multi-process throughput is
//! measured by `crf-stress` and `scripts/compare-writers.sh` instead.
//!
//! ```text
//! cargo bench --bench per_record
//! ```

use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::Path;

use concurrent_rotating_file::{Period, RotatingFile};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use log4rs::append::Append;
use log4rs::append::rolling_file::RollingFileAppender;
use log4rs::append::rolling_file::policy::compound::CompoundPolicy;
use log4rs::append::rolling_file::policy::compound::roll::fixed_window::FixedWindowRoller;
use log4rs::append::rolling_file::policy::compound::trigger::size::SizeTrigger;
use log4rs::encode::pattern::PatternEncoder;

const MIB: u64 = 1024 * 1024;

fn line() -> Vec<u8> {
    let mut line = vec![b'x'; 119];
    line.push(b'\n');
    line
}

fn ours(dir: &Path, name: &str) -> RotatingFile {
    RotatingFile::builder(dir.join(name))
        .max_bytes(MIB)
        .backups(10)
        .open()
        .unwrap()
}

fn log4rs_appender(dir: &Path) -> RollingFileAppender {
    let roller = FixedWindowRoller::builder()
        .build(&format!("{}/log4rs.log.{{}}", dir.display()), 10)
        .unwrap();
    let policy = CompoundPolicy::new(Box::new(SizeTrigger::new(MIB)), Box::new(roller));
    RollingFileAppender::builder()
        .encoder(Box::new(PatternEncoder::new("{m}{n}")))
        .build(dir.join("log4rs.log"), Box::new(policy))
        .unwrap()
}

fn io_write(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let line = line();
    let mut group = c.benchmark_group("one_line_120B");
    group.throughput(Throughput::Elements(1));

    group.bench_function("raw_flock_write_unlock", |b| {
        let lock = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(".__raw.lock"))
            .unwrap();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("raw.log"))
            .unwrap();
        b.iter(|| {
            lock.lock().unwrap();
            file.write_all(black_box(&line)).unwrap();
            lock.unlock().unwrap();
        });
    });
    group.bench_function("bufwriter_file_no_rotation", |b| {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("buf.log"))
            .unwrap();
        let mut file = BufWriter::new(file);
        b.iter(|| file.write_all(black_box(&line)).unwrap());
    });
    // Our handles are opened once, outside the closures, which criterion
    // calls once per sample: a handle opened for each sample would time
    // its first records only, taken with the flock until its first look
    // at whether it has the log to itself, 100 ms after opening.
    let mut log = ours(dir, "sync.log");
    group.bench_function("rotating_file_write_all", |b| {
        b.iter(|| log.write_all(black_box(&line)).unwrap());
    });
    // The same log with another handle open (as another process would
    // hold it): every record takes the flock, as on a system without
    // presence marks (macOS, FreeBSD: see docs/platforms.md).
    let other = ours(dir, "sync.log");
    group.bench_function("rotating_file_write_all_not_alone", |b| {
        b.iter(|| log.write_all(black_box(&line)).unwrap());
    });
    drop(other);
    let mut log = RotatingFile::builder(dir.join("hourly.log"))
        .max_bytes(MIB)
        .rotate_every(Period::Hour)
        .open()
        .unwrap();
    group.bench_function("rotating_file_write_all_hourly", |b| {
        b.iter(|| log.write_all(black_box(&line)).unwrap());
    });
    let (mut writer, guard) = ours(dir, "nb.log").non_blocking();
    group.bench_function("rotating_file_non_blocking", |b| {
        b.iter(|| writer.write_all(black_box(&line)).unwrap());
    });
    drop(guard);
    group.bench_function("tracing_appender_never", |b| {
        let mut appender = tracing_appender::rolling::never(dir, "ta.log");
        b.iter(|| appender.write_all(black_box(&line)).unwrap());
    });
    group.bench_function("tracing_appender_non_blocking_lossless", |b| {
        let appender = tracing_appender::rolling::never(dir, "ta-nb.log");
        let (mut writer, _guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
            .lossy(false)
            .finish(appender);
        b.iter(|| writer.write_all(black_box(&line)).unwrap());
    });
    group.bench_function("file_rotate", |b| {
        use file_rotate::{
            ContentLimit, FileRotate, compression::Compression, suffix::AppendCount,
        };
        let mut log = FileRotate::new(
            dir.join("fr.log"),
            AppendCount::new(10),
            ContentLimit::Bytes(MIB as usize),
            Compression::None,
            None,
        );
        b.iter(|| log.write_all(black_box(&line)).unwrap());
    });
    group.bench_function("log4rs_rolling_file", |b| {
        let appender = log4rs_appender(dir);
        let message = std::str::from_utf8(&line[..119]).unwrap();
        b.iter(|| {
            appender
                .append(
                    &log::Record::builder()
                        .args(format_args!("{}", black_box(message)))
                        .build(),
                )
                .unwrap()
        });
    });
    group.finish();
}

fn tracing_events(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("tracing_event");
    group.throughput(Throughput::Elements(1));
    fn bench<W>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        writer: W,
    ) where
        W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
    {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            group.bench_function(name, |b| {
                b.iter(|| {
                    tracing::info!(
                        request = 42,
                        status = 200,
                        "served {}",
                        black_box("/index.html")
                    )
                });
            });
        });
    }
    bench(&mut group, "rotating_file", ours(dir, "sync.log"));
    let (writer, _guard) = ours(dir, "nb.log").non_blocking();
    bench(&mut group, "rotating_file_non_blocking", writer);
    bench(
        &mut group,
        "tracing_appender_never",
        tracing_appender::rolling::never(dir, "ta.log"),
    );
    let (writer, _ta_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(tracing_appender::rolling::never(dir, "ta-nb.log"));
    bench(&mut group, "tracing_appender_non_blocking_lossless", writer);
    group.finish();
}

/// One write that rotates with the chain full, as `backups` grows, the
/// whole call: the numbered shift renames every backup (above 16 backups,
/// after the lock, in batches); time-named and restart-proof backups never
/// move, but retention lists the directory (time-named) or drops the
/// oldest (restart-proof).
fn rotation(c: &mut Criterion) {
    let mut group = c.benchmark_group("rotation_with_full_chain");
    group.sample_size(20);
    for backups in [10, 100, 1000] {
        for (naming, period, restart_proof) in [
            ("numbered", None, false),
            ("timed", Some(Period::Hour), false),
            ("restart_proof", None, true),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let mut log = full_chain(dir.path(), backups, period, false, restart_proof);
            group.bench_function(format!("{naming}_backups_{backups}"), |b| {
                b.iter(|| log.write_all(b"a record\n").unwrap())
            });
        }
    }
    group.finish();
}

/// How long one rotation with the chain full holds the lock (from
/// `Stats::rotation_lock_hold`), as `backups` grows: numbered with the
/// whole shift under the lock (as every numbered rotation did before; still
/// so with Python's lock, used here to get it), numbered with the shift
/// left for after the lock, and time-named. The longest batch of a shift
/// left for after the lock is printed on stderr.
fn rotation_lock_hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("rotation_lock_hold");
    group.sample_size(20);
    for backups in [10, 100, 1000] {
        let kinds = [
            ("numbered_whole_shift", None, true, false),
            ("numbered", None, false, false),
            ("timed", Some(Period::Hour), false, false),
            ("restart_proof", None, false, true),
        ];
        for (naming, period, python, restart_proof) in kinds {
            let dir = tempfile::tempdir().unwrap();
            let mut log = full_chain(dir.path(), backups, period, python, restart_proof);
            group.bench_function(format!("{naming}_backups_{backups}"), |b| {
                b.iter_custom(|iters| {
                    let before = log.stats().rotation_lock_hold;
                    for _ in 0..iters {
                        log.write_all(b"a record\n").unwrap();
                    }
                    log.stats().rotation_lock_hold - before
                })
            });
            eprintln!(
                "{naming}_backups_{backups}: longest rotation hold {:?}, longest shift batch hold {:?}",
                log.stats().longest_rotation_lock_hold,
                log.stats().longest_shift_batch_lock_hold
            );
        }
    }
    group.finish();
}

/// A log in `dir` whose every 10-byte record overflows max_bytes(1), with
/// its chain of `backups` full.
fn full_chain(
    dir: &Path,
    backups: usize,
    period: Option<Period>,
    python: bool,
    restart_proof: bool,
) -> RotatingFile {
    let mut builder = RotatingFile::builder(dir.join("app.log"))
        .max_bytes(1)
        .backups(backups)
        .share_with_python(python)
        .restart_proof(restart_proof);
    if let Some(period) = period {
        builder = builder.rotate_every(period);
    }
    let mut log = builder.open().unwrap();
    for _ in 0..=backups {
        log.write_all(b"a record\n").unwrap();
    }
    log
}

criterion_group!(
    benches,
    io_write,
    tracing_events,
    rotation,
    rotation_lock_hold
);
criterion_main!(benches);
