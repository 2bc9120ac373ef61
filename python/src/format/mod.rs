//! Formatting a `logging` record in Rust, byte for byte as
//! `logging.Formatter` would, for the formatters and records that path
//! covers; Python formats every other record, as before.
//!
//! - `formatter`: which formatters are covered, compiled once and known
//!   unchanged record by record;
//! - `percent`: the `%`-style format string and its fields;
//! - `asctime`: `formatTime`'s text;
//! - `record`: one record made into the bytes of its line.

mod asctime;
mod formatter;
mod percent;
mod record;

pub(crate) use record::LineFormat;
