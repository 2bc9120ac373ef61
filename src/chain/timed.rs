//! Backups named after the period of their records: `app.log.<period>` for
//! the first file of a period, then `app.log.<period>.1`, `.2`, ... for the
//! files a size rotation closes within the same period, `.gz` added when
//! compressed. This is what Python's timed handler writes (it adds `.1`,
//! `.2` on a name clash); a backup keeps its name for ever, so a rotation
//! renames the live file only, however many backups are kept.
//!
//! Oldest first, the backups sort by period, then by number (none before
//! `.1`): `ls -v` shows them in order.

use std::io;
use std::path::{Path, PathBuf};

use crate::chain::leftovers;
use crate::chain::pending::Pending;
use crate::chain::provenance::{self, Twins};
use crate::chain::retention::{Facts, Retention};
use crate::names::{Names, backup_number};
use crate::sys::fs::{FileId, remove_if_present, rename};
use crate::time::period::Schedule;

/// The time-named backups of one log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimedChain<'a> {
    pub(crate) names: &'a Names,
    pub(crate) schedule: &'a Schedule,
    pub(crate) retention: &'a Retention,
    /// Whether rotations report the plain backups, for the compressor.
    pub(crate) gzip: bool,
    pub(crate) twins: &'a Twins,
}

/// One time-named backup found in the log's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TimedBackup {
    path: PathBuf,
    /// A plain file of the same name beside this `.gz`, holding other data
    /// (see `provenance`): kept, and let go with it.
    twin: Option<PathBuf>,
    label: String,
    /// 0 for the first file of its period.
    number: u64,
    gz: bool,
    /// When its period ended, Unix seconds: no record in it is later.
    period_end: i64,
}

impl TimedBackup {
    /// Its files: itself, and its twin if it has one.
    fn files(&self) -> impl Iterator<Item = &PathBuf> {
        std::iter::once(&self.path).chain(&self.twin)
    }
}

