//! Gzip of a 1 MiB log file at levels 1, 6 and 9, with whichever flate2
//! backend this build uses. Compare the backends by running it twice:
//!
//! ```text
//! cargo bench --bench gzip                                          # zlib-rs
//! cargo bench --bench gzip --no-default-features --features tracing # miniz_oxide
//! ```

use std::hint::black_box;
use std::io::Write;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A megabyte of log lines that vary the way real ones do.
fn log_text() -> Vec<u8> {
    let mut text = Vec::with_capacity(1 << 20);
    let mut i: u64 = 0;
    while text.len() < 1 << 20 {
        i += 1;
        let hash = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        writeln!(
            text,
            "2026-11-24T03:{:02}:{:02}.{:06}Z  INFO http{{method=GET path=/api/v1/items/{} status={}}}: served in {} us",
            (i / 60) % 60,
            i % 60,
            hash % 1_000_000,
            hash % 10_000,
            [200, 200, 200, 404, 500][(hash % 5) as usize],
            hash % 5_000
        )
        .unwrap();
    }
    text.truncate(1 << 20);
    text
}

fn gzip(c: &mut Criterion) {
    let text = log_text();
    let mut group = c.benchmark_group("gzip_1MiB_log");
    group.throughput(Throughput::Bytes(text.len() as u64));
    for level in [1, 6, 9] {
        let size = {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
            encoder.write_all(&text).unwrap();
            encoder.finish().unwrap().len()
        };
        eprintln!(
            "level {level}: {} bytes -> {size} bytes ({:.1}%)",
            text.len(),
            100.0 * size as f64 / text.len() as f64
        );
        group.bench_function(format!("level_{level}"), |b| {
            b.iter(|| {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(1 << 18),
                    flate2::Compression::new(level),
                );
                encoder.write_all(black_box(&text)).unwrap();
                encoder.finish().unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, gzip);
criterion_main!(benches);
