//! One file per name in one process: each event in the file of its name,
//! files opened on first use and closed beyond the bound, invalid names
//! and files that cannot open sent to the fallback file (never outside the
//! directory), and composition with tracing-subscriber's filters and
//! `MakeWriterExt`. Several processes are in `router_processes.rs`, the
//! background writer in `router_non_blocking.rs`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use concurrent_rotating_file::{ErrorKind, FileLogger, Naming, RotatingFile, Router};
use log::Log;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::MakeWriterExt;

/// A router writing `dir/logs/<name>.log`, recording every name its
/// closure is called with.
fn router(dir: &Path) -> (Router, Arc<Mutex<Vec<String>>>) {
    let logs = dir.join("logs");
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    let router = Router::new(move |name: &str| {
        seen.lock().unwrap().push(name.to_owned());
        RotatingFile::builder(logs.join(format!("{name}.log")))
    });
    (router, asked)
}

fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Everything under `dir`, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            found.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    found.sort();
    found
}

fn with_router<W>(writer: W, events: impl FnOnce())
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, events);
}

#[cfg(unix)]
/// How many descriptors this process holds on the file at `path`: those
/// whose device and inode are its, asked of each descriptor with
/// `fstat(2)` (every system has it; only Linux lists them in `/proc`).
fn descriptors_on(path: &Path) -> usize {
    #[cfg(unix)]
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return 0;
    };
    // SAFETY: sysconf reads a limit and touches no memory.
    let most = unsafe { libc::sysconf(libc::_SC_OPEN_MAX) }.clamp(1024, 1 << 16);
    (0..most as libc::c_int)
        .filter(|&fd| {
            // SAFETY: fstat fills a struct of ours, or fails (EBADF) for a
            // descriptor that is not open.
            let mut stat: libc::stat = unsafe { std::mem::zeroed() };
            let open = unsafe { libc::fstat(fd, &mut stat) } == 0;
            // The fields' types differ between systems.
            #[allow(clippy::unnecessary_cast)]
            let same = stat.st_dev as u64 == meta.dev() && stat.st_ino as u64 == meta.ino();
            open && same
        })
        .count()
}

#[test]
fn an_event_goes_to_the_file_of_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let (router, _) = router(dir.path());
    with_router(router.clone(), || {
        for i in 0..10 {
            tracing::info!(target: "web::views", "request {i}");
            tracing::info!(target: "web", "served {i}");
            tracing::warn!(target: "db::pool", "slow {i}");
        }
    });
    let web = read(dir.path().join("logs/web.log"));
    let db = read(dir.path().join("logs/db.log"));
    assert_eq!(web.lines().count(), 20);
    assert_eq!(db.lines().count(), 10);
    assert!(web.lines().all(|l| l.contains(" web")), "{web}");
    assert!(db.lines().all(|l| l.contains("db::pool: slow ")), "{db}");
    let stats = router.stats();
    assert_eq!(
        (stats.opened, stats.open_files, stats.to_fallback),
        (2, 2, 0)
    );
}

#[test]
fn the_whole_target_or_a_field_can_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (by_target, _) = router(dir.path());
    let by_target = by_target.naming(Naming::Target);
    with_router(by_target, || {
        tracing::info!(target: "web::views", "in web.views");
        tracing::info!(target: "web", "in web");
    });
    assert!(read(dir.path().join("logs/web.views.log")).contains("in web.views"));
    assert!(!read(dir.path().join("logs/web.log")).contains("in web.views"));

    let (by_field, _) = router(dir.path());
    let by_field = by_field.naming(Naming::Field("logger"));
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .event_format(by_field.field_format(tracing_subscriber::fmt::format()))
        .with_writer(by_field.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "web", logger = "billing", "invoice {}", 1);
        let name = String::from("mail");
        tracing::info!(target: "web", logger = %name, "mail sent");
        tracing::info!(target: "web", "no field");
        tracing::info!(target: "web", logger = "../x", "bad field");
    });
    assert!(read(dir.path().join("logs/billing.log")).contains("invoice 1"));
    assert!(read(dir.path().join("logs/mail.log")).contains("mail sent"));
    assert!(read(dir.path().join("logs/web.log")).contains("no field"));
    assert!(read(dir.path().join("logs/other.log")).contains("bad field"));
    assert_eq!(by_field.stats().invalid_names, 1);
}

