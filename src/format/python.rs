//! [`PythonFormat`]: a line format given as a Python `logging` format
//! string (`%(asctime)s - %(name)s - %(levelname)s - %(message)s`), parsed
//! once, and how it renders one record, as Python's `logging.Formatter`
//! renders the same name, level, time and message, byte for byte.
//!
//! The glue that hands it a `log` record is in `log_line.rs`, a `tracing`
//! event in `integrations/tracing_format.rs`.

use std::fmt::{self, Write};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, Local, TimeZone, Timelike, Utc};

use crate::format::conversion::{Conversion, Kind, Value};
use crate::sys::thread_ident;
use crate::time::clock::{Clock, SystemClock};

/// A line format written as a Python `logging` format string, for `log`
/// records and `tracing` events alike, so that a line a Rust process
/// writes is byte for byte what Python's `logging.Formatter` writes for the
/// same name, level, time and message: Rust and Python processes of one
/// service then write lines that read alike, into the same files.
///
/// ```
/// use concurrent_rotating_file::PythonFormat;
///
/// let format = PythonFormat::new("%(asctime)s - %(name)s - %(levelname)s - %(message)s")?;
/// # Ok::<(), concurrent_rotating_file::FormatError>(())
/// ```
///
/// With the `tracing` feature it is an event formatter for the fmt layer
/// (`.event_format(format)`); with the `log` feature,
/// [`FileLogger::python_format`](crate::FileLogger::python_format) and
/// [`Router::log_python_format`](crate::Router::log_python_format) format
/// `log` records with it. See "Python's line format" in the crate's guide
/// for both.
///
/// | field | what it holds |
/// | --- | --- |
/// | `%(asctime)s` | the local time, as Python prints it: `2026-12-06 13:45:01,123` ([`date_format`](PythonFormat::date_format) changes it) |
/// | `%(created)f`, `%(msecs)d`, `%(relativeCreated)d` | seconds since the epoch, the milliseconds within the second, milliseconds since the first format was made |
/// | `%(name)s` | the logger's name: the `log` target, the `tracing` target, or the field a [`Router`](crate::Router) names events by ([`Naming::Field`](crate::Naming::Field)) |
/// | `%(levelname)s`, `%(levelno)d` | `ERROR` 40, `WARNING` 30, `INFO` 20, `DEBUG` 10, `TRACE` 5 |
/// | `%(message)s` | the message; a `tracing` event's other fields follow it as ` key=value` |
/// | `%(pathname)s`, `%(filename)s`, `%(module)s`, `%(lineno)d` | the source file as the compiler names it, its last component, that without its extension, the line; `(unknown file)` and 0 when the record has none |
/// | `%(funcName)s` | `(unknown function)`: Rust records do not carry it |
/// | `%(process)d`, `%(thread)d` | the process id, the thread's id as Python's `threading.get_ident()` gives it (`pthread_self()`; on Windows `GetCurrentThreadId()`) |
/// | `%(processName)s`, `%(threadName)s` | `MainProcess`, as Python's; the Rust thread's name (`main`, or `<unnamed>`) |
///
/// Each field takes Python's conversion flags, width and precision
/// (`%(levelname)-8s`, `%(lineno)04d`, `%(msecs)03d`, `%(name).10s`), with
/// the types `s`, `d`, `i`, `u`, `x`, `X`, `o`, `f` and `F`; `%%` is a
/// percent sign.
#[derive(Clone)]
pub struct PythonFormat {
    parsed: Arc<Parsed>,
    /// A time format (`datefmt`) for `asctime`, parsed.
    date_format: Option<Arc<[Item<'static>]>>,
    utc: bool,
    clock: Arc<dyn Clock>,
}

/// A format string Python's `logging` would not take, or that names
/// something a Rust record does not have: what and where.
///
/// ```
/// use concurrent_rotating_file::PythonFormat;
///
/// let error = PythonFormat::new("%(asctime)s %(user)s").unwrap_err();
/// assert!(error.to_string().contains("unknown field `user`"), "{error}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    format: String,
    /// Where in `format`, when known.
    at: Option<usize>,
    problem: String,
}

