//! What a record filter (`Builder::filter`) costs a record, beside no
//! filter, in interleaved rounds so that the machine's drift falls on all:
//! a 120-byte line through `io::Write` and a `tracing` event, with no
//! filter, with one that keeps everything, and with the seed's noise
//! filter (a search for "HTTP Request:" that finds nothing). Through
//! `non_blocking` the filter runs on the background thread, not in the
//! log call.
//!
//! ```text
//! cargo bench --bench filter
//! scripts/filter-cost.sh      # the same, and the median of the rounds' ratios
//! ```

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use concurrent_rotating_file::{Builder, RotatingFile};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MIB: u64 = 1024 * 1024;
const ROUNDS: usize = 5;

fn builder(dir: &Path, name: &str) -> Builder {
    RotatingFile::builder(dir.join(name))
        .max_bytes(MIB)
        .backups(10)
}

/// The files: no filter, a filter that keeps everything, the noise filter.
fn files(dir: &Path) -> [(&'static str, RotatingFile); 3] {
    let noise = memchr::memmem::Finder::new(b"HTTP Request:").into_owned();
    [
        ("none", builder(dir, "none.log").open().unwrap()),
        (
            "keep_all",
            builder(dir, "keep.log")
                .filter(|_: &[u8]| true)
                .open()
                .unwrap(),
        ),
        (
            "no_match",
            builder(dir, "noise.log")
                .filter(move |record: &[u8]| noise.find(record).is_none())
                .open()
                .unwrap(),
        ),
    ]
}

fn per_record(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut line = vec![b'x'; 119];
    line.push(b'\n');
    let mut group = c.benchmark_group("filter");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let files = files(dir.path());
    for round in 0..ROUNDS {
        for (name, file) in &files {
            let mut w = file.clone();
            group.bench_function(format!("write_120B_{name}_r{round}"), |b| {
                b.iter(|| w.write_all(black_box(&line)).unwrap())
            });
        }
        for (name, file) in &files {
            let subscriber = tracing_subscriber::fmt()
                .with_writer(file.clone())
                .with_ansi(false)
                .finish();
            tracing::subscriber::with_default(subscriber, || {
                group.bench_function(format!("event_{name}_r{round}"), |b| {
                    b.iter(|| tracing::info!(request = 42, "served {}", black_box("/index.html")))
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, per_record);
criterion_main!(benches);
