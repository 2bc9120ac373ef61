//! What routing costs per event: the same `tracing` event (and the same
//! `log` record) through a single `RotatingFile` and through a `Router`,
//! side by side in one run, with one name and with eight (against eight
//! files chosen by hand); synchronous and through the background writers. Every file rotates at 1 MiB keeping 10
//! backups.
//!
//! ```text
//! cargo bench --bench router
//! ```
//!
//! `scripts/router-ratio.sh` runs it and prints each median and the ratios
//! to the single file (criterion keeps the medians in
//! `target/criterion/<group>/<bench>/new/estimates.json`).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use concurrent_rotating_file::{EventWriter, FileLogger, RotatingFile, Router};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use log::Log;
use tracing_subscriber::fmt::MakeWriter;

const MIB: u64 = 1024 * 1024;

fn file(dir: &Path, name: &str) -> RotatingFile {
    RotatingFile::builder(dir.join(format!("{name}.log")))
        .max_bytes(MIB)
        .backups(10)
        .open()
        .unwrap()
}

fn router(dir: &Path) -> Router {
    let dir = dir.to_path_buf();
    Router::new(move |name: &str| {
        RotatingFile::builder(dir.join(format!("{name}.log")))
            .max_bytes(MIB)
            .backups(10)
    })
}

/// One event of `target`: the only difference between the benchmarks is
/// where it goes.
macro_rules! event {
    ($target:literal) => {
        tracing::info!(target: $target, request = 42, status = 200, "served {}", black_box("/index.html"))
    };
}

/// Eight names in turn.
fn eight_names(i: u32) {
    match i % 8 {
        0 => event!("web"),
        1 => event!("db"),
        2 => event!("jobs"),
        3 => event!("mail"),
        4 => event!("auth"),
        5 => event!("cache"),
        6 => event!("search"),
        _ => event!("billing"),
    }
}

/// The same eight files, chosen by hand: what a service writes without a
/// router (every file opened up front, a map from target to file). The
/// baseline of `router_eight_names`: writing to eight files in turn costs
/// more than to one, routed or not.
struct EightFilesByHand(HashMap<&'static str, RotatingFile>);

impl EightFilesByHand {
    fn open(dir: &Path) -> EightFilesByHand {
        let names = [
            "web", "db", "jobs", "mail", "auth", "cache", "search", "billing",
        ];
        EightFilesByHand(
            names
                .into_iter()
                .map(|name| (name, file(dir, name)))
                .collect(),
        )
    }
}

impl<'a> MakeWriter<'a> for EightFilesByHand {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        self.0["web"].make_writer()
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        self.0[meta.target()].make_writer()
    }
}

fn bench<W>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, writer: W, names: u32)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                match names {
                    1 => event!("web"),
                    _ => eight_names(i),
                }
            })
        });
    });
}

/// The machines are noisy: each comparison runs in interleaved rounds,
/// `<bench>_r<round>`, and `scripts/router-ratio.sh` takes the median of
/// the rounds' ratios.
const ROUNDS: usize = 5;

fn tracing_events(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("router_tracing_event");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let (single_nb, _guard) = file(dir, "single-nb").non_blocking();
    let (router_nb, _router_guard) = router(&dir.join("one-nb")).non_blocking();
    for round in 0..ROUNDS {
        let name = |bench: &str| format!("{bench}_r{round}");
        bench(&mut group, &name("rotating_file"), file(dir, "single"), 1);
        bench(
            &mut group,
            &name("router_one_name"),
            router(&dir.join("one")),
            1,
        );
        let by_hand = EightFilesByHand::open(&dir.join("eight-by-hand"));
        bench(&mut group, &name("eight_files_by_hand"), by_hand, 8);
        bench(
            &mut group,
            &name("router_eight_names"),
            router(&dir.join("eight")),
            8,
        );
        bench(
            &mut group,
            &name("rotating_file_non_blocking"),
            single_nb.clone(),
            1,
        );
        bench(
            &mut group,
            &name("router_non_blocking_one_name"),
            router_nb.clone(),
            1,
        );
    }
    group.finish();
}

fn log_records(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("router_log_record");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let record = |logger: &dyn Log| {
        logger.log(
            &log::Record::builder()
                .level(log::Level::Info)
                .target("web::views")
                .args(format_args!("served {}", black_box("/index.html")))
                .build(),
        )
    };
    let single = FileLogger::new(file(dir, "single"));
    let routed = router(dir);
    for round in 0..ROUNDS {
        group.bench_function(format!("file_logger_r{round}"), |b| {
            b.iter(|| record(&single))
        });
        group.bench_function(format!("router_one_name_r{round}"), |b| {
            b.iter(|| record(&routed))
        });
    }
    group.finish();
}

criterion_group!(benches, tracing_events, log_records);
criterion_main!(benches);
