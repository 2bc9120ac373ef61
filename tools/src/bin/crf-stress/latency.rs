//! Write latencies: recorded per line by each writer, sent to the run as a
//! line of text, merged there into one distribution for p50, p99, p99.9.
//!
//! The line is `latency <ns>:<count> <ns>:<count> ...`, one pair per
//! non-empty bucket of an HDR histogram of 3 significant digits (what
//! Python's writer sends too, rounding its own values).

use std::time::Duration;

use hdrhistogram::Histogram;

/// A distribution of latencies in nanoseconds.
#[derive(Debug, Clone)]
pub(crate) struct Latencies(Histogram<u64>);

/// The figures a report shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Percentiles {
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) p999: Duration,
    pub(crate) max: Duration,
}

/// The longest latency told apart: an hour. Longer ones count as an hour.
const LONGEST_NS: u64 = 3_600 * 1_000_000_000;

impl Default for Latencies {
    fn default() -> Self {
        Latencies(
            Histogram::new_with_bounds(1, LONGEST_NS, 3)
                .expect("bounds of 1 ns to an hour at 3 digits are valid"),
        )
    }
}

impl Latencies {
    /// Records one write's latency.
    pub(crate) fn record(&mut self, latency: Duration) {
        self.0
            .saturating_record(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
    }

    /// Adds another distribution to this one.
    pub(crate) fn merge(&mut self, other: &Latencies) {
        // Both have the same bounds, so adding cannot fail for want of range.
        let _ = self.0.add(&other.0);
    }

    /// How many latencies were recorded.
    pub(crate) fn count(&self) -> u64 {
        self.0.len()
    }

    /// The line a writer process prints.
    pub(crate) fn to_line(&self) -> String {
        let mut line = String::from("latency");
        for bucket in self.0.iter_recorded() {
            line.push_str(&format!(
                " {}:{}",
                bucket.value_iterated_to(),
                bucket.count_at_value()
            ));
        }
        line
    }

    /// Reads what follows `latency` in a writer's line; `None` if malformed.
    pub(crate) fn parse(pairs: &str) -> Option<Latencies> {
        let mut latencies = Latencies::default();
        for pair in pairs.split_whitespace() {
            let (nanos, count) = pair.split_once(':')?;
            latencies
                .0
                .saturating_record_n(nanos.parse().ok()?, count.parse().ok()?);
        }
        Some(latencies)
    }

    /// The median, 99th and 99.9th percentiles and the largest.
    pub(crate) fn percentiles(&self) -> Percentiles {
        if self.0.is_empty() {
            return Percentiles::default();
        }
        let at = |q: f64| Duration::from_nanos(self.0.value_at_quantile(q));
        Percentiles {
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
            max: Duration::from_nanos(self.0.max()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_travel_as_a_line_and_merge() {
        let mut a = Latencies::default();
        for micros in 1..=1000 {
            a.record(Duration::from_micros(micros));
        }
        let line = a.to_line();
        let b = Latencies::parse(line.strip_prefix("latency").unwrap()).unwrap();
        assert_eq!(b.count(), 1000);
        let mut merged = Latencies::default();
        merged.merge(&a);
        merged.merge(&b);
        let p = merged.percentiles();
        assert_eq!(merged.count(), 2000);
        assert!(
            p.p50.abs_diff(Duration::from_micros(500)) < Duration::from_micros(2),
            "{p:?}"
        );
        assert!(
            p.p99.abs_diff(Duration::from_micros(990)) < Duration::from_micros(2),
            "{p:?}"
        );
        assert!(
            p.max.abs_diff(Duration::from_micros(1000)) < Duration::from_micros(2),
            "{p:?}"
        );
        assert!(Latencies::parse("12:x").is_none());
        // Outliers are kept, not clamped to the typical range.
        merged.record(Duration::from_secs(2));
        assert!(merged.percentiles().max >= Duration::from_millis(1999));
    }
}
