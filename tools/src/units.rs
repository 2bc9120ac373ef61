//! Sizes and durations as people type them on a command line, and as the
//! tools print them back: one parser for `crf` and `crf-stress` alike.
//!
//! | input | meaning |
//! | --- | --- |
//! | `1048576`, `1048576B` | bytes |
//! | `64K`, `64KB`, `64KiB`, `64k` | 64 × 1024 bytes (every unit is a power of 1024) |
//! | `1M`, `1MiB`, `1.5M` | 1 MiB, 1.5 MiB = 1,572,864 bytes (fractions of a byte are dropped) |
//! | `1G`, `1T` | 1 GiB, 1 TiB |
//! | `30s`, `5m`, `2h`, `7d`, `1w` | seconds, minutes, hours, days, weeks; `1.5h` is 90 minutes |
//!
//! Size units are case-insensitive; duration units are lower-case (`m` is
//! minutes: there are no months). A duration needs its unit: `90` alone
//! could be seconds or minutes.

use std::time::Duration;

/// Parses a size: plain bytes, or a number (decimals allowed) followed by
/// `K`, `M`, `G` or `T` (powers of 1024; `KB` and `KiB` mean the same).
///
/// ```
/// use crf_tools::units::parse_size;
/// assert_eq!(parse_size("64K"), Ok(64 * 1024));
/// assert_eq!(parse_size("1.5M"), Ok(1_572_864));
/// assert!(parse_size("1.5X").unwrap_err().contains("K, M, G or T"));
/// ```
///
/// # Errors
///
/// A message quoting the input and saying what is expected, fit to follow
/// the flag's name.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)
        .ok_or_else(|| format!("`{text}` is not a size: write bytes, or a number with K, M, G or T, as in 64K, 1M, 1.5M, 1G"))?;
    let multiplier: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; sizes take K, M, G or T (powers of 1024), as in 64K, 1M, 1.5M, 1G"
            ));
        }
    };
    number
        .times(u128::from(multiplier))
        .and_then(|bytes| u64::try_from(bytes).ok())
        .ok_or_else(|| format!("`{text}` is too large a size"))
}

/// Parses a duration: a number (decimals allowed) followed by `s`, `m`,
/// `h`, `d` or `w` (seconds, minutes, hours, days, weeks), whole words
/// (`sec`, `min`, `hours`, `days`, ...) accepted too.
///
/// ```
/// use std::time::Duration;
/// use crf_tools::units::parse_duration;
/// assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
/// assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5_400)));
/// assert!(parse_duration("90").unwrap_err().contains("90s"));
/// ```
///
/// # Errors
///
/// A message quoting the input and saying what is expected.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = split_number(text).ok_or_else(|| {
        format!("`{text}` is not a duration: write a number and a unit, as in 30s, 5m, 2h, 7d")
    })?;
    let seconds: u64 = match unit {
        "" => {
            return Err(format!(
                "`{text}` needs a unit: {0}s, {0}m, {0}h or {0}d (seconds, minutes, hours, days)",
                text.trim()
            ));
        }
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; durations take s, m, h, d or w, as in 30s, 5m, 2h, 7d"
            ));
        }
    };
    // Milliseconds are the finest a fraction reaches: `0.5s` is 500 ms.
    let millis = number
        .times(u128::from(seconds) * 1_000)
        .and_then(|ms| u64::try_from(ms).ok())
        .ok_or_else(|| format!("`{text}` is too long a duration"))?;
    Ok(Duration::from_millis(millis))
}

/// A decimal number as typed: `digits` with `decimals` of them after the
/// point, kept exact.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    digits: u128,
    decimals: u32,
}

impl Decimal {
    /// `self × factor`, whole units only (a fraction left over is dropped).
    fn times(self, factor: u128) -> Option<u128> {
        Some(self.digits.checked_mul(factor)? / 10u128.checked_pow(self.decimals)?)
    }
}

