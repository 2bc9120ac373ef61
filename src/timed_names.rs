//! The names of time-based backups: `app.log.<period>` for the first file
//! of a period, then `app.log.<period>.1`, `.2`, ... for the files a size
//! rotation closes within the same period, `.gz` added when compressed.
//! This is what Python's timed handler writes (it adds `.1`, `.2` on a name
//! clash); a backup keeps its name for ever, so rotating never renames more
//! than the live file.
//!
//! Oldest first, the backups sort by period, then by number (none before
//! `.1`): `ls -v` shows them in order.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

use crate::backups;
use crate::schedule::Schedule;

/// One time-based backup found in the log's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimedBackup {
    pub(crate) path: PathBuf,
    label: String,
    /// 0 for the first file of its period.
    number: u64,
    pub(crate) gz: bool,
    /// When its period ended, Unix seconds: no record in it is later.
    pub(crate) period_end: i64,
}

/// The time-based backups of the log at `live`, oldest first. A number
/// found both plain and gzipped is what a compressor killed between its
/// last two steps leaves: the `.gz` got its name once complete, so the
/// plain file is removed.
pub(crate) fn list(live: &Path, schedule: &Schedule) -> io::Result<Vec<TimedBackup>> {
    let Some(live_name) = live.file_name() else {
        return Ok(Vec::new());
    };
    let mut prefix = live_name.as_encoded_bytes().to_vec();
    prefix.push(b'.');
    let mut found = Vec::new();
    for entry in std::fs::read_dir(backups::dir_of(live))? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(rest) = name.as_encoded_bytes().strip_prefix(prefix.as_slice()) else {
            continue;
        };
        let Ok(rest) = std::str::from_utf8(rest) else {
            continue;
        };
        if let Some(backup) = parse(rest, schedule, live.with_file_name(&name)) {
            found.push(backup);
        }
    }
    found.sort_by(|a, b| (&a.label, a.number, !a.gz).cmp(&(&b.label, b.number, !b.gz)));
    let mut backups: Vec<TimedBackup> = Vec::with_capacity(found.len());
    for backup in found {
        match backups.last() {
            Some(last) if last.label == backup.label && last.number == backup.number => {
                // Sorted gz first: this is the plain twin of a finished gz.
                backups::remove_if_present(&backup.path)?;
            }
            _ => backups.push(backup),
        }
    }
    Ok(backups)
}

/// The backup just named `path`, next to the log at `live`.
pub(crate) fn list_one(live: &Path, path: &Path, schedule: &Schedule) -> Option<TimedBackup> {
    let name = path.file_name()?.to_str()?;
    let rest = name
        .strip_prefix(live.file_name()?.to_str()?)?
        .strip_prefix('.')?;
    parse(rest, schedule, path.to_path_buf())
}

/// Reads `<label>[.<number>][.gz]`.
fn parse(rest: &str, schedule: &Schedule, path: PathBuf) -> Option<TimedBackup> {
    let (rest, gz) = match rest.strip_suffix(".gz") {
        Some(rest) => (rest, true),
        None => (rest, false),
    };
    let (label, number) = match rest.split_once('.') {
        None => (rest, 0),
        Some((label, number)) => (label, backups::backup_number(number.as_bytes())?),
    };
    Some(TimedBackup {
        period_end: schedule.label_end(label)?,
        label: label.to_owned(),
        number,
        gz,
        path,
    })
}

/// The name for the next backup of the period `label`: after every backup
/// of that period still present, so the order holds even if retention
/// removed the earlier ones.
pub(crate) fn next_name(live: &Path, backups: &[TimedBackup], label: &str) -> PathBuf {
    let mut name = OsString::from(live.as_os_str());
    name.push(".");
    name.push(label);
    let last = backups
        .iter()
        .filter(|b| b.label == label)
        .map(|b| b.number)
        .max();
    if let Some(last) = last {
        name.push(format!(".{}", last + 1));
    }
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Period;

    const DAILY: Schedule = Schedule {
        period: Period::Day,
        utc: true,
    };

    fn names(backups: &[TimedBackup]) -> Vec<String> {
        backups
            .iter()
            .map(|b| b.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn backups_are_listed_oldest_first_and_strangers_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
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
        let backups = list(&live, &DAILY).unwrap();
        assert_eq!(
            names(&backups),
            [
                "app.log.2026-11-23",
                "app.log.2026-11-24",
                "app.log.2026-11-24.1.gz",
                "app.log.2026-11-24.2",
                "app.log.2026-11-24.10.gz",
            ]
        );
        assert_eq!(
            next_name(&live, &backups, "2026-11-24"),
            dir.path().join("app.log.2026-11-24.11")
        );
        assert_eq!(
            next_name(&live, &backups, "2026-11-25"),
            dir.path().join("app.log.2026-11-25")
        );
    }

    #[test]
    fn a_plain_backup_beside_its_gz_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        std::fs::write(dir.path().join("app.log.2026-11-24.1"), "plain").unwrap();
        std::fs::write(dir.path().join("app.log.2026-11-24.1.gz"), "gz").unwrap();
        let backups = list(&live, &DAILY).unwrap();
        assert_eq!(names(&backups), ["app.log.2026-11-24.1.gz"]);
        assert!(!dir.path().join("app.log.2026-11-24.1").exists());
    }
}
