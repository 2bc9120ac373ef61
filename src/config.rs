//! The options of a log: as set on the [`Builder`](crate::Builder)
//! ([`Options`]), and validated, with every name derived ([`Config`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::chain::Backups;
use crate::chain::retention::Retention;
use crate::error::{Context, Error, ErrorKind, symlink_refused};
use crate::gzip::Compression;
use crate::names::{LockPlace, Names, fnv1a, python_lock_path};
use crate::own_dir;
use crate::shared::exclusion::Wait;
use crate::shared::files::Place;
use crate::sys::create::{self, ensure_dir};
use crate::sys::fs::{dir_of, exists};
use crate::sys::open::{self, FileMode};
use crate::sys::process;
use crate::time::clock::{Clock, SystemClock};
use crate::time::period::{Period, Schedule};
use crate::writer::filter::RecordFilter;

/// The size limit when neither `max_bytes` nor a period is set.
const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;

/// How long a restart-proof log's backups stay plain unless
/// `compress_after` says otherwise: a follower restarted within it loses
/// nothing to gzip. Longer than a service manager lets a follower take to
/// stop before killing it (systemd's 90 s) plus its start and catch-up
/// (seconds, measured in the shipping guide), three times over; the plain
/// files it keeps count against `backups` as gzipped ones do, so the
/// disk bound is the user's either way.
const RESTART_PROOF_COMPRESS_AFTER: Duration = Duration::from_secs(5 * 60);

/// The group created files and directories are given, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Group {
    Name(String),
    Id(u32),
}

/// The options as given, not yet checked.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    pub(crate) path: PathBuf,
    /// `None` until set: then 1 MiB, or with a period alone, no size limit.
    pub(crate) max_bytes: Option<u64>,
    pub(crate) backups: usize,
    pub(crate) compression: Compression,
    pub(crate) compression_level: u32,
    pub(crate) compression_wait: Duration,
    /// `None` until set: then [`RESTART_PROOF_COMPRESS_AFTER`] for a
    /// restart-proof log, 0 for the others.
    pub(crate) compress_after: Option<Duration>,
    pub(crate) lock_dir: Option<PathBuf>,
    pub(crate) mode: FileMode,
    pub(crate) dir_mode: Option<u32>,
    pub(crate) group: Option<Group>,
    pub(crate) create_dirs: bool,
    pub(crate) path_check_interval: Duration,
    pub(crate) lock_spin: Duration,
    pub(crate) lock_warning: Duration,
    pub(crate) lock_timeout: Option<Duration>,
    pub(crate) share_with_python: bool,
    pub(crate) restart_proof: bool,
    pub(crate) period: Option<Period>,
    pub(crate) utc: bool,
    pub(crate) max_age: Option<Duration>,
    pub(crate) max_total_bytes: Option<u64>,
    pub(crate) clock: Arc<dyn Clock>,
    /// `Builder::filter`.
    pub(crate) filter: Option<RecordFilter>,
}

/// The options of an open log, validated, with the derived names.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) names: Names,
    pub(crate) max_bytes: u64,
    /// Of the files it creates, their group included.
    pub(crate) mode: FileMode,
    /// Of the directories it creates, their group included.
    pub(crate) dir_mode: FileMode,
    pub(crate) create_dirs: bool,
    pub(crate) path_check_interval: Duration,
    pub(crate) wait: Wait,
    /// Which log this is, whatever path names it: a hash of its canonical
    /// path, kept in the state file.
    pub(crate) log_id: u64,
    pub(crate) compression: Compression,
    pub(crate) compression_level: u32,
    pub(crate) compression_wait: Duration,
    /// How long a backup stays plain before it is gzipped (see
    /// `Backups::hold_back_young` for from when).
    pub(crate) compress_after: Duration,
    pub(crate) schedule: Option<Schedule>,
    /// Its `count` is the `backups` option.
    pub(crate) retention: Retention,
    /// No file renamed: each rotation starts the next numbered file.
    pub(crate) restart_proof: bool,
    pub(crate) clock: Arc<dyn Clock>,
    /// Which records are written; `None`: all of them.
    pub(crate) filter: Option<RecordFilter>,
}

impl Options {
    /// The defaults, for the log at `path`.
    pub(crate) fn new(path: PathBuf) -> Options {
        Options {
            path,
            max_bytes: None,
            backups: 10,
            compression: Compression::None,
            compression_level: 1,
            compression_wait: Duration::from_secs(10),
            compress_after: None,
            lock_dir: None,
            mode: FileMode::DEFAULT,
            dir_mode: None,
            group: None,
            create_dirs: true,
            path_check_interval: Duration::from_millis(100),
            lock_spin: Duration::from_micros(60),
            lock_warning: Duration::from_secs(10),
            lock_timeout: None,
            share_with_python: false,
            restart_proof: false,
            period: None,
            utc: false,
            max_age: None,
            max_total_bytes: None,
            clock: Arc::new(SystemClock),
            filter: None,
        }
    }

