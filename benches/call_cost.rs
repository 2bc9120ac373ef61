//! What one log call costs the caller, side by side with the peers in one
//! run: a 120-byte `io::Write` and a `tracing` event through the
//! synchronous writer (against tracing-appender's `rolling::never`, same
//! formatting, and for the `io::Write`, file-rotate rotating as ours
//! does), and one call
//! into the background writer, an `io::Write` of a 120-byte line and a
//! `tracing` event (against tracing-appender's `non_blocking`, lossless as
//! ours is by default). Our files rotate at 1 MiB keeping 10 backups.
//!
//! ```text
//! cargo bench --bench call_cost
//! ```
//!
//! A background writer's call is timed while its queue has room: the
//! calls go in bursts of [`BURST`] (fewer than either queue holds), and
//! between bursts, untimed, each writer is let write out what it was sent.
//! In a loop that never pauses, a call would instead wait for room, and
//! the bench would time how fast the thread writes, not the call.
//!
//! The machines are noisy: each comparison runs in interleaved rounds,
//! `<bench>_r<round>`; `scripts/call-cost.sh` runs this bench and prints
//! each bench's median over the rounds, and the median of the rounds'
//! ratios to the peer.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use concurrent_rotating_file::RotatingFile;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tracing_subscriber::fmt::MakeWriter;

const MIB: u64 = 1024 * 1024;

/// Interleaved rounds of each comparison.
const ROUNDS: usize = 5;

/// Calls timed in a row before the background writers are let catch up:
/// fewer than our queue's 4096 records and tracing-appender's 128,000.
const BURST: u64 = 2000;

fn ours(dir: &Path, name: &str) -> RotatingFile {
    RotatingFile::builder(dir.join(name))
        .max_bytes(MIB)
        .backups(10)
        .open()
        .unwrap()
}

fn line() -> Vec<u8> {
    let mut line = vec![b'x'; 119];
    line.push(b'\n');
    line
}

/// tracing-appender's `rolling::never` writer on `name`, started on an
/// empty file. Its file never rotates: kept over the rounds, it would grow
/// to gigabytes, and the kernel's writeback of so many dirty pages would
/// slow its later rounds, where our files and file-rotate's, rotated and
/// deleted within a second, never meet it.
fn never_afresh(dir: &Path, name: &str) -> tracing_appender::rolling::RollingFileAppender {
    match std::fs::remove_file(dir.join(name)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("remove {name}: {e}"),
        _ => {}
    }
    tracing_appender::rolling::never(dir, name)
}

/// The event every writer is given: the same formatting for all, the fmt
/// layer's default (with its timestamp), without colours.
fn event() {
    tracing::info!(
        request = 42,
        status = 200,
        "served {}",
        black_box("/index.html")
    );
}

fn with_subscriber<W>(writer: W, f: impl FnOnce())
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
}

/// A synchronous `io::Write` of a line and `tracing` event, goal: at most
/// the peers' cost.
fn sync_event(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("sync");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let line = line();
    let file = ours(dir, "sync.log");
    let mut rotating_peer = {
        use file_rotate::{
            ContentLimit, FileRotate, compression::Compression, suffix::AppendCount,
        };
        FileRotate::new(
            dir.join("peer-rotating.log"),
            AppendCount::new(10),
            ContentLimit::Bytes(MIB as usize),
            Compression::None,
            None,
        )
    };
    for round in 0..ROUNDS {
        let mut ours = file.clone();
        group.bench_function(format!("write_120B_rotating_file_r{round}"), |b| {
            b.iter(|| ours.write_all(black_box(&line)).unwrap())
        });
        let mut theirs = never_afresh(dir, "peer.log");
        group.bench_function(format!("write_120B_tracing_appender_r{round}"), |b| {
            b.iter(|| theirs.write_all(black_box(&line)).unwrap())
        });
        group.bench_function(format!("write_120B_file_rotate_r{round}"), |b| {
            b.iter(|| rotating_peer.write_all(black_box(&line)).unwrap())
        });
        with_subscriber(file.clone(), || {
            group.bench_function(format!("event_rotating_file_r{round}"), |b| b.iter(event));
        });
        with_subscriber(never_afresh(dir, "peer.log"), || {
            group.bench_function(format!("event_tracing_appender_r{round}"), |b| {
                b.iter(event)
            });
        });
    }
    group.finish();
}

/// Times `BURST` calls of `call` per round trip, letting the writer catch
/// up (`settle`) untimed in between.
fn bursts(iters: u64, mut call: impl FnMut(), mut settle: impl FnMut()) -> Duration {
    let mut timed = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(BURST);
        settle();
        let start = Instant::now();
        for _ in 0..n {
            call();
        }
        timed += start.elapsed();
        left -= n;
    }
    settle();
    timed
}

/// Waits until tracing-appender's worker has written everything sent: it
/// writes in order, so once a marker line sent last is at the end of the
/// file, everything before it is in.
fn peer_settle(writer: &mut tracing_appender::non_blocking::NonBlocking, path: &Path) {
    const MARKER: &[u8] = b"-- settled --\n";
    writer.write_all(MARKER).unwrap();
    let mut tail = [0; MARKER.len()];
    loop {
        let mut file = std::fs::File::open(path).unwrap();
        let len = file.metadata().unwrap().len();
        if let Some(at) = len.checked_sub(MARKER.len() as u64) {
            use std::io::{Read, Seek, SeekFrom};
            file.seek(SeekFrom::Start(at)).unwrap();
            file.read_exact(&mut tail).unwrap();
            if tail == MARKER {
                return;
            }
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// One call into a background writer while its queue has room, goal: at
/// most 1.2x the peer's.
fn non_blocking_call(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut group = c.benchmark_group("non_blocking");
    group.throughput(Throughput::Elements(1));
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(1));
    let line = line();
    let (writer, _guard) = ours(dir, "nb.log").non_blocking();
    let (peer, _peer_guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .finish(tracing_appender::rolling::never(dir, "peer-nb.log"));
    let peer_path = dir.join("peer-nb.log");
    for round in 0..ROUNDS {
        let mut ours = writer.clone();
        let mut settle = ours.clone();
        group.bench_function(format!("write_120B_rotating_file_r{round}"), |b| {
            b.iter_custom(|iters| {
                bursts(
                    iters,
                    || ours.write_all(black_box(&line)).unwrap(),
                    || settle.flush().unwrap(),
                )
            })
        });
        let (mut theirs, mut settle) = (peer.clone(), peer.clone());
        group.bench_function(format!("write_120B_tracing_appender_r{round}"), |b| {
            b.iter_custom(|iters| {
                bursts(
                    iters,
                    || theirs.write_all(black_box(&line)).unwrap(),
                    || peer_settle(&mut settle, &peer_path),
                )
            })
        });
        let mut settle = writer.clone();
        with_subscriber(writer.clone(), || {
            group.bench_function(format!("event_rotating_file_r{round}"), |b| {
                b.iter_custom(|iters| bursts(iters, event, || settle.flush().unwrap()))
            });
        });
        let mut settle = peer.clone();
        with_subscriber(peer.clone(), || {
            group.bench_function(format!("event_tracing_appender_r{round}"), |b| {
                b.iter_custom(|iters| bursts(iters, event, || peer_settle(&mut settle, &peer_path)))
            });
        });
    }
    group.finish();
}

criterion_group!(benches, sync_event, non_blocking_call);
criterion_main!(benches);
