#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![warn(unreachable_pub, missing_debug_implementations)]

#[cfg(not(unix))]
compile_error!("concurrent-rotating-file needs Unix (flock(2), O_APPEND, O_NOFOLLOW)");

mod builder;
mod chain;
mod config;
mod error;
mod gzip;
mod integrations;
mod names;
mod non_blocking;
mod shared;
mod sys;
mod time;
mod writer;

pub use builder::Builder;
pub use chrono::Weekday;
pub use error::{Error, ErrorKind};
pub use gzip::Compression;
#[cfg(feature = "tracing")]
pub use integrations::tracing::EventWriter;
pub use non_blocking::builder::NonBlockingBuilder;
pub use non_blocking::guard::WorkerGuard;
pub use non_blocking::handle::NonBlocking;
pub use time::clock::{Clock, SystemClock};
pub use time::period::Period;
pub use writer::handle::RotatingFile;
pub use writer::stats::Stats;