/// The format string, parsed.
#[derive(Debug)]
struct Parsed {
    source: Box<str>,
    pieces: Vec<Piece>,
    uses_time: bool,
}

#[derive(Debug)]
enum Piece {
    Text(Box<str>),
    Field(Attribute, Conversion),
}

/// The attributes of Python's `LogRecord` a Rust record can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attribute {
    Asctime,
    Created,
    Msecs,
    RelativeCreated,
    Name,
    Levelname,
    Levelno,
    Message,
    Pathname,
    Filename,
    Module,
    Lineno,
    FuncName,
    Process,
    ProcessName,
    Thread,
    ThreadName,
}

const ATTRIBUTES: [(&str, Attribute); 17] = [
    ("asctime", Attribute::Asctime),
    ("created", Attribute::Created),
    ("msecs", Attribute::Msecs),
    ("relativeCreated", Attribute::RelativeCreated),
    ("name", Attribute::Name),
    ("levelname", Attribute::Levelname),
    ("levelno", Attribute::Levelno),
    ("message", Attribute::Message),
    ("pathname", Attribute::Pathname),
    ("filename", Attribute::Filename),
    ("module", Attribute::Module),
    ("lineno", Attribute::Lineno),
    ("funcName", Attribute::FuncName),
    ("process", Attribute::Process),
    ("processName", Attribute::ProcessName),
    ("thread", Attribute::Thread),
    ("threadName", Attribute::ThreadName),
];

/// A record's level, as Python names and numbers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Trace,
    Debug,
    Info,
    Warning,
    Error,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }

    fn number(self) -> i128 {
        match self {
            Level::Trace => 5,
            Level::Debug => 10,
            Level::Info => 20,
            Level::Warning => 30,
            Level::Error => 40,
        }
    }
}

/// What a format reads from one record.
pub(crate) struct Line<'a> {
    pub(crate) name: &'a str,
    pub(crate) level: Level,
    pub(crate) message: &'a dyn fmt::Display,
    pub(crate) file: Option<&'a str>,
    pub(crate) line: Option<u32>,
}

impl Line<'_> {
    /// The source file as the compiler names it; Python's stand-in when
    /// the record has none.
    fn pathname(&self) -> &str {
        self.file.unwrap_or("(unknown file)")
    }

    /// Its last component.
    fn filename(&self) -> &str {
        let pathname = self.pathname();
        pathname.rsplit('/').next().unwrap_or(pathname)
    }

    /// That without its extension, as Python's `module`.
    fn module(&self) -> &str {
        let filename = self.filename();
        match filename.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => filename,
        }
    }
}

/// When the first format was made: `relativeCreated` counts from it, as
/// Python's from the `logging` module's import.
static START: OnceLock<SystemTime> = OnceLock::new();

// === impl PythonFormat ===

impl PythonFormat {
    /// Parses `format`, a Python `logging` format string in `%` style.
    ///
    /// # Errors
    ///
    /// A [`FormatError`] saying what is wrong and where: a field Python's
    /// `LogRecord` does not have, or a Rust record cannot give (`%(user)s`,
    /// `%(exc_info)s`); a conversion type that is not supported (`%(name)r`)
    /// or does not fit the field (`%(name)d`); a `%` that starts no field
    /// (write `%%`); a `%s` without a name; no field at all (Python refuses
    /// that too).
    pub fn new(format: &str) -> Result<PythonFormat, FormatError> {
        START.get_or_init(SystemTime::now);
        Ok(PythonFormat {
            parsed: Arc::new(parse(format)?),
            date_format: None,
            utc: false,
            clock: Arc::new(SystemClock),
        })
    }

