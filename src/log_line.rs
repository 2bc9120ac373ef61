//! [`LogLine`]: how a `log` record becomes one record of a file: the level
//! filter, the format (by default close to Python's logging,
//! `2026-11-24 05:43:01,123 INFO web: message`; a [`PythonFormat`]; or the
//! user's closure), and the copy on the console, if asked.
//!
//! A record is formatted into a buffer borrowed from the thread (no
//! allocation once warm) and handed on whole: one record, even when its
//! message spans several lines (guarantee: never torn).

use std::cell::Cell;
use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, LazyLock};

use crate::format::python::{Level, Line, PythonFormat};

/// A custom line format: writes one record (its newline is added if it
/// writes none).
pub(crate) type Format = dyn Fn(&mut dyn Write, &log::Record<'_>) -> io::Result<()> + Send + Sync;

/// The default: Python's `%(asctime)s %(levelname)s %(name)s: %(message)s`,
/// local time, the target as the logger's name.
static DEFAULT_FORMAT: LazyLock<PythonFormat> = LazyLock::new(|| {
    PythonFormat::new("%(asctime)s %(levelname)s %(name)s: %(message)s")
        .unwrap_or_else(|e| unreachable!("the default format parses: {e}"))
});

/// A buffer kept per thread between records; one that grew past this is let
/// go rather than held for ever.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// How records become lines.
#[derive(Clone)]
pub(crate) enum LineFormat {
    Python(PythonFormat),
    Custom(Arc<Format>),
}

/// The level filter, format and console copy of a `log` backend.
#[derive(Clone)]
pub(crate) struct LogLine {
    pub(crate) level: log::LevelFilter,
    pub(crate) format: LineFormat,
    /// Records at this level or above are also written to stderr.
    pub(crate) console: log::LevelFilter,
}

impl Default for LogLine {
    fn default() -> LogLine {
        LogLine {
            level: log::LevelFilter::Trace,
            format: LineFormat::Python(DEFAULT_FORMAT.clone()),
            console: log::LevelFilter::Off,
        }
    }
}

impl LogLine {
    /// Whether records of `level` pass the filter.
    pub(crate) fn enabled(&self, level: log::Level) -> bool {
        level <= self.level
    }

    /// Formats `record`, if it passes the filter, and hands the line to
    /// `write` (and to stderr, at the console's level). A custom format
    /// that fails leaves the record to the default format rather than
    /// losing it.
    pub(crate) fn write(&self, record: &log::Record<'_>, write: impl FnOnce(&[u8])) {
        if !self.enabled(record.level()) {
            return;
        }
        let mut buf = BUFFER.take();
        let formatted = match &self.format {
            LineFormat::Python(format) => write_python(format, &mut buf, record),
            LineFormat::Custom(format) => format(&mut buf, record),
        };
        if formatted.is_err() && matches!(self.format, LineFormat::Custom(_)) {
            buf.clear();
            // Writing into a Vec fails only if a `Display` impl does; then
            // what was written is kept.
            let _ = write_python(&DEFAULT_FORMAT, &mut buf, record);
        }
        if buf.last() != Some(&b'\n') {
            buf.push(b'\n');
        }
        if record.level() <= self.console {
            // One write of the whole line, as Python's StreamHandler; a
            // closed stderr is no reason to lose the file's copy.
            let _ = io::stderr().write_all(&buf);
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
        let format: &dyn std::fmt::Debug = match &self.format {
            LineFormat::Python(format) => format,
            LineFormat::Custom(_) => &"custom",
        };
        f.debug_struct("LogLine")
            .field("level", &self.level)
            .field("format", format)
            .field("console", &self.console)
            .finish()
    }
}

/// `record` as `format` says, ended with a newline.
pub(crate) fn write_python(
    format: &PythonFormat,
    out: &mut Vec<u8>,
    record: &log::Record<'_>,
) -> io::Result<()> {
    let level = match record.level() {
        log::Level::Error => Level::Error,
        log::Level::Warn => Level::Warning,
        log::Level::Info => Level::Info,
        log::Level::Debug => Level::Debug,
        log::Level::Trace => Level::Trace,
    };
    let line = Line {
        name: record.target(),
        level,
        message: record.args(),
        file: record.file(),
        line: record.line(),
    };
    format
        .write(&mut Bytes(out), &line)
        .map_err(|_| io::Error::other("a value's `Display` failed"))?;
    out.push(b'\n');
    Ok(())
}

/// A `fmt::Write` onto a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
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
            ..LogLine::default()
        };
        let debug = log::Record::builder().level(log::Level::Debug).build();
        assert_eq!(line(&line_format, &debug), None);
    }

    #[test]
    fn a_custom_format_gets_a_newline_and_a_failing_one_the_default() {
        let custom = LogLine {
            format: LineFormat::Custom(Arc::new(|w: &mut dyn Write, r: &log::Record<'_>| {
                write!(w, "{} {}", r.level(), r.args())
            })),
            ..LogLine::default()
        };
        let record = log::Record::builder()
            .level(log::Level::Info)
            .args(format_args!("hi"))
            .build();
        assert_eq!(line(&custom, &record).unwrap(), "INFO hi\n");
        let failing = LogLine {
            format: LineFormat::Custom(Arc::new(|w: &mut dyn Write, _: &log::Record<'_>| {
                w.write_all(b"half")?;
                Err(io::ErrorKind::Other.into())
            })),
            ..LogLine::default()
        };
        let text = line(&failing, &record).unwrap();
        assert!(
            text.ends_with(" INFO : hi\n") && !text.contains("half"),
            "{text}"
        );
    }
}
