//! [`TimeFormat`]: `Formatter.formatTime` for the formats it is given in
//! practice, made as Python makes it: the record's `created` turned into
//! local time (or UTC) by the C library's `localtime_r` (`gmtime_r`),
//! which is what `time.localtime` (`time.gmtime`) calls, then the
//! `strftime` directives whose output depends on no locale, then
//! `default_msec_format`'s milliseconds.
//!
//! A directive that does depend on the locale or the time zone's name
//! (`%b`, `%a`, `%p`, `%c`, `%Z`...) makes the format one this path does
//! not cover: Python formats the record.

use std::mem::MaybeUninit;

/// How `asctime` is made.
#[derive(Debug)]
pub(crate) struct TimeFormat {
    /// `time.gmtime` is the converter, not `time.localtime`.
    utc: bool,
    date: Vec<Directive>,
    /// The text between the date and the milliseconds, when they are
    /// added (`default_msec_format` `'%s,%03d'`: `,`).
    msecs: Option<Box<str>>,
}

/// One part of a `strftime` format.
#[derive(Debug, PartialEq, Eq)]
enum Directive {
    Text(Box<str>),
    /// `%Y`
    Year,
    /// `%y`
    YearOfCentury,
    /// `%m`
    Month,
    /// `%d`
    Day,
    /// `%j`
    DayOfYear,
    /// `%H`
    Hour,
    /// `%M`
    Minute,
    /// `%S`
    Second,
    /// `%z`: `+hhmm`
    Offset,
}

impl TimeFormat {
    /// `datefmt` when given (`strftime` alone); else `default_time_format`
    /// and `default_msec_format` (`'%s,%03d'`, or `None` for no
    /// milliseconds). `None` if one of them is beyond this path.
    pub(crate) fn new(
        utc: bool,
        datefmt: Option<&str>,
        default_time_format: &str,
        default_msec_format: Option<&str>,
    ) -> Option<TimeFormat> {
        // `formatTime` tests `if datefmt:`, so an empty one is none.
        if let Some(datefmt) = datefmt.filter(|f| !f.is_empty()) {
            return Some(TimeFormat {
                utc,
                date: directives(datefmt)?,
                msecs: None,
            });
        }
        let msecs = match default_msec_format {
            None | Some("") => None,
            Some(format) => {
                let between = format.strip_prefix("%s")?.strip_suffix("%03d")?;
                if between.contains('%') {
                    return None;
                }
                Some(between.into())
            }
        };
        Some(TimeFormat {
            utc,
            date: directives(default_time_format)?,
            msecs,
        })
    }

    /// Appends the `asctime` of a record `created` at that many seconds
    /// since the epoch, `msecs` into its second; `None` where Python's
    /// text could differ (a year without four digits, a time `localtime`
    /// refuses, milliseconds out of their range).
    pub(crate) fn write(&self, created: f64, msecs: f64, out: &mut String) -> Option<()> {
        if !created.is_finite() {
            return None;
        }
        // `time.localtime(created)` takes the second below (`ROUND_FLOOR`).
        let floor = created.floor();
        if !(-1e15..1e15).contains(&floor) {
            return None;
        }
        let tm = broken_down(floor as i64, self.utc)?;
        // glibc pads no other year to four digits: left to Python.
        let year = i64::from(tm.tm_year) + 1900;
        if !(1000..=9999).contains(&year) {
            return None;
        }
        let year = year as u32;
        for directive in &self.date {
            match directive {
                Directive::Text(text) => out.push_str(text),
                Directive::Year => digits(out, year, 4),
                Directive::YearOfCentury => digits(out, year % 100, 2),
                Directive::Month => digits(out, (tm.tm_mon + 1) as u32, 2),
                Directive::Day => digits(out, tm.tm_mday as u32, 2),
                Directive::DayOfYear => digits(out, (tm.tm_yday + 1) as u32, 3),
                Directive::Hour => digits(out, tm.tm_hour as u32, 2),
                Directive::Minute => digits(out, tm.tm_min as u32, 2),
                Directive::Second => digits(out, tm.tm_sec as u32, 2),
                Directive::Offset => {
                    let offset = tm.tm_gmtoff;
                    out.push(if offset < 0 { '-' } else { '+' });
                    let minutes = offset.unsigned_abs() / 60;
                    digits(out, (minutes / 60) as u32, 2);
                    digits(out, (minutes % 60) as u32, 2);
                }
            }
        }
        if let Some(between) = &self.msecs {
            // `'%03d' % msecs`: the integer part, three digits at least.
            if !(0.0..1000.0).contains(&msecs) {
                return None;
            }
            out.push_str(between);
            digits(out, msecs as u32, 3);
        }
        Some(())
    }
}

/// `value` in decimal, zero-padded to `width` (by hand: through `write!`
/// a stamp cost as much as the rest of the line).
fn digits(out: &mut String, value: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut rest = value;
    let mut at = buf.len();
    while rest > 0 {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let start = at.min(buf.len() - width);
    // ASCII digits only.
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or_default());
}

/// The directives of a `strftime` format; `None` if one is beyond this
/// path.
fn directives(format: &str) -> Option<Vec<Directive>> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let directive = match chars.next()? {
            '%' => {
                text.push('%');
                continue;
            }
            'Y' => Directive::Year,
            'y' => Directive::YearOfCentury,
            'm' => Directive::Month,
            'd' => Directive::Day,
            'j' => Directive::DayOfYear,
            'H' => Directive::Hour,
            'M' => Directive::Minute,
            'S' => Directive::Second,
            'z' => Directive::Offset,
            _ => return None,
        };
        if !text.is_empty() {
            parts.push(Directive::Text(std::mem::take(&mut text).into()));
        }
        parts.push(directive);
    }
    if !text.is_empty() {
        parts.push(Directive::Text(text.into()));
    }
    Some(parts)
}

/// The local (or UTC) calendar time of `secs` since the epoch, by the C
/// library, as Python's `time.localtime` (`time.gmtime`) has it.
fn broken_down(secs: i64, utc: bool) -> Option<libc::tm> {
    let time = libc::time_t::try_from(secs).ok()?;
    let mut tm = MaybeUninit::<libc::tm>::zeroed();
    // SAFETY: both pointers are valid for the call, which writes only
    // `tm` and reads only `time`; the `_r` functions are thread-safe.
    // Neither std nor chrono can serve: the text must come from the very
    // function Python calls, whose time zone follows Python's
    // `time.tzset()`.
    let done = unsafe {
        if utc {
            libc::gmtime_r(&time, tm.as_mut_ptr())
        } else {
            libc::localtime_r(&time, tm.as_mut_ptr())
        }
    };
    if done.is_null() {
        return None;
    }
    // SAFETY: the call succeeded, so it filled `tm` (which was zeroed
    // before anyway).
    Some(unsafe { tm.assume_init() })
}
