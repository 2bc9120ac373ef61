//! Every name derived from the log's path, defined once: the lock file,
//! the state file, numbered and time-named backups, and the library's
//! temporary files.
//!
//! Only logs are left where a shipper's glob (`logs/*`) looks: the library's
//! own files live in a hidden directory beside the log,
//! `.concurrent-rotating-file/`, named after the log so that several logs
//! can share it. For `logs/app.log`:
//!
//! | file | name |
//! | --- | --- |
//! | live | `logs/app.log` |
//! | numbered backup | `logs/app.log.3`, gzipped `logs/app.log.3.gz` |
//! | time-named backup | `logs/app.log.2026-11-24`, then `.1`, `.2`, ...; `.gz` when gzipped |
//! | restart-proof file (live or not) | `logs/app.000123.log`, gzipped `logs/app.000123.log.gz` |
//! | restart-proof stable name | `logs/app.log`, a second (hard) link to the live `app.<number>.log` |
//! | the stable name's next link, moved into place | `logs/.concurrent-rotating-file/app.log.link` |
//! | lock | `logs/.concurrent-rotating-file/app.log.lock` |
//! | lock shared with Python's handler | `logs/.__app.lock` (its name; used when asked, or when it exists) |
//! | shared state | `logs/.concurrent-rotating-file/app.log.state` |
//! | compression in progress, where files with no name are not to be had (see `sys::anonymous`) | `logs/.concurrent-rotating-file/app.log.<inode>.gz.tmp` |
//! | backup let go, deleted once unlocked | `logs/.concurrent-rotating-file/app.log.pruned.<pid>.<n>` |
//! | live file just rotated, until a long numbered chain has shifted up | `logs/.app.log.shifting` |
//!
//! The hidden directory never holds the only copy of a record: a file
//! waiting for the chain to shift up is the newest backup, so it waits
//! beside the log, under a name that starts with a dot (no glob of logs
//! matches it, and removing the hidden directory leaves it).
//!
//! With `lock_dir`, the lock and state files go there instead, their names
//! made unique per log (`app.log.<hash of the log's directory>.lock`), so
//! logs of the same name in different directories never share them.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::sys::fs::dir_of;
use crate::sys::os_str;

/// The hidden directory beside the log that holds the library's own files.
pub(crate) const OWN_DIR: &str = ".concurrent-rotating-file";

/// The fewest digits of a restart-proof file's number: `app.000123.log`.
/// Wider numbers (from 1,000,000) get more digits, without leading zeros.
const SEQUENCE_DIGITS: usize = 6;

/// The paths of one log's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Names {
    live: PathBuf,
    own_dir: PathBuf,
    lock: PathBuf,
    state: PathBuf,
    /// Where earlier versions kept the state file.
    legacy_state: PathBuf,
    /// Whether the lock is Python's handler's (`.__app.lock`).
    python_lock: bool,
}

/// Where the lock and state files go, as the options say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LockPlace<'a> {
    /// `lock_dir`, with the log's directory as the canonical path that makes
    /// names in it unique.
    pub(crate) lock_dir: Option<(&'a Path, &'a Path)>,
    /// Lock the file Python's handler locks.
    pub(crate) python: bool,
}

impl Names {
    /// The names for the log at `live`.
    pub(crate) fn new(live: PathBuf, place: LockPlace<'_>) -> Names {
        let own_dir = dir_of(&live).join(OWN_DIR);
        let file = live.file_name().unwrap_or_default().to_os_string();
        let own = |dir: &Path, suffix: &str| {
            let mut name = file.clone();
            name.push(suffix);
            dir.join(name)
        };
        let (lock, state) = match place.lock_dir {
            None => (own(&own_dir, ".lock"), own(&own_dir, ".state")),
            Some((dir, canonical_log_dir)) => {
                let unique = format!(
                    ".{:016x}",
                    fnv1a(os_str::bytes(canonical_log_dir.as_os_str()))
                );
                (
                    own(dir, &format!("{unique}.lock")),
                    own(dir, &format!("{unique}.state")),
                )
            }
        };
        let python_lock = python_lock_path(&live, place.lock_dir.map(|(dir, _)| dir));
        let mut legacy_state = python_lock.clone().into_os_string();
        legacy_state.push(".state");
        Names {
            lock: if place.python { python_lock } else { lock },
            live,
            own_dir,
            state,
            legacy_state: PathBuf::from(legacy_state),
            python_lock: place.python,
        }
    }