    /// Formats `asctime` with `format`, a `strftime` format (Python's
    /// `datefmt`: `%d/%m/%Y %H:%M:%S`); as in Python, the milliseconds are
    /// then not added. Default: `%Y-%m-%d %H:%M:%S` followed by `,` and the
    /// milliseconds.
    ///
    /// # Errors
    ///
    /// A [`FormatError`] if `format` holds a `%` directive that is not
    /// known.
    pub fn date_format(mut self, format: &str) -> Result<PythonFormat, FormatError> {
        let items: Vec<Item<'static>> = StrftimeItems::new(format)
            .map(|item| item.to_owned())
            .collect();
        if items.iter().any(|item| matches!(item, Item::Error)) {
            return Err(FormatError {
                format: format.to_owned(),
                at: None,
                problem: "a `%` directive `strftime` does not know".into(),
            });
        }
        self.date_format = Some(items.into());
        Ok(self)
    }

    /// Puts `asctime` in UTC rather than local time (Python's
    /// `Formatter.converter = time.gmtime`). Default: `false`.
    #[must_use]
    pub fn utc(mut self, utc: bool) -> PythonFormat {
        self.utc = utc;
        self
    }

    /// Reads the time from `clock`: for tests that fix it. Default:
    /// [`SystemClock`].
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> PythonFormat {
        self.clock = Arc::new(clock);
        self
    }

    /// The format string as given.
    pub fn as_str(&self) -> &str {
        &self.parsed.source
    }

    /// Writes `line` as the format says, without a newline.
    pub(crate) fn write(&self, out: &mut dyn Write, line: &Line<'_>) -> fmt::Result {
        let time = self.parsed.uses_time.then(|| Time::of(self.clock.now()));
        for piece in &self.parsed.pieces {
            match piece {
                Piece::Text(text) => out.write_str(text)?,
                Piece::Field(attribute, conversion) => {
                    self.write_field(out, *attribute, conversion, line, time.as_ref())?;
                }
            }
        }
        Ok(())
    }

    /// One field of `line`; `time` is there when the format uses it.
    fn write_field(
        &self,
        out: &mut dyn Write,
        attribute: Attribute,
        conversion: &Conversion,
        line: &Line<'_>,
        time: Option<&Time>,
    ) -> fmt::Result {
        let seconds = |of: fn(&Time) -> f64| Value::Float(time.map_or(0.0, of));
        let thread;
        let asctime;
        let value = match attribute {
            Attribute::Asctime => match time {
                Some(time) if *conversion == Conversion::PLAIN => {
                    return self.write_asctime(out, time);
                }
                Some(time) => {
                    let mut text = String::new();
                    self.write_asctime(&mut text, time)?;
                    asctime = text;
                    Value::Text(&asctime)
                }
                None => Value::Text(""),
            },
            Attribute::Created => seconds(|t| t.created),
            Attribute::Msecs => seconds(|t| f64::from(t.msecs)),
            Attribute::RelativeCreated => seconds(|t| t.relative_ms),
            Attribute::Name => Value::Text(line.name),
            Attribute::Levelname => Value::Text(line.level.name()),
            Attribute::Levelno => Value::Int(line.level.number()),
            Attribute::Message => Value::Str(line.message),
            Attribute::Pathname => Value::Text(line.pathname()),
            Attribute::Filename => Value::Text(line.filename()),
            Attribute::Module => Value::Text(line.module()),
            Attribute::Lineno => Value::Int(line.line.map_or(0, i128::from)),
            Attribute::FuncName => Value::Text("(unknown function)"),
            Attribute::Process => Value::Int(i128::from(std::process::id())),
            Attribute::ProcessName => Value::Text("MainProcess"),
            Attribute::Thread => Value::Int(i128::from(thread_ident::current())),
            Attribute::ThreadName => {
                thread = std::thread::current();
                Value::Text(thread.name().unwrap_or("<unnamed>"))
            }
        };
        conversion.write(out, value)
    }