    /// Checks every option, creates the missing directories, and derives
    /// the names.
    pub(crate) fn validate(self) -> Result<Config, Error> {
        let path = &self.path;
        let invalid = |detail: String| {
            Error::invalid(
                ErrorKind::InvalidOption,
                "cannot open log file",
                path,
                detail,
            )
        };
        // Asked for time, rotated by time: a size limit nobody set would
        // rotate a busy day's file many times over, and prune it.
        let max_bytes = match (self.max_bytes, self.period) {
            (Some(max_bytes), _) => max_bytes,
            (None, Some(_)) => 0,
            (None, None) => DEFAULT_MAX_BYTES,
        };
        if self.backups == 0 && (max_bytes > 0 || self.period.is_some()) {
            return Err(invalid(
                "backups(0) with rotation on would discard every full file; keep at least one backup, or use max_bytes(0) to never rotate".into(),
            ));
        }
        if self.restart_proof && self.share_with_python {
            return Err(invalid(
                "restart_proof(true) cannot be combined with share_with_python(true): Python's handler renames the log at each rotation, which a restart-proof log never does; give Python's writers a log of their own".into(),
            ));
        }
        if self.max_age == Some(Duration::ZERO) {
            return Err(invalid(
                "max_age(0) would delete every backup as soon as it is made".into(),
            ));
        }
        if self.max_total_bytes == Some(0) {
            return Err(invalid(
                "max_total_bytes(0) would delete every backup as soon as it is made".into(),
            ));
        }
        if self.mode.bits & !0o777 != 0 {
            return Err(invalid(format!(
                "mode {:#o} has bits beyond 0o777",
                self.mode.bits
            )));
        }
        if let Some(bits) = self.dir_mode
            && bits & !0o7777 != 0
        {
            return Err(invalid(format!(
                "dir_mode {bits:#o} has bits beyond 0o7777"
            )));
        }
        // Options this system gives no meaning to are refused, never
        // ignored.
        let asked = [
            (self.mode.exact, "mode", self.mode),
            (
                self.dir_mode.is_some(),
                "dir_mode",
                FileMode {
                    bits: self.dir_mode.unwrap_or(0),
                    exact: true,
                    group: None,
                },
            ),
            (
                self.group.is_some(),
                "group",
                FileMode {
                    group: Some(0),
                    ..FileMode::DEFAULT
                },
            ),
        ];
        for (set, option, mode) in asked {
            if let Some(why) = set.then(|| create::refusal(&mode)).flatten() {
                return Err(invalid(format!("{option}: {why}")));
            }
        }
        let group = match &self.group {
            None => None,
            Some(group) => Some(resolve_group(group).map_err(invalid)?),
        };
        let mode = FileMode { group, ..self.mode };
        let dir_mode = match self.dir_mode {
            Some(bits) => FileMode {
                bits,
                exact: true,
                group,
            },
            // Directories anyone the files are for can use: search (x)
            // wherever read is given.
            None if self.mode.exact => FileMode {
                bits: self.mode.bits | ((self.mode.bits & 0o444) >> 2),
                exact: true,
                group,
            },
            None => FileMode {
                group,
                ..FileMode::DIR_DEFAULT
            },
        };
        if self.compression_level > 9 {
            return Err(invalid(format!(
                "compression level {} is beyond 9",
                self.compression_level
            )));
        }
        let not_a_file = |detail: &str| {
            Error::invalid(ErrorKind::NotAFile, "cannot open log file", path, detail)
        };
        if path.file_name().is_none() || path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(not_a_file("the path has no file name"));
        }
        // An existing log file: its directory is there too.
        let mut dir_exists = false;
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::io(
                    ErrorKind::Symlink,
                    "cannot open log file",
                    path,
                    symlink_refused(),
                ));
            }
            Ok(meta) if !meta.is_file() => {
                let what = open::describe(meta.file_type());
                return Err(not_a_file(&format!("it is {what}, not a regular file")));
            }
            Ok(_) => dir_exists = true,
            Err(_) => {}
        }
        if self.lock_timeout == Some(Duration::ZERO) {
            return Err(invalid(
                "lock_timeout(0) would fail every write another process overlaps".into(),
            ));
        }
        let dir = dir_of(path);
        if !dir_exists {
            ensure_dir(
                dir,
                self.create_dirs,
                "cannot create log directory",
                dir_mode,
            )?;
        }
        if let Some(lock_dir) = &self.lock_dir {
            ensure_dir(
                lock_dir,
                self.create_dirs,
                "cannot create lock directory",
                dir_mode,
            )?;
        }
        let canonical_dir = std::fs::canonicalize(dir).context(
            ErrorKind::CreateDirectory,
            "cannot resolve log directory",
            dir,
        )?;
        // Python's handler locks `.__app.lock`: lock it too when asked, or
        // when it is there already (a Python process, or an earlier version
        // of this library, uses it).
        let python_lock = python_lock_path(path, self.lock_dir.as_deref());
        let python = self.share_with_python || exists(&python_lock).unwrap_or(false);
        if self.restart_proof && python {
            // Python's handler renames the log path at each rotation, and
            // would append through the stable name under its own lock.
            return Err(invalid(format!(
                "restart_proof(true) cannot be used beside Python's handler, whose lock `{}` is there: it renames the log at each rotation, which a restart-proof log never does; if no Python process writes this log, delete that lock file",
                python_lock.display()
            )));
        }
        let names = Names::new(
            self.path.clone(),
            LockPlace {
                lock_dir: self
                    .lock_dir
                    .as_deref()
                    .map(|d| (d, canonical_dir.as_path())),
                python,
            },
        );
        // The library's own directory is created whatever `create_dirs`
        // says: it is part of the log, not a place the user chose. A
        // symlink there is refused, never followed (`ErrorKind::Symlink`).
        own_dir::open(&names, dir_mode).context(
            ErrorKind::CreateDirectory,
            "cannot open the library's directory",
            names.own_dir(),
        )?;
        let canonical = canonical_dir.join(path.file_name().unwrap_or_default());
        Ok(Config {
            log_id: fnv1a(canonical.as_os_str().as_encoded_bytes()),
            names,
            max_bytes,
            mode,
            dir_mode,
            create_dirs: self.create_dirs,
            path_check_interval: self.path_check_interval,
            wait: Wait {
                spin: self.lock_spin,
                warning: self.lock_warning,
                timeout: self.lock_timeout,
            },
            compression: self.compression,
            compression_level: self.compression_level,
            compression_wait: self.compression_wait,
            compress_after: self.compress_after.unwrap_or(match self.restart_proof {
                true => RESTART_PROOF_COMPRESS_AFTER,
                false => Duration::ZERO,
            }),
            schedule: self.period.map(|period| Schedule {
                period,
                utc: self.utc,
            }),
            retention: Retention {
                count: self.backups,
                max_age: self.max_age,
                max_total_bytes: self.max_total_bytes,
            },
            restart_proof: self.restart_proof,
            clock: self.clock,
            filter: self.filter,
        })
    }
}