#[test]
fn a_runtime_name_from_the_naming_field_is_left_out_of_the_line_unless_asked() {
    // Python's `get_logger(name)`, with a name known at run time: tracing's
    // `target:` must be a constant, a field need not.
    let dir = tempfile::tempdir().unwrap();
    let (router, _) = router(dir.path());
    let router = router.naming(Naming::Field("logger"));
    let events = |format| {
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .without_time()
            .event_format(format)
            .with_writer(router.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            for name in ["billing".to_owned(), "mail".to_owned()] {
                tracing::info!(logger = name.as_str(), user = 7, "sent by {}", name);
            }
        });
    };
    events(router.field_format(tracing_subscriber::fmt::format().without_time()));
    events(
        router
            .field_format(tracing_subscriber::fmt::format().without_time())
            .print_field(true),
    );
    let billing = read(dir.path().join("logs/billing.log"));
    let lines: Vec<&str> = billing.lines().collect();
    assert_eq!(lines.len(), 2, "{billing}");
    assert!(lines[0].ends_with(": sent by billing user=7"), "{billing}");
    assert!(
        lines[1].ends_with(": sent by billing logger=\"billing\" user=7"),
        "{billing}"
    );
    assert_eq!(read(dir.path().join("logs/mail.log")).lines().count(), 2);
}

#[test]
fn log_records_bridged_into_tracing_go_to_the_file_of_their_own_target() {
    // tracing-subscriber's `init()` installs a `log` bridge: a `log` record
    // becomes an event whose metadata's target is `log`, its own in a field.
    let dir = tempfile::tempdir().unwrap();
    let (router, _) = router(dir.path());
    let bridged = |target: &'static str, message: &'static str| {
        tracing_log::format_trace(
            &log::Record::builder()
                .level(log::Level::Info)
                .target(target)
                .args(format_args!("{message}"))
                .build(),
        )
        .unwrap();
    };
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .event_format(router.field_format(tracing_subscriber::fmt::format()))
        .with_writer(router.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        bridged("payments::gateway", "charged");
        tracing::info!(target: "web", "served");
    });
    let (writer, guard) = router.non_blocking();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .event_format(router.field_format(tracing_subscriber::fmt::format()))
        .with_writer(writer)
        .finish();
    tracing::subscriber::with_default(subscriber, || bridged("payments", "refunded"));
    drop(guard);
    let payments = read(dir.path().join("logs/payments.log"));
    assert!(
        payments.contains("charged") && payments.contains("refunded"),
        "{payments}"
    );
    assert!(read(dir.path().join("logs/web.log")).contains("served"));
    assert!(!dir.path().join("logs/log.log").exists());
}

#[test]
fn a_name_that_would_escape_the_directory_goes_to_the_fallback_file() {
    let dir = tempfile::tempdir().unwrap();
    let (router, asked) = router(dir.path());
    let absolute = dir.path().join("absolute").display().to_string();
    let escapes = [
        "../escape",
        "../../etc/passwd",
        &absolute,
        "a/b",
        "",
        "..",
        ".",
        ".__web.lock",
        ".hidden",
        "-rf",
        "two words",
        "line\nbreak",
        "nul\0byte",
        "dots..inside",
        &"x".repeat(65),
    ];
    for (i, target) in escapes.iter().enumerate() {
        router.log(
            &log::Record::builder()
                .level(log::Level::Info)
                .target(target)
                .args(format_args!("escape attempt {i}"))
                .build(),
        );
    }
    with_router(router.clone(), || {
        tracing::info!(target: "../tracing", "escape attempt by tracing");
    });
    let fallback = read(dir.path().join("logs/other.log"));
    for i in 0..escapes.len() {
        assert!(
            fallback.contains(&format!("escape attempt {i}\n")),
            "{i}: {fallback}"
        );
    }
    assert!(fallback.contains("escape attempt by tracing"));
    // Nothing was made outside the directory, and no log but the fallback
    // (the library's own hidden files aside).
    let made = tree(dir.path());
    assert!(made.iter().all(|path| path.starts_with("logs")), "{made:?}");
    let logs: Vec<&PathBuf> = made
        .iter()
        .filter(|path| path.parent() == Some(Path::new("logs")))
        .filter(|path| !path.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert_eq!(logs, [Path::new("logs/other.log")]);
    assert_eq!(*asked.lock().unwrap(), ["other"]);
    let stats = router.stats();
    assert_eq!(stats.invalid_names, escapes.len() as u64 + 1);
    assert_eq!(stats.to_fallback, escapes.len() as u64 + 1);
    let err = router.file("../escape").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidName);
    assert_eq!(err.path(), Path::new("../escape"));
}