    /// `2026-12-06 13:45:01,123`, or the date format.
    fn write_asctime(&self, out: &mut dyn Write, time: &Time) -> fmt::Result {
        match self.utc {
            true => self.write_date(out, Utc.timestamp_opt(time.secs, 0).single(), time),
            false => self.write_date(out, Local.timestamp_opt(time.secs, 0).earliest(), time),
        }
    }

    fn write_date<Tz: TimeZone>(
        &self,
        out: &mut dyn Write,
        date: Option<DateTime<Tz>>,
        time: &Time,
    ) -> fmt::Result
    where
        Tz::Offset: fmt::Display,
    {
        let Some(date) = date else {
            // Out of the calendar's range: the seconds, rather than nothing.
            return write!(out, "{},{:03}", time.secs, time.msecs);
        };
        if let Some(items) = &self.date_format {
            return write!(out, "{}", date.format_with_items(items.iter()));
        }
        // By hand: through `write!` with widths, the stamp cost as much as
        // the rest of a `log` record's formatting.
        let mut stamp = *b"0000-00-00 00:00:00,000";
        let digits = |at: &mut [u8], value: u32| {
            let mut value = value;
            for digit in at.iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        };
        let year = u32::try_from(date.year()).unwrap_or(0).min(9999);
        digits(&mut stamp[0..4], year);
        digits(&mut stamp[5..7], date.month());
        digits(&mut stamp[8..10], date.day());
        digits(&mut stamp[11..13], date.hour());
        digits(&mut stamp[14..16], date.minute());
        digits(&mut stamp[17..19], date.second());
        digits(&mut stamp[20..23], time.msecs);
        // ASCII digits and separators only.
        out.write_str(std::str::from_utf8(&stamp).unwrap_or_default())
    }
}

/// The time of a record as Python's `LogRecord` holds it (3.13's, from
/// nanoseconds): `created` seconds as a float, the whole milliseconds of
/// the second, and the second `asctime` shows, which is `created`'s floor,
/// as `time.localtime(created)` takes it.
struct Time {
    created: f64,
    secs: i64,
    msecs: u32,
    relative_ms: f64,
}

impl Time {
    fn of(now: SystemTime) -> Time {
        let nanos = nanos_since_epoch(now);
        let created = nanos as f64 / 1e9;
        let start = START.get().map_or(now, |start| *start);
        let relative = nanos_since_epoch(start);
        Time {
            created,
            secs: created.floor() as i64,
            msecs: (nanos.rem_euclid(1_000_000_000) / 1_000_000) as u32,
            relative_ms: (nanos - relative) as f64 / 1e6,
        }
    }
}

