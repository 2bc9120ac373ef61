#![doc = include_str!("guide_links.md")]
#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(unreachable_pub, missing_debug_implementations)]

#[cfg(not(any(unix, windows)))]
compile_error!(
    "concurrent-rotating-file needs Unix (flock(2), O_APPEND, O_NOFOLLOW) or Windows (LockFileEx, FILE_APPEND_DATA, FILE_SHARE_DELETE)"
);

mod builder;
mod chain;
mod config;
mod error;
#[cfg(any(feature = "tracing", feature = "log"))]
mod format;
pub mod guide;
mod gzip;
mod integrations;
#[cfg(feature = "log")]
mod log_line;
mod names;
mod non_blocking;
mod own_dir;
// A router is reached through `tracing` or `log`: without either, nothing.
#[cfg(any(feature = "tracing", feature = "log"))]
mod router;
mod shared;
mod sys;
mod termination;
mod time;
mod writer;

pub use builder::Builder;
pub use chrono::Weekday;
pub use error::{Error, ErrorKind};
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use format::python::{FormatError, PythonFormat};
pub use gzip::Compression;
#[cfg(feature = "log")]
#[cfg_attr(docsrs, doc(cfg(feature = "log")))]
pub use integrations::log::{FileLogger, LoggerError, install_logger};
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use integrations::tracing::EventWriter;
#[cfg(feature = "tracing")]
#[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
pub use integrations::tracing_router::FieldFormat;
pub use non_blocking::builder::NonBlockingBuilder;
pub use non_blocking::guard::WorkerGuard;
pub use non_blocking::handle::NonBlocking;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::builder::NonBlockingRouterBuilder;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::guard::RouterGuard;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::handle::Router;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::name::Naming;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::queue::NonBlockingRouter;
#[cfg(any(feature = "tracing", feature = "log"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "tracing", feature = "log"))))]
pub use router::stats::RouterStats;
pub use termination::flush_on_termination;
pub use time::clock::{Clock, SystemClock};
pub use time::period::Period;
pub use writer::handle::RotatingFile;
pub use writer::stats::Stats;
