//! What opening a log costs: an existing log with a full chain of 10
//! backups, and a fresh directory, each opened, written one line and
//! closed, beside the floor (an `O_APPEND` open, one `write`, a close) and
//! the locked floor (the same between opening a lock file in a directory
//! of its own, a `flock` and its release: what any writer that shares a
//! log across processes must do, Python's handler included) in the same
//! run. `scripts/perf-goals.sh` prints the ratios.

use std::fs::OpenOptions;
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

use concurrent_rotating_file::RotatingFile;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

const LINE: &[u8] = b"a line of about the usual length, written once after the open\n";

/// The floor: an `O_APPEND` open, one `write`, a close.
fn append_line(path: &Path) {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    file.write_all(LINE).unwrap();
}

fn open(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("open_write_one_line_close");

    group.bench_function("o_append_floor", |b| {
        let path = dir.join("floor.log");
        b.iter(|| append_line(black_box(&path)))
    });

    group.bench_function("flock_floor", |b| {
        let path = dir.join("locked-floor.log");
        let lock_dir = dir.join(".locks");
        std::fs::create_dir_all(&lock_dir).unwrap();
        let lock_path = lock_dir.join("locked-floor.log.lock");
        b.iter(|| {
            let lock = OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(black_box(&lock_path))
                .unwrap();
            lock.lock().unwrap();
            append_line(black_box(&path));
            lock.unlock().unwrap();
        })
    });

    // A full chain: every open sees 10 backups, as a service restarted
    // after weeks of logging does.
    let existing = dir.join("existing.log");
    {
        let mut log = RotatingFile::builder(&existing)
            .max_bytes(64)
            .backups(10)
            .open()
            .unwrap();
        for _ in 0..20 {
            log.write_all(LINE).unwrap();
        }
    }
    group.bench_function("rotating_file_existing_10_backups", |b| {
        b.iter(|| {
            let mut log = RotatingFile::builder(black_box(&existing))
                .max_bytes(1 << 30)
                .backups(10)
                .open()
                .unwrap();
            log.write_all(LINE).unwrap();
        })
    });

    group.bench_function("rotating_file_fresh_directory", |b| {
        b.iter_batched(
            || tempfile::tempdir_in(dir).unwrap(),
            |fresh| {
                let mut log = RotatingFile::builder(fresh.path().join("app.log"))
                    .open()
                    .unwrap();
                log.write_all(LINE).unwrap();
                fresh
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, open);
criterion_main!(benches);
