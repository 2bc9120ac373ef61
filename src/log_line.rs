//! [`LogLine`]: how a `log` record becomes one record of a file: the level
//! filter, and the format (by default close to Python's logging,
//! `2026-11-24 05:43:01,123 INFO web: message`).
//!
//! A record is formatted into a buffer borrowed from the thread (no
//! allocation once warm) and handed on whole: one record, even when its
//! message spans several lines (guarantee: never torn).

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::Arc;

use chrono::{Datelike, Timelike};

/// A custom line format: writes one record (its newline is added if it
/// writes none).
pub(crate) type Format = dyn Fn(&mut dyn Write, &log::Record<'_>) -> io::Result<()> + Send + Sync;

/// A buffer kept per thread between records; one that grew past this is let
/// go rather than held for ever.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The level filter and format of a `log` backend.
#[derive(Clone)]
pub(crate) struct LogLine {
    pub(crate) level: log::LevelFilter,
    pub(crate) format: Option<Arc<Format>>,
}

impl Default for LogLine {
    fn default() -> LogLine {
        LogLine {
            level: log::LevelFilter::Trace,
            format: None,
        }
    }
}

impl LogLine {
    /// Whether records of `level` pass the filter.
    pub(crate) fn enabled(&self, level: log::Level) -> bool {
        level <= self.level
    }

    /// Formats `record`, if it passes the filter, and hands the line to
    /// `write`. A custom format that fails leaves the record to the default
    /// format rather than losing it.
    pub(crate) fn write(&self, record: &log::Record<'_>, write: impl FnOnce(&[u8])) {
        if !self.enabled(record.level()) {
            return;
        }
        let mut buf = BUFFER.take();
        let formatted = match &self.format {
            Some(format) => format(&mut buf, record),
            None => Err(io::ErrorKind::Other.into()),
        };
        if formatted.is_err() {
            buf.clear();
            // Writing into a Vec fails only if a `Display` impl does; then
            // what was written is kept.
            let _ = python_style(&mut buf, record);
        }
        if buf.last() != Some(&b'\n') {
            buf.push(b'\n');
        }
        write(&buf);
        if buf.capacity() <= KEEP_CAPACITY {
            buf.clear();
            // Fails only while the thread is being torn down.
            let _ = BUFFER.try_with(|slot| slot.set(buf));
        }
    }
}

impl std::fmt::Debug for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogLine")
            .field("level", &self.level)
            .field(
                "format",
                &self.format.as_ref().map_or("default", |_| "custom"),
            )
            .finish()
    }
}

/// `2026-11-24 05:43:01,123 INFO web::views: message`: Python's
/// `%(asctime)s %(levelname)s %(name)s: %(message)s`, local time, with
/// Python's level names (`WARNING`, not `WARN`), and the target as the
/// logger's name.
pub(crate) fn python_style(out: &mut Vec<u8>, record: &log::Record<'_>) -> io::Result<()> {
    let now = chrono::Local::now();
    let level = match record.level() {
        log::Level::Error => "ERROR",
        log::Level::Warn => "WARNING",
        log::Level::Info => "INFO",
        log::Level::Debug => "DEBUG",
        log::Level::Trace => "TRACE",
    };
    writeln!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02},{:03} {level} {}: {}",
        now.year(),
        now.month(),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        // A leap second counts its milliseconds past 999.
        now.timestamp_subsec_millis().min(999),
        record.target(),
        record.args()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(line: &LogLine, record: &log::Record<'_>) -> Option<String> {
        let mut out = None;
        line.write(record, |bytes| {
            out = Some(String::from_utf8(bytes.to_vec()).unwrap())
        });
        out
    }

    #[test]
    fn the_default_line_reads_like_pythons() {
        let percent = 91;
        let text = line(
            &LogLine::default(),
            &log::Record::builder()
                .level(log::Level::Warn)
                .target("web::views")
                .args(format_args!("disk {percent}% full"))
                .build(),
        )
        .unwrap();
        // 2026-11-24 05:43:01,123 WARNING web::views: disk 91% full
        let (stamp, rest) = text.split_at(23);
        assert_eq!(rest, " WARNING web::views: disk 91% full\n");
        let b = stamp.as_bytes();
        assert!(
            b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b' ',
                13 | 16 => *c == b':',
                19 => *c == b',',
                _ => c.is_ascii_digit(),
            }),
            "{stamp}"
        );
    }

    #[test]
    fn records_below_the_level_are_not_formatted() {
        let line_format = LogLine {
            level: log::LevelFilter::Info,
            format: None,
        };
        let debug = log::Record::builder().level(log::Level::Debug).build();
        assert_eq!(line(&line_format, &debug), None);
    }

    #[test]
    fn a_custom_format_gets_a_newline_and_a_failing_one_the_default() {
        let custom = LogLine {
            level: log::LevelFilter::Trace,
            format: Some(Arc::new(|w: &mut dyn Write, r: &log::Record<'_>| {
                write!(w, "{} {}", r.level(), r.args())
            })),
        };
        let record = log::Record::builder()
            .level(log::Level::Info)
            .args(format_args!("hi"))
            .build();
        assert_eq!(line(&custom, &record).unwrap(), "INFO hi\n");
        let failing = LogLine {
            level: log::LevelFilter::Trace,
            format: Some(Arc::new(|w: &mut dyn Write, _: &log::Record<'_>| {
                w.write_all(b"half")?;
                Err(io::ErrorKind::Other.into())
            })),
        };
        let text = line(&failing, &record).unwrap();
        assert!(
            text.ends_with(" INFO : hi\n") && !text.contains("half"),
            "{text}"
        );
    }
}
