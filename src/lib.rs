//! A log file that many processes append to at once, rotated at a size
//! limit, with a bounded chain of backups.
//!
//! Web workers, job workers and cron jobs on one host write the same
//! `logs/app.log`. Every record (a line written through [`std::io::Write`],
//! or one `tracing` event) is appended whole, with one `write(2)`, under an
//! exclusive `flock` on a lock file shared with Python's
//! `ConcurrentRotatingFileHandler`, so Rust and Python processes can share a
//! file. Before a record that would take the file past `max_bytes`, the
//! process holding the lock renames `app.log` to `app.log.1` (shifting older
//! backups up, dropping the oldest) and starts a fresh file; the others
//! notice before their next record and reopen.
//!
//! ```
//! use std::io::Write;
//! use concurrent_rotating_file::RotatingFile;
//! # let dir = tempfile::tempdir()?;
//! # std::env::set_current_dir(dir.path())?;
//!
//! let log = RotatingFile::builder("logs/app.log")
//!     .max_bytes(1024 * 1024) // the default
//!     .backups(10)            // the default
//!     .open()?;
//! let mut w = log.clone();
//! writeln!(w, "hello")?; // in the file when this returns
//! assert_eq!(std::fs::read_to_string("logs/app.log")?, "hello\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With `tracing` (feature `tracing`, on by default), a [`RotatingFile`] is a
//! `MakeWriter`: each event is one record.
//!
//! ```
//! # use concurrent_rotating_file::RotatingFile;
//! # let dir = tempfile::tempdir()?;
//! let log = RotatingFile::builder(dir.path().join("app.log")).open()?;
//! let subscriber = tracing_subscriber::fmt().with_writer(log.clone()).with_ansi(false).finish();
//! tracing::subscriber::with_default(subscriber, || tracing::info!(user = 7, "logged in"));
//! assert!(std::fs::read_to_string(log.path())?.contains("logged in user=7"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! For log calls that only queue, [`RotatingFile::non_blocking`] starts a
//! background thread that writes in batches; see [`NonBlocking`].
//!
//! To also rotate at every minute, hour, day or week boundary, with backups
//! named after their period (`app.log.2026-11-24`) as Python's timed
//! handler names them, see [`Builder::rotate_every`] and [`Period`];
//! retention by age and total size is [`Builder::max_age`] and
//! [`Builder::max_total_bytes`].
//!
//! # Guarantees
//!
//! With any number of processes and threads:
//! 1. every record lands whole in exactly one file: never torn, interleaved,
//!    split across a rotation, duplicated or lost;
//! 2. no file exceeds `max_bytes`, except one holding a single larger record
//!    alone;
//! 3. at most `backups` backups, numbered without gaps; each writer's records
//!    keep their order along the chain;
//! 4. a full file is rotated exactly once;
//! 5. a process killed at any instant loses at most its own unwritten
//!    records, and the chain is repaired by the next rotation;
//! 6. when `write_all` of a line returns `Ok`, the line is in the file;
//! 7. errors are typed and name the path; nothing panics on I/O failure;
//! 8. a handle used in a child after `fork()` takes its own lock; a log file
//!    deleted or moved by hand is recreated;
//! 9. symlinks planted in the log directory are never followed.
//!
//! # Caveats
//!
//! Unix only (`flock`). All processes writing one file should use the same
//! `max_bytes`, `backups` and lock directory. A file deleted or moved by
//! someone who does not take the lock is noticed within
//! [`path_check_interval`](Builder::path_check_interval); records written
//! meanwhile go to the file that was moved (or deleted).

#![deny(missing_docs)]
#![warn(unreachable_pub, missing_debug_implementations)]

#[cfg(not(unix))]
compile_error!("concurrent-rotating-file needs Unix (flock(2), O_APPEND, O_NOFOLLOW)");

mod backups;
mod builder;
mod clock;
mod compress;
mod compression;
mod error;
mod fork;
mod line_buffer;
mod live_file;
mod lock;
#[cfg(feature = "tracing")]
mod make_writer;
mod non_blocking;
mod records;
mod retention;
mod safe_open;
mod schedule;
mod shared_state;
mod timed_names;
mod worker;
mod writer;

pub use builder::Builder;
pub use chrono::Weekday;
pub use clock::{Clock, SystemClock};
pub use compression::Compression;
pub use error::{Error, ErrorKind};
#[cfg(feature = "tracing")]
pub use make_writer::EventWriter;
pub use non_blocking::{NonBlocking, NonBlockingBuilder, WorkerGuard};
pub use schedule::Period;
pub use writer::{RotatingFile, Stats};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
