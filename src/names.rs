//! Every name derived from the log's path, defined once: the lock file,
//! the state file, numbered and time-named backups, and the library's
//! temporary files.
//!
//! For `logs/app.log`:
//!
//! | file | name |
//! | --- | --- |
//! | live | `logs/app.log` |
//! | lock (Python's handler's name) | `logs/.__app.lock`, or in `lock_dir` |
//! | shared state | the lock's name + `.state` |
//! | numbered backup | `logs/app.log.3`, gzipped `logs/app.log.3.gz` |
//! | time-named backup | `logs/app.log.2026-11-24`, then `.1`, `.2`, ...; `.gz` when gzipped |
//! | compression in progress | `logs/.__app.log.<inode>.gz.tmp` |
//! | backup let go, deleted once unlocked | `logs/.__app.log.pruned.<pid>.<n>` |

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::sys::fs::dir_of;

/// The paths of one log's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    live: PathBuf,
    lock: PathBuf,
    state: PathBuf,
}

impl Names {
    /// The names for the log at `live`, its lock in `lock_dir` if given.
    pub(crate) fn new(live: PathBuf, lock_dir: Option<&Path>) -> Names {
        let lock = python_lock_path(&live, lock_dir);
        let mut state = lock.clone().into_os_string();
        state.push(".state");
        Names {
            live,
            lock,
            state: PathBuf::from(state),
        }
    }

    /// The live log file.
    pub(crate) fn live(&self) -> &Path {
        &self.live
    }

    /// The directory holding the log and its backups.
    pub(crate) fn dir(&self) -> &Path {
        dir_of(&self.live)
    }

    /// The lock file every writer takes an exclusive `flock` on.
    pub(crate) fn lock(&self) -> &Path {
        &self.lock
    }

    /// The mapped state file beside the lock file.
    pub(crate) fn state(&self) -> &Path {
        &self.state
    }

    /// Numbered backup `n`: `app.log.n`.
    pub(crate) fn numbered(&self, n: usize) -> PathBuf {
        self.with_suffix(format_args!(".{n}"))
    }

    /// Numbered backup `n` gzipped: `app.log.n.gz`.
    pub(crate) fn numbered_gz(&self, n: usize) -> PathBuf {
        self.with_suffix(format_args!(".{n}.gz"))
    }

    /// Time-named backup `number` of the period `label`: `app.log.<label>`
    /// for the first, then `app.log.<label>.<number>`.
    pub(crate) fn timed(&self, label: &str, number: u64) -> PathBuf {
        match number {
            0 => self.with_suffix(format_args!(".{label}")),
            n => self.with_suffix(format_args!(".{label}.{n}")),
        }
    }

    /// What follows `app.log.` in a backup's file name, if `name` starts so.
    pub(crate) fn backup_suffix<'a>(&self, name: &'a OsStr) -> Option<&'a [u8]> {
        name.as_bytes()
            .strip_prefix(self.live_name())?
            .strip_prefix(b".")
    }

    /// Where the compressor writes the gzip of the backup with inode `ino`:
    /// `.__app.log.<ino>.gz.tmp`.
    pub(crate) fn gzip_temp(&self, ino: u64) -> PathBuf {
        self.hidden(format_args!(".{ino}.gz.tmp"))
    }

    /// Whether `name` is a compressor's temporary file.
    pub(crate) fn is_gzip_temp(&self, name: &OsStr) -> bool {
        self.hidden_suffix(name)
            .is_some_and(|rest| rest.ends_with(b".gz.tmp"))
    }

    /// Where a backup retention let go waits, unnamed, to be deleted once
    /// the lock is released: `.__app.log.pruned.<pid>.<n>`.
    pub(crate) fn pruned(&self, pid: u32, n: u64) -> PathBuf {
        self.hidden(format_args!(".pruned.{pid}.{n}"))
    }

    /// Whether `name` is a backup waiting to be deleted.
    pub(crate) fn is_pruned(&self, name: &OsStr) -> bool {
        self.hidden_suffix(name)
            .is_some_and(|rest| rest.starts_with(b".pruned."))
    }

    fn live_name(&self) -> &[u8] {
        self.live.file_name().unwrap_or_default().as_bytes()
    }

    fn with_suffix(&self, suffix: std::fmt::Arguments<'_>) -> PathBuf {
        let mut name = OsString::from(self.live.as_os_str());
        name.push(suffix.to_string());
        PathBuf::from(name)
    }

    /// `.__app.log<suffix>`, next to the log.
    fn hidden(&self, suffix: std::fmt::Arguments<'_>) -> PathBuf {
        let mut name = OsString::from(".__");
        name.push(OsStr::from_bytes(self.live_name()));
        name.push(suffix.to_string());
        self.live.with_file_name(name)
    }

    /// What follows `.__app.log` in `name`, if it starts so.
    fn hidden_suffix<'a>(&self, name: &'a OsStr) -> Option<&'a [u8]> {
        name.as_bytes()
            .strip_prefix(b".__")?
            .strip_prefix(self.live_name())
    }
}