    /// The names of a log with the default options (its lock beside it).
    #[cfg(test)]
    pub(crate) fn beside(live: PathBuf) -> Names {
        Names::new(
            live,
            LockPlace {
                lock_dir: None,
                python: false,
            },
        )
    }

    /// The live log file.
    pub(crate) fn live(&self) -> &Path {
        &self.live
    }

    /// The directory holding the log and its backups.
    pub(crate) fn dir(&self) -> &Path {
        dir_of(&self.live)
    }

    /// The hidden directory holding the library's own files.
    pub(crate) fn own_dir(&self) -> &Path {
        &self.own_dir
    }

    /// The lock file every writer takes an exclusive `flock` on.
    pub(crate) fn lock(&self) -> &Path {
        &self.lock
    }

    /// Whether the lock file is the one Python's handler locks.
    pub(crate) fn is_python_lock(&self) -> bool {
        self.python_lock
    }

    /// The mapped state file.
    pub(crate) fn state(&self) -> &Path {
        &self.state
    }

    /// Where an earlier version of the library kept the state file, beside
    /// Python's lock file: read once, to carry its counters over.
    pub(crate) fn legacy_state(&self) -> &Path {
        &self.legacy_state
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

    /// Restart-proof file `n`: the number before the log's extension,
    /// `app.000123.log` (`app.000123` for a log without one).
    pub(crate) fn sequenced(&self, n: u64) -> PathBuf {
        let (stem, extension) = self.stem_and_extension();
        let mut name = OsString::from(os_str::from_bytes(stem));
        name.push(format!(".{n:0width$}", width = SEQUENCE_DIGITS));
        name.push(os_str::from_bytes(extension));
        self.live.with_file_name(name)
    }

    /// The number of the restart-proof file called `name`, and whether it
    /// is gzipped (`app.000123.log.gz`). Only canonical numbers count: at
    /// least 1, six digits or more, no leading zero beyond six.
    pub(crate) fn sequence_number(&self, name: &OsStr) -> Option<(u64, bool)> {
        let (stem, extension) = self.stem_and_extension();
        let rest = os_str::bytes(name).strip_prefix(stem)?.strip_prefix(b".")?;
        let (rest, gz) = match rest.strip_suffix(b".gz") {
            Some(rest) => (rest, true),
            None => (rest, false),
        };
        let digits = rest.strip_suffix(extension)?;
        let canonical = digits.len() >= SEQUENCE_DIGITS
            && digits.iter().all(u8::is_ascii_digit)
            && (digits.len() == SEQUENCE_DIGITS || digits[0] != b'0');
        let n: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        (canonical && n >= 1).then_some((n, gz))
    }

    /// Where the stable name's next link is made before it is renamed over
    /// the stable name (restart-proof logs): a name in the hidden
    /// directory.
    pub(crate) fn link_temp(&self) -> OsString {
        self.own(format_args!(".link"))
    }

    /// What follows `app.log.` in a backup's file name, if `name` starts so.
    pub(crate) fn backup_suffix<'a>(&self, name: &'a OsStr) -> Option<&'a [u8]> {
        os_str::bytes(name)
            .strip_prefix(self.live_name())?
            .strip_prefix(b".")
    }

    /// Where the compressor writes the gzip of the backup with inode
    /// `ino`, where files with no name are not to be had: a name in the
    /// hidden directory.
    pub(crate) fn gzip_temp(&self, ino: u64) -> OsString {
        self.own(format_args!(".{ino}.gz.tmp"))
    }

    /// Where a backup retention let go waits to be deleted once the lock is
    /// released: a name in the hidden directory.
    pub(crate) fn pruned(&self, pid: u32, n: u64) -> OsString {
        self.own(format_args!(".pruned.{pid}.{n}"))
    }

    /// Where the live file a rotation just turned into a backup waits for
    /// a long numbered chain to shift up, before it becomes `.1` (see
    /// `numbered`): beside the log, `.app.log.shifting`, so that removing
    /// the hidden directory never takes it.
    pub(crate) fn shifting(&self) -> PathBuf {
        let mut name = OsString::from(".");
        name.push(os_str::from_bytes(self.live_name()));
        name.push(".shifting");
        self.live.with_file_name(name)
    }

    /// Where an earlier version kept [`shifting`](Names::shifting): a name
    /// in the hidden directory, moved beside the log when found.
    pub(crate) fn legacy_shifting(&self) -> OsString {
        self.own(format_args!(".shifting"))
    }

    /// The name of `path` in the hidden directory, if that is where it is:
    /// the lock and state files unless `lock_dir` or Python's lock says
    /// otherwise.
    pub(crate) fn in_own_dir<'a>(&self, path: &'a Path) -> Option<&'a OsStr> {
        (path.parent() == Some(self.own_dir.as_path()))
            .then(|| path.file_name())
            .flatten()
    }

    /// Whether `name`, in the hidden directory, is a compressor's temporary
    /// file of this log.
    pub(crate) fn is_gzip_temp(&self, name: &OsStr) -> bool {
        self.own_suffix(name)
            .is_some_and(|rest| rest.ends_with(b".gz.tmp"))
    }

    /// Whether `name`, in the hidden directory, is a backup of this log
    /// waiting to be deleted.
    pub(crate) fn is_pruned(&self, name: &OsStr) -> bool {
        self.own_suffix(name)
            .is_some_and(|rest| rest.starts_with(b".pruned."))
    }

    /// Whether `name`, in the log's directory, is a temporary file an
    /// earlier version of the library left there (`.__app.log.<...>`).
    pub(crate) fn is_legacy_temporary(&self, name: &OsStr) -> bool {
        os_str::bytes(name)
            .strip_prefix(b".__")
            .and_then(|rest| rest.strip_prefix(self.live_name()))
            .is_some_and(|rest| rest.ends_with(b".gz.tmp") || rest.starts_with(b".pruned."))
    }

    fn live_name(&self) -> &[u8] {
        os_str::bytes(self.live.file_name().unwrap_or_default())
    }

    /// The log's file name split before its extension: `app` and `.log`;
    /// `app` and nothing for a name without one.
    fn stem_and_extension(&self) -> (&[u8], &[u8]) {
        let name = self.live_name();
        match name.iter().rposition(|&b| b == b'.') {
            Some(dot) if dot > 0 => name.split_at(dot),
            _ => (name, b""),
        }
    }

    fn with_suffix(&self, suffix: std::fmt::Arguments<'_>) -> PathBuf {
        let mut name = OsString::from(self.live.as_os_str());
        name.push(suffix.to_string());
        PathBuf::from(name)
    }

    /// `app.log<suffix>`, a name in the hidden directory.
    fn own(&self, suffix: std::fmt::Arguments<'_>) -> OsString {
        let mut name = OsString::from(os_str::from_bytes(self.live_name()));
        name.push(suffix.to_string());
        name
    }

    /// What follows `app.log` in `name`, if it starts so.
    fn own_suffix<'a>(&self, name: &'a OsStr) -> Option<&'a [u8]> {
        os_str::bytes(name).strip_prefix(self.live_name())
    }
}