fn nanos_since_epoch(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

impl fmt::Debug for PythonFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PythonFormat")
            .field("format", &self.parsed.source)
            .field("date_format", &self.date_format.is_some())
            .field("utc", &self.utc)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Parses a format string: text, `%%`, and `%(name)<conversion>` fields.
fn parse(format: &str) -> Result<Parsed, FormatError> {
    let error = |at: usize, problem: String| FormatError {
        format: format.to_owned(),
        at: Some(at),
        problem,
    };
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = format;
    while let Some(percent) = rest.find('%') {
        let at = format.len() - rest.len() + percent;
        text.push_str(&rest[..percent]);
        let after = &rest[percent + 1..];
        if let Some(after) = after.strip_prefix('%') {
            text.push('%');
            rest = after;
            continue;
        }
        let Some(named) = after.strip_prefix('(') else {
            return Err(error(
                at,
                "a `%` must start a named field, `%(name)s`, or be doubled, `%%`".into(),
            ));
        };
        let Some(close) = named.find(')') else {
            return Err(error(at, "the field's name has no closing `)`".into()));
        };
        let key = &named[..close];
        let Some(&(_, attribute)) = ATTRIBUTES.iter().find(|(name, _)| *name == key) else {
            let known: Vec<&str> = ATTRIBUTES.iter().map(|(name, _)| *name).collect();
            return Err(error(
                at,
                format!(
                    "unknown field `{key}`: a Rust record has {}",
                    known.join(", ")
                ),
            ));
        };
        let spec = &named[close + 1..];
        let (conversion, used) = Conversion::parse(spec).map_err(|problem| error(at, problem))?;
        let numeric = matches!(
            attribute,
            Attribute::Created
                | Attribute::Msecs
                | Attribute::RelativeCreated
                | Attribute::Levelno
                | Attribute::Lineno
                | Attribute::Process
                | Attribute::Thread
        );
        if !numeric && conversion.kind != Kind::Str {
            return Err(error(
                at,
                format!("`{key}` is text: it takes `s`, not a number's conversion"),
            ));
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text).into()));
        }
        pieces.push(Piece::Field(attribute, conversion));
        rest = &spec[used..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text.into()));
    }
    if !pieces.iter().any(|piece| matches!(piece, Piece::Field(..))) {
        return Err(error(
            0,
            "no field at all: give at least one, `%(message)s` (Python refuses such a format too)"
                .into(),
        ));
    }
    let uses_time = pieces.iter().any(|piece| {
        matches!(
            piece,
            Piece::Field(
                Attribute::Asctime
                    | Attribute::Created
                    | Attribute::Msecs
                    | Attribute::RelativeCreated,
                _
            )
        )
    });
    Ok(Parsed {
        source: format.into(),
        pieces,
        uses_time,
    })
}

// === impl FormatError ===

impl FormatError {
    /// The format string refused.
    pub fn format(&self) -> &str {
        &self.format
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid Python logging format `{}`", self.format)?;
        if let Some(at) = self.at {
            write!(f, " at byte {at}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl std::error::Error for FormatError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: &PythonFormat, line: &Line<'_>) -> String {
        let mut out = String::new();
        format.write(&mut out, line).unwrap();
        out
    }

    fn line<'a>(message: &'a dyn fmt::Display) -> Line<'a> {
        Line {
            name: "web.views",
            level: Level::Warning,
            message,
            file: Some("src/web/views.rs"),
            line: Some(42),
        }
    }

    #[test]
    fn fields_text_and_percent_signs_render_in_order() {
        let format = PythonFormat::new(
            "[%(levelname)-8s] %(name)s %(module)s:%(lineno)04d %(filename)s 100%% %(message)s",
        )
        .unwrap();
        assert_eq!(
            render(&format, &line(&"disk full")),
            "[WARNING ] web.views views:0042 views.rs 100% disk full"
        );
    }

    #[test]
    fn a_record_without_a_source_file_reads_as_pythons_unknown_file() {
        let format = PythonFormat::new("%(pathname)s %(filename)s %(module)s %(lineno)d").unwrap();
        let unknown = Line {
            file: None,
            line: None,
            ..line(&"m")
        };
        assert_eq!(
            render(&format, &unknown),
            "(unknown file) (unknown file) (unknown file) 0"
        );
    }

    #[test]
    fn formats_python_would_refuse_or_that_name_what_a_record_lacks_are_refused() {
        for (format, says) in [
            ("%(user)s", "unknown field `user`"),
            ("%(exc_info)s", "unknown field `exc_info`"),
            ("%(name)d", "`name` is text"),
            ("%(name)r", "`r` is not supported"),
            ("%s %(name)s", "must start a named field"),
            ("%(name)s 100%", "must start a named field"),
            ("%(name", "no closing"),
            ("no fields", "no field at all"),
            ("", "no field at all"),
        ] {
            let error = PythonFormat::new(format).unwrap_err();
            assert!(error.to_string().contains(says), "{format:?}: {error}");
            assert_eq!(error.format(), format);
        }
        let error = PythonFormat::new("%(asctime)s")
            .unwrap()
            .date_format("%Y %Q")
            .unwrap_err();
        assert!(
            error.to_string().contains("`strftime` does not know"),
            "{error}"
        );
    }
}