impl TimedChain<'_> {
    /// Renames the live file, whose records are from the period `label`,
    /// to that period's next backup, and lets retention drop what it must.
    /// Called with the lock held.
    pub(crate) fn rotate(&self, label: &str, now: i64) -> io::Result<Pending> {
        let mut backups = self.list()?;
        let mut pending = Pending::default();
        let target = self.next_name(&backups, label);
        let made = match rename(self.names.live(), &target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            other => {
                other?;
                backups.extend(self.parse_path(&target));
                true
            }
        };
        let facts = backups.iter().rev().map(|backup| {
            let mut bytes = 0;
            if self.retention.max_total_bytes.is_some() {
                for path in backup.files() {
                    bytes += std::fs::symlink_metadata(path)?.len();
                }
            }
            Ok(Facts {
                last_written: backup.period_end,
                bytes,
            })
        });
        // The backup this rotation made (last in the list) holds the newest
        // records: age and size never take it, even after the clock jumped
        // forward.
        let keep = self.retention.keep(facts, now)?.max(usize::from(made));
        let expired = backups.len().saturating_sub(keep);
        for backup in &backups[..expired] {
            for path in backup.files() {
                pending
                    .pruned
                    .extend(leftovers::move_aside(self.names, path)?);
            }
        }
        if self.gzip {
            // Every plain one kept: the one just made, and any a compressor
            // left (killed, or held back by compress_after).
            pending.to_compress = backups[expired..]
                .iter()
                .filter(|b| !b.gz)
                .map(|b| b.path.clone())
                .collect();
        }
        Ok(pending)
    }

    /// The plain backups. Called with the lock held.
    pub(crate) fn plain_backups(&self) -> io::Result<Vec<PathBuf>> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|b| !b.gz)
            .map(|b| b.path)
            .collect())
    }

    /// Whether the backup queued as `queued`, file `id`, is still there: a
    /// time-named backup keeps its name. Called with the lock held.
    pub(crate) fn locate(&self, queued: &Path, id: FileId) -> io::Result<Option<PathBuf>> {
        Ok((FileId::at(queued)? == Some(id)).then(|| queued.to_path_buf()))
    }

    /// The backups, oldest first. A number found both plain and gzipped is
    /// what a compressor killed between its last two steps leaves if the
    /// `.gz` was made from that plain file: the `.gz` got its name once
    /// complete, so the plain file is removed. Otherwise both are kept.
    fn list(&self) -> io::Result<Vec<TimedBackup>> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(self.names.dir())? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(rest) = self.names.backup_suffix(&name) else {
                continue;
            };
            let Ok(rest) = std::str::from_utf8(rest) else {
                continue;
            };
            if let Some(backup) = self.parse(rest, self.names.live().with_file_name(&name)) {
                found.push(backup);
            }
        }
        found.sort_by(|a, b| (&a.label, a.number, !a.gz).cmp(&(&b.label, b.number, !b.gz)));
        let mut backups: Vec<TimedBackup> = Vec::with_capacity(found.len());
        let (mut pairs, mut first) = (0, None);
        for backup in found {
            match backups.last_mut() {
                Some(last) if last.label == backup.label && last.number == backup.number => {
                    // Sorted gz first: this is the plain twin of a finished gz.
                    if provenance::made_from(&last.path, &backup.path)? {
                        remove_if_present(&backup.path)?;
                    } else {
                        pairs += 1;
                        first.get_or_insert_with(|| (backup.path.clone(), last.path.clone()));
                        last.twin = Some(backup.path);
                    }
                }
                _ => backups.push(backup),
            }
        }
        self.twins.counted(pairs, first);
        Ok(backups)
    }

    /// The backup just named `path`.
    fn parse_path(&self, path: &Path) -> Option<TimedBackup> {
        let rest = self.names.backup_suffix(path.file_name()?)?;
        self.parse(std::str::from_utf8(rest).ok()?, path.to_path_buf())
    }

    /// Reads `<label>[.<number>][.gz]`.
    fn parse(&self, rest: &str, path: PathBuf) -> Option<TimedBackup> {
        let (rest, gz) = match rest.strip_suffix(".gz") {
            Some(rest) => (rest, true),
            None => (rest, false),
        };
        let (label, number) = match rest.split_once('.') {
            None => (rest, 0),
            Some((label, number)) => (label, backup_number(number.as_bytes())?),
        };
        Some(TimedBackup {
            period_end: self.schedule.label_end(label)?,
            twin: None,
            label: label.to_owned(),
            number,
            gz,
            path,
        })
    }

    /// The name for the next backup of the period `label`: after every
    /// backup of that period still present, so the order holds even if
    /// retention removed the earlier ones.
    fn next_name(&self, backups: &[TimedBackup], label: &str) -> PathBuf {
        let next = backups
            .iter()
            .filter(|b| b.label == label)
            .map(|b| b.number + 1)
            .max()
            .unwrap_or(0);
        self.names.timed(label, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::period::Period;

    const DAILY: Schedule = Schedule {
        period: Period::Day,
        utc: true,
    };

    const KEEP_ALL: Retention = Retention {
        count: 100,
        max_age: None,
        max_total_bytes: None,
    };

    fn file_names(backups: &[TimedBackup]) -> Vec<String> {
        backups
            .iter()
            .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    static TWINS: Twins = Twins::new();

    fn chain(names: &Names) -> TimedChain<'_> {
        TimedChain {
            names,
            schedule: &DAILY,
            retention: &KEEP_ALL,
            gzip: false,
            twins: &TWINS,
        }
    }

    #[test]
    fn backups_are_listed_oldest_first_and_strangers_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        for name in [
            "app.log.2026-11-24.2",
            "app.log.2026-11-23",
            "app.log.2026-11-24.10.gz",
            "app.log.2026-11-24",
            "app.log.2026-11-24.1.gz",
            "app.log.1",
            "app.log.2026-11-24.01",
            "app.log.2026-11-24.tmp",
            "other.log.2026-11-24",
            ".__app.log.pruned.1",
        ] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let timed = chain(&names);
        let backups = timed.list().unwrap();
        assert_eq!(
            file_names(&backups),
            [
                "app.log.2026-11-23",
                "app.log.2026-11-24",
                "app.log.2026-11-24.1.gz",
                "app.log.2026-11-24.2",
                "app.log.2026-11-24.10.gz",
            ]
        );
        assert_eq!(
            timed.next_name(&backups, "2026-11-24"),
            dir.path().join("app.log.2026-11-24.11")
        );
        assert_eq!(
            timed.next_name(&backups, "2026-11-25"),
            dir.path().join("app.log.2026-11-25")
        );
    }

    #[test]
    fn a_plain_backup_beside_a_gz_of_other_data_is_kept_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        std::fs::write(dir.path().join("app.log.2026-11-24.1"), "plain").unwrap();
        std::fs::write(dir.path().join("app.log.2026-11-24.1.gz"), "gz").unwrap();
        let backups = chain(&names).list().unwrap();
        assert_eq!(file_names(&backups), ["app.log.2026-11-24.1.gz"]);
        assert_eq!(
            backups[0].twin.as_deref(),
            Some(dir.path().join("app.log.2026-11-24.1").as_path())
        );
        assert!(chain(&names).plain_backups().unwrap().is_empty());
    }
}