/// The lock file Python's `ConcurrentRotatingFileHandler` uses for `log`:
/// a trailing `.log` stripped, `.lock` added, `.__` in front; placed in
/// `lock_dir` if given, else next to the log.
fn python_lock_path(log: &Path, lock_dir: Option<&Path>) -> PathBuf {
    let name = log.file_name().unwrap_or_default().as_bytes();
    let stem = name.strip_suffix(b".log").unwrap_or(name);
    let mut lock_name = OsString::from(".__");
    lock_name.push(OsStr::from_bytes(stem));
    lock_name.push(".lock");
    match lock_dir {
        Some(dir) => dir.join(lock_name),
        None => log.with_file_name(lock_name),
    }
}

/// The gzipped name of a plain backup: `<plain>.gz`.
pub(crate) fn gz_of(plain: &Path) -> PathBuf {
    let mut gz = plain.as_os_str().to_os_string();
    gz.push(".gz");
    PathBuf::from(gz)
}

/// The `n` of a backup name's `.n`: digits, at least 1, without a leading
/// zero (`app.log.01` is no backup).
pub(crate) fn backup_number(digits: &[u8]) -> Option<u64> {
    let canonical =
        digits.first().is_some_and(|&d| d != b'0') && digits.iter().all(u8::is_ascii_digit);
    canonical.then(|| std::str::from_utf8(digits).ok()?.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(live: &str) -> Names {
        Names::new(PathBuf::from(live), None)
    }

    #[test]
    fn lock_name_matches_pythons_handler() {
        assert_eq!(names("logs/app.log").lock(), Path::new("logs/.__app.lock"));
        assert_eq!(
            names("logs/app.txt").lock(),
            Path::new("logs/.__app.txt.lock")
        );
        assert_eq!(names("app.log").lock(), Path::new(".__app.lock"));
        assert_eq!(
            Names::new("logs/app.log".into(), Some(Path::new("/run/locks"))).lock(),
            Path::new("/run/locks/.__app.lock")
        );
        assert_eq!(
            names("logs/app.log").state(),
            Path::new("logs/.__app.lock.state")
        );
    }

    #[test]
    fn backups_and_temporaries_are_named_after_the_log() {
        let n = names("logs/app.log");
        assert_eq!(n.numbered(3), Path::new("logs/app.log.3"));
        assert_eq!(n.numbered_gz(3), Path::new("logs/app.log.3.gz"));
        assert_eq!(
            n.timed("2026-11-24", 0),
            Path::new("logs/app.log.2026-11-24")
        );
        assert_eq!(
            n.timed("2026-11-24", 2),
            Path::new("logs/app.log.2026-11-24.2")
        );
        assert_eq!(n.gzip_temp(77), Path::new("logs/.__app.log.77.gz.tmp"));
        assert!(n.is_gzip_temp(OsStr::new(".__app.log.77.gz.tmp")));
        assert!(!n.is_gzip_temp(OsStr::new(".__other.log.77.gz.tmp")));
        assert!(n.is_pruned(n.pruned(12, 3).file_name().unwrap()));
        assert_eq!(
            n.backup_suffix(OsStr::new("app.log.3.gz")),
            Some(&b"3.gz"[..])
        );
        assert_eq!(n.backup_suffix(OsStr::new("app.log")), None);
        assert_eq!(gz_of(Path::new("a/app.log.1")), Path::new("a/app.log.1.gz"));
    }

    #[test]
    fn backup_numbers_are_canonical() {
        assert_eq!(backup_number(b"12"), Some(12));
        for not_a_number in [&b"0"[..], b"01", b"", b"1a", b"-1"] {
            assert_eq!(backup_number(not_a_number), None);
        }
    }
}
