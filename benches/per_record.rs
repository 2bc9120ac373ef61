//! The cost of one 120-byte record in one process, side by side: our
//! synchronous writer (1 MiB rotation, 10 backups), a formatted `tracing`
//! event through it, and the raw floor, `flock` + `write` + unlock.
//! Multi-process throughput is measured by `crf-stress` instead.
//!
//! ```text
//! cargo bench --bench per_record
//! ```

use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::Write;

use concurrent_rotating_file::RotatingFile;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn line() -> Vec<u8> {
    let mut line = vec![b'x'; 119];
    line.push(b'\n');
    line
}

fn per_record(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let line = line();
    let mut group = c.benchmark_group("one_record_120B");
    group.throughput(Throughput::Elements(1));

    group.bench_function("raw_flock_write_unlock", |b| {
        let lock = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join(".__raw.lock"))
            .unwrap();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("raw.log"))
            .unwrap();
        b.iter(|| {
            lock.lock().unwrap();
            file.write_all(black_box(&line)).unwrap();
            lock.unlock().unwrap();
        });
    });

    group.bench_function("rotating_file_write_all", |b| {
        let mut log = RotatingFile::builder(dir.path().join("sync.log"))
            .open()
            .unwrap();
        b.iter(|| log.write_all(black_box(&line)).unwrap());
    });

    group.bench_function("rotating_file_tracing_event", |b| {
        let log = RotatingFile::builder(dir.path().join("tracing.log"))
            .open()
            .unwrap();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(log)
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
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
    group.finish();
}

criterion_group!(benches, per_record);
criterion_main!(benches);
