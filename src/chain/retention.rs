//! Which backups to keep: at most a count, optionally no older than an age
//! and no larger in total than a budget. The newest are kept first.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::time::clock::unix_secs;

/// The retention options of a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Retention {
    pub(crate) count: usize,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_total_bytes: Option<u64>,
}

/// What retention needs to know of one backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Facts {
    /// When its last record was written, in Unix seconds.
    pub(crate) last_written: i64,
    pub(crate) bytes: u64,
}

impl Facts {
    /// A backup's size and the time of its last record (its modification
    /// time, which compression keeps), of all its files (a plain file and
    /// a `.gz` kept together count as one backup).
    pub(crate) fn of_files(paths: impl IntoIterator<Item = PathBuf>) -> io::Result<Facts> {
        let mut facts = Facts {
            last_written: i64::MIN,
            bytes: 0,
        };
        for path in paths {
            let meta = std::fs::symlink_metadata(path)?;
            facts.last_written = facts.last_written.max(unix_secs(meta.modified()?));
            facts.bytes += meta.len();
        }
        Ok(facts)
    }
}

impl Retention {
    /// Whether [`keep`](Retention::keep) looks at the backups' facts (which
    /// costs a `stat` each), not only at their number.
    pub(crate) fn needs_facts(&self) -> bool {
        self.max_age.is_some() || self.max_total_bytes.is_some()
    }

    /// How many of the backups to keep, the facts given newest first and
    /// read only as far as needed: the newest ones that are within the
    /// count, younger than the age (at `now`) and, added up, within the
    /// budget. A backup past the limits makes every older one go too, so
    /// the chain keeps no gap.
    pub(crate) fn keep(
        &self,
        newest_first: impl IntoIterator<Item = io::Result<Facts>>,
        now: i64,
    ) -> io::Result<usize> {
        if !self.needs_facts() {
            return Ok(self.count.min(newest_first.into_iter().count()));
        }
        let oldest_allowed = self
            .max_age
            .map(|age| now.saturating_sub(i64::try_from(age.as_secs()).unwrap_or(i64::MAX)));
        let mut total = 0u64;
        let mut kept = 0;
        for facts in newest_first.into_iter().take(self.count) {
            let facts = facts?;
            total = total.saturating_add(facts.bytes);
            let too_old = oldest_allowed.is_some_and(|oldest| facts.last_written < oldest);
            let over_budget = self.max_total_bytes.is_some_and(|budget| total > budget);
            if too_old || over_budget {
                break;
            }
            kept += 1;
        }
        Ok(kept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(list: &[(i64, u64)]) -> Vec<io::Result<Facts>> {
        list.iter()
            .map(|&(last_written, bytes)| {
                Ok(Facts {
                    last_written,
                    bytes,
                })
            })
            .collect()
    }

    const BACKUPS: &[(i64, u64)] = &[(1000, 10), (900, 20), (800, 30), (700, 40)];

    #[test]
    fn the_count_alone_keeps_the_newest() {
        let r = Retention {
            count: 3,
            max_age: None,
            max_total_bytes: None,
        };
        assert_eq!(r.keep(facts(BACKUPS), 0).unwrap(), 3);
        assert_eq!(r.keep(facts(&BACKUPS[..2]), 0).unwrap(), 2);
    }

    #[test]
    fn backups_older_than_the_age_go() {
        let r = Retention {
            count: 10,
            max_age: Some(Duration::from_secs(150)),
            max_total_bytes: None,
        };
        // At 1050, the oldest allowed was written at 900.
        assert_eq!(r.keep(facts(BACKUPS), 1050).unwrap(), 2);
        assert_eq!(r.keep(facts(BACKUPS), 2000).unwrap(), 0);
    }

    #[test]
    fn the_newest_that_fit_the_budget_stay() {
        let r = Retention {
            count: 10,
            max_age: None,
            max_total_bytes: Some(60),
        };
        assert_eq!(r.keep(facts(BACKUPS), 0).unwrap(), 3);
        let r = Retention {
            count: 10,
            max_age: None,
            max_total_bytes: Some(5),
        };
        assert_eq!(r.keep(facts(BACKUPS), 0).unwrap(), 0);
    }

    #[test]
    fn the_strictest_limit_wins() {
        let r = Retention {
            count: 2,
            max_age: Some(Duration::from_secs(1000)),
            max_total_bytes: Some(1000),
        };
        assert_eq!(r.keep(facts(BACKUPS), 1000).unwrap(), 2);
    }

    #[test]
    fn facts_past_the_count_are_not_read() {
        let r = Retention {
            count: 1,
            max_age: None,
            max_total_bytes: Some(100),
        };
        let list = vec![
            Ok(Facts {
                last_written: 0,
                bytes: 1,
            }),
            Err(io::Error::other("not read")),
        ];
        assert_eq!(r.keep(list, 0).unwrap(), 1);
    }
}
