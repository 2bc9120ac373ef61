//! [`Period`]: the time trigger of rotation, its boundaries and its names.
//!
//! A period starts at a boundary of the wall clock, in local time or UTC,
//! and its backups are named after its start the way Python's timed handler
//! names them: `%Y-%m-%d_%H-%M` for minutes, `%Y-%m-%d_%H` for hours,
//! `%Y-%m-%d` for days and weeks. The names sort as the periods do.
//! Daylight saving time is handled by the calendar: a local day is 23 or 25
//! hours long on the days the clocks change, an hour repeated in autumn is
//! one period of two hours (its name is the same), and a boundary that does
//! not exist in spring is replaced by the first time that does.

use chrono::{
    DateTime, Datelike, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Timelike, Weekday,
};

/// How often the log is rotated by time, in addition to (or, with
/// `max_bytes(0)`, instead of) its size limit; see
/// [`Builder::rotate_every`](crate::Builder::rotate_every).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Period {
    /// At the start of every minute (Python's `when="M"`); meant for tests
    /// and demonstrations.
    Minute,
    /// At the start of every hour (`when="H"`).
    Hour,
    /// At midnight (`when="midnight"`, or `"D"` aligned to midnight).
    Day,
    /// At midnight at the start of the given weekday (`when="W0"` is
    /// `Week(Weekday::Mon)`).
    Week(Weekday),
}

/// A period and the clock its boundaries are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub(crate) period: Period,
    pub(crate) utc: bool,
}

/// One period, in Unix seconds: `start <= t < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: i64,
    pub(crate) end: i64,
}

impl Schedule {
    /// A number naming this schedule, kept with the period in the shared
    /// state: a writer with another schedule starts the period afresh.
    pub(crate) fn tag(&self) -> u64 {
        let period = match self.period {
            Period::Minute => 1,
            Period::Hour => 2,
            Period::Day => 3,
            Period::Week(day) => 10 + u64::from(day.num_days_from_monday()),
        };
        period | (u64::from(self.utc) << 8)
    }

    /// The period holding the instant `t`.
    pub(crate) fn span_at(&self, t: i64) -> Span {
        let floor = floor(self.period, self.naive_at(t));
        Span {
            start: self.resolve(floor).min(t),
            end: self.resolve(next(self.period, floor)).max(t + 1),
        }
    }

    /// The name of the period starting at `start`, as backups carry it.
    pub(crate) fn label(&self, start: i64) -> String {
        let floor = floor(self.period, self.naive_at(start));
        floor.format(format_of(self.period)).to_string()
    }

    /// When the period a backup's label names ended, for age-based
    /// retention; `None` if `label` is not one. Labels of another period
    /// length than this schedule's (written before a configuration change)
    /// are read as what they look like: minute, hour or day.
    pub(crate) fn label_end(&self, label: &str) -> Option<i64> {
        let (floor, period) = parse_label(label)?;
        let period = match (period, self.period) {
            (Period::Day, Period::Week(day)) => Period::Week(day),
            (period, _) => period,
        };
        Some(self.resolve(next(period, floor)))
    }

    fn naive_at(&self, t: i64) -> NaiveDateTime {
        let utc = DateTime::from_timestamp(t, 0).unwrap_or_default();
        if self.utc {
            utc.naive_utc()
        } else {
            utc.with_timezone(&Local).naive_local()
        }
    }

    /// The instant a wall-clock time names: the earlier one if the clocks
    /// went back over it, the first time after it if they jumped over it.
    fn resolve(&self, naive: NaiveDateTime) -> i64 {
        if self.utc {
            return naive.and_utc().timestamp();
        }
        let mut at = naive;
        for _ in 0..16 {
            match Local.from_local_datetime(&at) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.timestamp(),
                LocalResult::None => at += TimeDelta::minutes(15),
            }
        }
        naive.and_utc().timestamp()
    }
}

/// The boundary at or before `t`.
fn floor(period: Period, t: NaiveDateTime) -> NaiveDateTime {
    let date = t.date();
    match period {
        Period::Minute => date.and_time(at(t.hour(), t.minute())),
        Period::Hour => date.and_time(at(t.hour(), 0)),
        Period::Day => date.and_time(NaiveTime::MIN),
        Period::Week(first) => {
            let back = (7 + t.weekday().num_days_from_monday() - first.num_days_from_monday()) % 7;
            (date - TimeDelta::days(i64::from(back))).and_time(NaiveTime::MIN)
        }
    }
}

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}

/// The boundary after the one at `floor`.
fn next(period: Period, floor: NaiveDateTime) -> NaiveDateTime {
    floor
        + match period {
            Period::Minute => TimeDelta::minutes(1),
            Period::Hour => TimeDelta::hours(1),
            Period::Day => TimeDelta::days(1),
            Period::Week(_) => TimeDelta::weeks(1),
        }
}