#[test]
fn files_open_lazily_on_the_first_event_of_their_name() {
    let dir = tempfile::tempdir().unwrap();
    let (router, asked) = router(dir.path());
    assert_eq!(router.stats().open_files, 0);
    assert!(!dir.path().join("logs").exists());
    with_router(router.clone(), || {
        assert!(asked.lock().unwrap().is_empty());
        tracing::info!(target: "web", "first");
        assert_eq!(*asked.lock().unwrap(), ["web"]);
        assert!(dir.path().join("logs/web.log").exists());
        assert!(!dir.path().join("logs/db.log").exists());
        tracing::info!(target: "web", "second");
        tracing::info!(target: "db", "third");
    });
    assert_eq!(*asked.lock().unwrap(), ["web", "db"]);
    assert!(router.is_open("web") && router.is_open("db"));
    assert_eq!(router.stats().opened, 2);
}

#[cfg(unix)]
#[test]
fn the_least_recently_used_file_is_closed_beyond_the_bound_and_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let (router, asked) = router(dir.path());
    let router = router.max_open(2);
    let live = |name: &str| dir.path().join(format!("logs/{name}.log"));
    with_router(router.clone(), || {
        tracing::info!(target: "a", "a 1");
        tracing::info!(target: "b", "b 1");
        tracing::info!(target: "a", "a 2"); // `b` is now the least recently used
        tracing::info!(target: "c", "c 1"); // closes `b`
        assert!(router.is_open("a") && router.is_open("c") && !router.is_open("b"));
        assert_eq!(descriptors_on(&live("b")), 0);
        assert_eq!(descriptors_on(&live("a")), 1);
        tracing::info!(target: "b", "b 2"); // reopens `b`, closes `a`
        assert!(!router.is_open("a"));
        assert_eq!(descriptors_on(&live("a")), 0);
        tracing::info!(target: "a", "a 3");
    });
    assert_eq!(*asked.lock().unwrap(), ["a", "b", "c", "b", "a"]);
    let stats = router.stats();
    assert_eq!((stats.opened, stats.closed, stats.open_files), (5, 3, 2));
    let lines = |name: &str| {
        read(live(name))
            .lines()
            .map(|l| l.rsplit(": ").next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines("a"), ["a 1", "a 2", "a 3"]);
    assert_eq!(lines("b"), ["b 1", "b 2"]);
    assert_eq!(lines("c"), ["c 1"]);
}

#[test]
fn a_file_that_cannot_open_sends_its_events_to_the_fallback_with_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    // A plain file where `broken`'s directory would be.
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("blocked"), "").unwrap();
    let router = Router::new(move |name: &str| match name {
        "broken" => RotatingFile::builder(logs.join("blocked/broken.log")),
        _ => RotatingFile::builder(logs.join(format!("{name}.log"))),
    });
    with_router(router.clone(), || {
        tracing::info!(target: "broken", "first");
        tracing::info!(target: "broken", "second");
        tracing::info!(target: "fine", "third");
    });
    let fallback = read(dir.path().join("logs/other.log"));
    assert!(fallback.contains("first") && fallback.contains("second"));
    assert!(read(dir.path().join("logs/fine.log")).contains("third"));
    let stats = router.stats();
    // Not retried within a second: one failure for two events.
    assert_eq!(
        (stats.open_failures, stats.to_fallback, stats.lost),
        (1, 2, 0)
    );
    let err = router.file("broken").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CreateDirectory);
    assert!(err.to_string().contains("blocked"), "{err}");
}