/// The id of the group the user named, if this process may give its files
/// that group; else what is wrong.
fn resolve_group(group: &Group) -> Result<u32, String> {
    let gid = match group {
        Group::Id(gid) => *gid,
        Group::Name(name) => match process::group_id(name) {
            Ok(Some(gid)) => gid,
            Ok(None) => return Err(format!("group `{name}`: no group has that name")),
            Err(e) => return Err(format!("group `{name}`: cannot look it up: {e}")),
        },
    };
    if !process::may_give_group(gid) {
        let name = match group {
            Group::Name(name) => format!("`{name}` ({gid})"),
            Group::Id(gid) => gid.to_string(),
        };
        return Err(format!(
            "group {name}: this process is not a member, so it cannot give its files that group (only root and the group's members can); run it with that group among its groups, or make the log directory set-group-id (chmod g+s) so that files inherit its group"
        ));
    }
    Ok(gid)
}

impl Config {
    /// The chain of backups these options describe.
    pub(crate) fn backups(&self) -> Backups {
        Backups::new(
            self.names.clone(),
            self.retention,
            self.schedule,
            self.compression == Compression::Gzip,
            self.compress_after,
            self.restart_proof,
            self.dir_mode,
        )
    }

    /// Where the shared lock and state files are, for `SharedFiles`.
    pub(crate) fn place(&self) -> Place<'_> {
        Place {
            names: &self.names,
            mode: self.mode,
            dir_mode: self.dir_mode,
            log_id: self.log_id,
        }
    }

    /// The configured clock's time, in Unix seconds.
    pub(crate) fn now(&self) -> i64 {
        crate::time::clock::unix_secs(self.clock.now())
    }
}