/// Python's timed handler's suffixes.
fn format_of(period: Period) -> &'static str {
    match period {
        Period::Minute => "%Y-%m-%d_%H-%M",
        Period::Hour => "%Y-%m-%d_%H",
        Period::Day | Period::Week(_) => "%Y-%m-%d",
    }
}

/// A label's boundary and the period its form says.
fn parse_label(label: &str) -> Option<(NaiveDateTime, Period)> {
    // Any other file name may sit in the directory: only ASCII can be a
    // label, and byte offsets below are then character boundaries.
    if !label.is_ascii() {
        return None;
    }
    let at = |i: usize| label.as_bytes().get(i).copied();
    let date = NaiveDate::parse_from_str(label.get(..10)?, "%Y-%m-%d").ok()?;
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = label.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let (time, period) = match label.len() {
        10 => (NaiveTime::MIN, Period::Day),
        13 if at(10) == Some(b'_') => (
            NaiveTime::from_hms_opt(number(11..13)?, 0, 0)?,
            Period::Hour,
        ),
        16 if at(10) == Some(b'_') && at(13) == Some(b'-') => (
            NaiveTime::from_hms_opt(number(11..13)?, number(14..16)?, 0)?,
            Period::Minute,
        ),
        _ => return None,
    };
    let floor = date.and_time(time);
    // Only the canonical form: `2026-1-05` is not a label.
    (floor.format(format_of(period)).to_string() == label).then_some((floor, period))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(period: Period) -> Schedule {
        Schedule { period, utc: true }
    }

    /// 2026-11-24 05:43:27 UTC, a Tuesday.
    const T: i64 = 1_795_499_007;

    #[test]
    fn periods_start_at_wall_clock_boundaries() {
        let day = utc(Period::Day).span_at(T);
        assert_eq!((day.start, day.end), (T - 20_607, T - 20_607 + 86_400));
        assert_eq!(utc(Period::Day).label(day.start), "2026-11-24");
        let hour = utc(Period::Hour).span_at(T);
        assert_eq!((hour.start, hour.end), (T - 2_607, T - 2_607 + 3_600));
        assert_eq!(utc(Period::Hour).label(hour.start), "2026-11-24_05");
        let minute = utc(Period::Minute).span_at(T);
        assert_eq!((minute.start, minute.end), (T - 27, T + 33));
        assert_eq!(utc(Period::Minute).label(T), "2026-11-24_05-43");
    }

    #[test]
    fn weeks_start_on_the_chosen_day() {
        let monday = utc(Period::Week(Weekday::Mon));
        let span = monday.span_at(T);
        assert_eq!(monday.label(span.start), "2026-11-23");
        assert_eq!(span.end - span.start, 7 * 86_400);
        let sunday = utc(Period::Week(Weekday::Sun));
        assert_eq!(sunday.label(sunday.span_at(T).start), "2026-11-22");
        let tuesday = utc(Period::Week(Weekday::Tue));
        assert_eq!(tuesday.label(tuesday.span_at(T).start), "2026-11-24");
    }

    #[test]
    fn a_boundary_belongs_to_the_period_it_starts() {
        let hour = utc(Period::Hour);
        let span = hour.span_at(T);
        assert_eq!(hour.span_at(span.end).start, span.end);
        assert_eq!(hour.span_at(span.end - 1), span);
    }

    #[test]
    fn labels_are_read_back_and_others_refused() {
        let day = utc(Period::Day);
        assert_eq!(day.label_end("2026-11-24"), Some(T - 20_607 + 86_400));
        assert_eq!(day.label_end("2026-11-24_05"), Some(T - 2_607 + 3_600));
        assert_eq!(day.label_end("2026-11-24_05-43"), Some(T + 33));
        let week = utc(Period::Week(Weekday::Mon));
        assert_eq!(
            week.label_end("2026-11-23"),
            Some(T - 20_607 - 86_400 + 7 * 86_400)
        );
        for not_a_label in [
            "1",
            "2026-11-24.1",
            "2026-1-024",
            "2026-11-24_5",
            "2026-11-24_05-4x",
            "2026-13-01",
            "2026-11-24é0",
            "2026-11-24_é",
            "2026-11-24_0é-1",
            "2026-11-2é",
        ] {
            assert_eq!(day.label_end(not_a_label), None, "{not_a_label}");
        }
    }

    #[test]
    fn labels_sort_as_their_periods() {
        let minute = utc(Period::Minute);
        let labels: Vec<String> = (0..200).map(|k| minute.label(T + k * 61)).collect();
        assert!(labels.windows(2).all(|w| w[0] < w[1]));
    }
}