/// The lock file Python's `ConcurrentRotatingFileHandler` uses for `log`:
/// a trailing `.log` stripped, `.lock` added, `.__` in front; placed in
/// `lock_dir` if given (its `lock_file_directory`), else next to the log.
pub(crate) fn python_lock_path(log: &Path, lock_dir: Option<&Path>) -> PathBuf {
    let name = os_str::bytes(log.file_name().unwrap_or_default());
    let stem = name.strip_suffix(b".log").unwrap_or(name);
    let mut lock_name = OsString::from(".__");
    lock_name.push(os_str::from_bytes(stem));
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

/// FNV-1a, 64 bits: a hash every process computes alike, whatever its
/// build (std's hashers promise no stability).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: LockPlace<'static> = LockPlace {
        lock_dir: None,
        python: false,
    };

    fn names(live: &str) -> Names {
        Names::new(PathBuf::from(live), PLAIN)
    }

    #[test]
    fn the_librarys_own_files_are_out_of_the_logs_way() {
        let n = names("logs/app.log");
        assert_eq!(
            n.lock(),
            Path::new("logs/.concurrent-rotating-file/app.log.lock")
        );
        assert_eq!(
            n.state(),
            Path::new("logs/.concurrent-rotating-file/app.log.state")
        );
        assert_eq!(n.gzip_temp(77), "app.log.77.gz.tmp");
        assert!(n.is_gzip_temp(OsStr::new("app.log.77.gz.tmp")));
        assert!(!n.is_gzip_temp(OsStr::new("other.log.77.gz.tmp")));
        assert!(n.is_pruned(&n.pruned(12, 3)));
        assert_eq!(n.in_own_dir(n.lock()), Some(OsStr::new("app.log.lock")));
        assert_eq!(n.in_own_dir(n.live()), None);
        // Never only in the hidden directory: the newest backup waits
        // beside the log, out of every glob of logs.
        assert_eq!(n.shifting(), Path::new("logs/.app.log.shifting"));
        assert!(n.is_legacy_temporary(OsStr::new(".__app.log.77.gz.tmp")));
        assert!(n.is_legacy_temporary(OsStr::new(".__app.log.pruned.1.2")));
        assert_eq!(n.legacy_state(), Path::new("logs/.__app.lock.state"));
    }

    #[test]
    fn lock_name_matches_pythons_handler_when_shared_with_it() {
        let python = LockPlace {
            python: true,
            ..PLAIN
        };
        let lock = |live: &str| Names::new(PathBuf::from(live), python).lock().to_path_buf();
        assert_eq!(lock("logs/app.log"), Path::new("logs/.__app.lock"));
        assert_eq!(lock("logs/app.txt"), Path::new("logs/.__app.txt.lock"));
        assert_eq!(lock("app.log"), Path::new(".__app.lock"));
        let in_dir = LockPlace {
            lock_dir: Some((Path::new("/run/locks"), Path::new("/srv/logs"))),
            python: true,
        };
        let n = Names::new("logs/app.log".into(), in_dir);
        assert_eq!(n.lock(), Path::new("/run/locks/.__app.lock"));
        assert!(n.state().starts_with("/run/locks"));
    }

    #[test]
    fn logs_of_one_name_in_two_directories_never_share_a_lock_dir_file() {
        let place = |canonical: &'static str| LockPlace {
            lock_dir: Some((Path::new("/run/locks"), Path::new(canonical))),
            python: false,
        };
        let a = Names::new("a/app.log".into(), place("/srv/a"));
        let b = Names::new("b/app.log".into(), place("/srv/b"));
        assert_ne!(a.lock(), b.lock());
        assert_ne!(a.state(), b.state());
        assert!(a.lock().starts_with("/run/locks"));
        let name = a.lock().file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("app.log.") && name.ends_with(".lock"),
            "{name}"
        );
    }

    #[test]
    fn backups_are_named_after_the_log() {
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
        assert_eq!(
            n.backup_suffix(OsStr::new("app.log.3.gz")),
            Some(&b"3.gz"[..])
        );
        assert_eq!(n.backup_suffix(OsStr::new("app.log")), None);
        assert_eq!(gz_of(Path::new("a/app.log.1")), Path::new("a/app.log.1.gz"));
    }

    #[test]
    fn restart_proof_files_carry_their_number_before_the_extension() {
        let n = names("logs/app.log");
        assert_eq!(n.sequenced(123), Path::new("logs/app.000123.log"));
        assert_eq!(n.sequenced(1_234_567), Path::new("logs/app.1234567.log"));
        let number = |name: &str| n.sequence_number(OsStr::new(name));
        assert_eq!(number("app.000123.log"), Some((123, false)));
        assert_eq!(number("app.000123.log.gz"), Some((123, true)));
        assert_eq!(number("app.1234567.log"), Some((1_234_567, false)));
        for not_ours in [
            "app.log",
            "app.log.1",
            "app.00123.log",
            "app.0001234.log",
            "app.000000.log",
            "app.000123.txt",
            "app.000123.log.tmp",
            "other.000123.log",
            "app.00012a.log",
        ] {
            assert_eq!(number(not_ours), None, "{not_ours}");
        }
        let bare = names("logs/app");
        assert_eq!(bare.sequenced(7), Path::new("logs/app.000007"));
        assert_eq!(
            bare.sequence_number(OsStr::new("app.000007.gz")),
            Some((7, true))
        );
        let dotted = names("my.app.log");
        assert_eq!(dotted.sequenced(7), Path::new("my.app.000007.log"));
        assert_eq!(n.link_temp(), "app.log.link");
    }

    #[test]
    fn backup_numbers_are_canonical() {
        assert_eq!(backup_number(b"12"), Some(12));
        for not_a_number in [&b"0"[..], b"01", b"", b"1a", b"-1"] {
            assert_eq!(backup_number(not_a_number), None);
        }
    }
}