#[test]
fn events_are_counted_as_lost_when_even_the_fallback_cannot_open() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("blocked"), "").unwrap();
    let blocked = dir.path().join("blocked");
    let router =
        Router::new(move |name: &str| RotatingFile::builder(blocked.join(format!("{name}.log"))));
    with_router(router.clone(), || {
        for _ in 0..3 {
            tracing::info!(target: "web", "nowhere to go");
        }
    });
    let stats = router.stats();
    assert_eq!((stats.lost, stats.open_files), (3, 0));
    let invalid_fallback = Router::new(|name: &str| RotatingFile::builder(format!("{name}.log")))
        .fallback("../elsewhere");
    invalid_fallback.log(
        &log::Record::builder()
            .target("/etc")
            .args(format_args!("x"))
            .build(),
    );
    assert_eq!(invalid_fallback.stats().lost, 1);
}

#[test]
fn a_router_composes_with_make_writer_ext_and_filters() {
    /// The console, in memory.
    #[derive(Clone, Default)]
    struct Console(Arc<Mutex<Vec<u8>>>);
    impl Write for Console {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (router, _) = router(dir.path());
    let console = Console::default();
    let screen = console.clone();
    let writer = router
        .with_max_level(tracing::Level::INFO)
        .and(move || screen.clone());
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(target: "web", "to both");
        tracing::debug!(target: "web", "console only");
        tracing::trace!(target: "db", "console only too");
    });
    let console = String::from_utf8(console.0.lock().unwrap().clone()).unwrap();
    assert_eq!(console.lines().count(), 3);
    let web = read(dir.path().join("logs/web.log"));
    assert!(web.contains("to both") && !web.contains("console only"));
    assert!(!dir.path().join("logs/db.log").exists());
}

#[test]
fn a_log_record_is_one_record_even_with_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let file = RotatingFile::builder(&path)
        .max_bytes(200)
        .backups(100)
        .open()
        .unwrap();
    let logger = FileLogger::new(file).level(log::LevelFilter::Info);
    for i in 0..40 {
        logger.log(
            &log::Record::builder()
                .level(log::Level::Info)
                .target("web")
                .args(format_args!(
                    "record {i} begins\n  and goes on\n  record {i} ends"
                ))
                .build(),
        );
    }
    logger.log(
        &log::Record::builder()
            .level(log::Level::Debug)
            .args(format_args!("below the level"))
            .build(),
    );
    // Every file, backups included, holds whole three-line records.
    let mut records = Vec::new();
    for n in (1..=100).rev() {
        let backup = read(path.with_extension(format!("log.{n}")));
        records.extend(backup.split_inclusive("ends\n").map(str::to_owned));
    }
    records.extend(read(&path).split_inclusive("ends\n").map(str::to_owned));
    assert_eq!(records.len(), 40);
    for (i, record) in records.iter().enumerate() {
        assert!(
            record.ends_with(&format!(
                " INFO web: record {i} begins\n  and goes on\n  record {i} ends\n"
            )),
            "{record:?}"
        );
    }
    assert!(logger.file().rotations() > 10);
}

#[test]
fn a_router_handle_for_a_name_writes_through_io_write() {
    let dir = tempfile::tempdir().unwrap();
    let (router, asked) = router(dir.path());
    let mut audit = router.file("audit").unwrap();
    writeln!(audit, "{{\"action\":\"login\"}}").unwrap();
    with_router(
        router.clone(),
        || tracing::info!(target: "audit", "by tracing"),
    );
    assert_eq!(*asked.lock().unwrap(), ["audit"]);
    let text = read(dir.path().join("logs/audit.log"));
    assert!(text.starts_with("{\"action\":\"login\"}\n") && text.contains("by tracing"));
}
