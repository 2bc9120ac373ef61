//! Gzip of backups in one process: off the writers' path (guarantee: gzip
//! off the lock), and the chain rules with both forms (guarantee: an
//! unbroken chain). Kills and many processes are in the tools'
//! `gzip_processes` tests.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use concurrent_rotating_file::{Compression, RotatingFile};
use test_support::names;

#[test]
fn backups_are_gzipped_and_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(30)
        .backups(5)
        .compression(Compression::Gzip)
        .open()
        .unwrap();
    for i in 0..9 {
        writeln!(log, "line {i:03} of the log").unwrap(); // 21 bytes: one per file
    }
    drop(log); // waits for the compressions
    assert_eq!(
        names(dir.path()),
        [
            ".concurrent-rotating-file",
            "app.log",
            "app.log.1.gz",
            "app.log.2.gz",
            "app.log.3.gz",
            "app.log.4.gz",
            "app.log.5.gz"
        ]
    );
    assert_eq!(
        common::gunzip(&dir.path().join("app.log.1.gz")),
        "line 007 of the log\n"
    );
    assert_eq!(
        common::gunzip(&dir.path().join("app.log.5.gz")),
        "line 003 of the log\n"
    );
}

#[test]
fn writers_never_hold_the_lock_for_the_length_of_a_compression() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let mut log = RotatingFile::builder(&path)
        .max_bytes(16 * 1024 * 1024)
        .backups(3)
        .compression(Compression::Gzip)
        .compression_level(9)
        .open()
        .unwrap();
    // 16 MiB of varied text: a level-9 gzip of it takes a while.
    let mut line = String::new();
    for i in 0..(16 * 1024 * 1024 / 100_usize) {
        line.clear();
        use std::fmt::Write as _;
        write!(
            line,
            "{i:08} {:>90}",
            i.wrapping_mul(2_654_435_761_u64 as usize) % 1_000_003
        )
        .unwrap();
        writeln!(log, "{line}").unwrap();
    }
    writeln!(log, "rotates").unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while log.stats().compressed == 0 && Instant::now() < deadline {
        writeln!(log, "writing on while the backup is compressed").unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
    let stats = log.stats();
    eprintln!(
        "level-9 gzip of a 16 MiB backup took {:?}; the compressor held the lock at most {:?}",
        stats.longest_compression, stats.longest_compressor_lock_hold
    );
    assert_eq!(stats.compressed, 1, "{stats:?}");
    // Both figures are the library's own timings of one run: the lock is
    // held for the renames around the compression, never across it.
    assert!(
        stats.longest_compressor_lock_hold * 20 < stats.longest_compression,
        "the compressor held the lock too long: {stats:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_compression_claimed_by_another_process_is_left_to_it() {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("app.log.1");
    std::fs::write(&backup, "a backup\n").unwrap();
    // Another compressor is writing this backup's temporary file.
    let ino = std::fs::metadata(&backup).unwrap().ino();
    let temp = common::own_file(dir.path(), &format!("app.log.{ino}.gz.tmp"));
    std::fs::create_dir(temp.parent().unwrap()).unwrap();
    std::fs::write(&temp, "someone else's work").unwrap();
    let held = std::fs::File::open(&temp).unwrap();
    held.lock().unwrap();
    // Opening queues the plain backup; dropping waits for the compressor.
    drop(
        RotatingFile::builder(dir.path().join("app.log"))
            .compression(Compression::Gzip)
            .open()
            .unwrap(),
    );
    assert_eq!(
        std::fs::read_to_string(&temp).unwrap(),
        "someone else's work"
    );
    assert!(backup.exists() && !dir.path().join("app.log.1.gz").exists());
}

#[test]
fn a_plain_backup_beside_a_gz_made_from_other_data_is_kept_never_deleted() {
    // A writer's backups are gzipped; then an operator (or an outside
    // log rotator) moves the live file to `app.log.1`, beside the existing
    // `app.log.1.gz`. The next writer must not take the plain file for a
    // leftover of its own compressor and delete it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let open = || {
        RotatingFile::builder(&path)
            .max_bytes(100)
            .backups(50)
            .compression(Compression::Gzip)
            .open()
            .unwrap()
    };
    let mut log = open();
    for i in 1..=6 {
        writeln!(log, "{i} padding padding padding").unwrap();
    }
    drop(log); // waits for the compressions
    assert!(dir.path().join("app.log.1.gz").exists());
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    let mut log = open();
    // The next rotation lists the chain (an opening after a clean stop
    // does not), finds both and moves them along together.
    writeln!(log, "x").unwrap();
    assert!(log.rotate().unwrap());
    assert_eq!(log.stats().twins_kept, 1);
    drop(log);
    let mut lines: Vec<String> = Vec::new();
    for name in names(dir.path()) {
        let file = dir.path().join(&name);
        let text = if name.ends_with(".gz") {
            common::gunzip(&file)
        } else if name.starts_with("app.log") {
            std::fs::read_to_string(&file).unwrap()
        } else {
            continue;
        };
        lines.extend(text.lines().map(str::to_owned));
    }
    lines.sort();
    let mut expected: Vec<String> = (1..=6)
        .map(|i| format!("{i} padding padding padding"))
        .collect();
    expected.push("x".into());
    assert_eq!(lines, expected);
}