/// Splits `1.5MiB` into its number and its unit (`MiB`), spaces allowed
/// around both; `None` unless the number is digits with at most one point.
fn split_number(text: &str) -> Option<(Decimal, &str)> {
    let text = text.trim();
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') || fraction.len() > 18 {
        return None;
    }
    let digits = format!("{whole}{fraction}").parse().ok()?;
    let decimals = u32::try_from(fraction.len()).ok()?;
    Some((Decimal { digits, decimals }, unit.trim()))
}

/// A byte count for people: `512 B`, `64.0 KiB`, `1.0 MiB`, `1.34 GiB`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    // 1023.97 KiB reads better as 1.00 MiB than as 1024.0 KiB.
    while value >= 1023.95 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ if value < 10.0 => format!("{value:.2} {}", UNITS[unit]),
        _ => format!("{value:.1} {}", UNITS[unit]),
    }
}

/// A duration for people, two or three significant digits: `850 ns`,
/// `1.2 µs`, `37 µs`, `4.1 ms`, `12 s`.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos() as f64;
    let (value, unit) = if nanos < 1e3 {
        (nanos, "ns")
    } else if nanos < 1e6 {
        (nanos / 1e3, "µs")
    } else if nanos < 1e9 {
        (nanos / 1e6, "ms")
    } else {
        (nanos / 1e9, "s")
    };
    if value < 10.0 && unit != "ns" {
        format!("{value:.1} {unit}")
    } else {
        format!("{value:.0} {unit}")
    }
}

/// A count with thousands separators: `12,000,000`.
pub fn format_count(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("64kb"), Ok(64 << 10));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("1MiB"), Ok(1 << 20));
        assert_eq!(parse_size(" 2 MiB "), Ok(2 << 20));
        assert_eq!(parse_size("1.5M"), Ok(1_572_864));
        assert_eq!(parse_size(".5K"), Ok(512));
        assert_eq!(parse_size("1.1K"), Ok(1126)); // 1126.4, the fraction dropped
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("2T"), Ok(2 << 40));
        assert_eq!(parse_size("0"), Ok(0));
    }

    #[test]
    fn a_bad_size_says_what_is_expected() {
        for bad in ["", "M", "-1", "1.2.3M", "one", "."] {
            let err = parse_size(bad).unwrap_err();
            assert!(err.contains("is not a size"), "{bad}: {err}");
        }
        let err = parse_size("1.5X").unwrap_err();
        assert!(
            err.contains("`1.5X`")
                && err.contains("unknown unit `X`")
                && err.contains("K, M, G or T"),
            "{err}"
        );
        assert!(parse_size("20000000T").unwrap_err().contains("too large"));
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("5 min"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7_200)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("2w"), Ok(Duration::from_secs(1_209_600)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5_400)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn a_bad_duration_says_what_is_expected() {
        let err = parse_duration("90").unwrap_err();
        assert!(err.contains("needs a unit") && err.contains("90s"), "{err}");
        let err = parse_duration("5x").unwrap_err();
        assert!(err.contains("unknown unit `x`"), "{err}");
        let err = parse_duration("soon").unwrap_err();
        assert!(err.contains("is not a duration"), "{err}");
        // A month is not a fixed length: `M` is not minutes' capital.
        assert!(parse_duration("1M").is_err());
    }

    #[test]
    fn quantities_print_in_human_units() {
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1 << 20), "1.00 MiB");
        assert_eq!(format_bytes(1_048_560), "1.00 MiB");
        assert_eq!(format_bytes(1023), "1023 B");
        assert_eq!(format_bytes(1_440_000_000), "1.34 GiB");
        assert_eq!(format_bytes(64 << 20), "64.0 MiB");
        assert_eq!(format_duration(Duration::from_nanos(850)), "850 ns");
        assert_eq!(format_duration(Duration::from_nanos(1_240)), "1.2 µs");
        assert_eq!(format_duration(Duration::from_micros(37)), "37 µs");
        assert_eq!(format_duration(Duration::from_micros(4_100)), "4.1 ms");
        assert_eq!(format_duration(Duration::from_millis(12_300)), "12 s");
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(12_000_000), "12,000,000");
    }
}
