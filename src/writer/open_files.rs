//! [`OpenFiles`]: this process's descriptors of one log (lock, shared
//! state, live file), how they are opened and the log repaired, and how
//! they are reopened after `fork()` or when the lock file was replaced.

use std::io;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::chain::Backups;
use crate::config::Config;
use crate::error::{Context, Error, ErrorKind};
use crate::gzip::Compression;
use crate::shared::lock_file::LockFile;
use crate::shared::state_file::StateFile;
use crate::sys::fork;
use crate::writer::append::Appender;

/// The shortest interval between two checks that the lock path still names
/// the lock file held.
const LOCK_CHECK_MIN: Duration = Duration::from_millis(100);

/// The open files of this process, guarded by the in-process mutex.
#[derive(Debug)]
pub(crate) struct OpenFiles {
    pub(crate) lock: LockFile,
    /// The fork generation these descriptors were opened in.
    pub(crate) fork_generation: u64,
    /// When to check next that the lock path still names our lock file.
    next_lock_check: Instant,
    pub(crate) appender: Appender,
}

impl OpenFiles {
    /// Opens the lock and state files, then, under the lock, repairs what
    /// killed processes left (a gap in the chain, parked backups and
    /// unfinished compressions, a record cut short) and opens the live
    /// file. Returns the plain backups to compress, with gzip on.
    pub(crate) fn open(
        config: &Config,
        backups: &Backups,
    ) -> Result<(OpenFiles, Vec<PathBuf>), Error> {
        let names = &config.names;
        let (lock_path, state_path, log) = (names.lock(), names.state(), names.live());
        let fork_generation = fork::install();
        let lock = LockFile::open(lock_path, config.mode).context(
            ErrorKind::LockFile,
            "cannot open lock file",
            lock_path,
        )?;
        let state = StateFile::open(state_path, config.mode).context(
            ErrorKind::StateFile,
            "cannot open state file",
            state_path,
        )?;
        let mut appender = Appender::new(state);
        let mut to_compress = Vec::new();
        {
            let _held = lock.lock(Duration::ZERO).context(
                ErrorKind::LockFile,
                "cannot lock lock file",
                lock_path,
            )?;
            appender.state.validate();
            let repair = ErrorKind::LogFile;
            backups
                .close_gap()
                .context(repair, "cannot repair the backups of", log)?;
            backups
                .remove_leftovers()
                .context(repair, "cannot remove leftovers next to", log)?;
            appender
                .reopen(config)
                .context(repair, "cannot open log file", log)?;
            // A record a killed writer left half-written (crash-safe).
            if let Some((start, end)) = appender.state.unfinished_write() {
                appender.repair_unfinished_write(start, end).context(
                    repair,
                    "cannot repair log file",
                    log,
                )?;
            }
            if config.compression == Compression::Gzip {
                // Backups a killed compressor left plain (crash-safe).
                to_compress =
                    backups
                        .plain_backups()
                        .context(repair, "cannot list the backups of", log)?;
            }
        }
        let files = OpenFiles {
            lock,
            fork_generation,
            next_lock_check: Instant::now(),
            appender,
        };
        Ok((files, to_compress))
    }

    /// In a child after `fork()`: the inherited lock file shares its open
    /// file description, and so its lock, with the parent. Reopen it and the
    /// log (guarantee: fork-safe).
    pub(crate) fn after_fork(&mut self, config: &Config) -> io::Result<()> {
        self.lock = LockFile::open(config.names.lock(), config.mode)?;
        self.appender.forget_live();
        self.fork_generation = fork::generation();
        Ok(())
    }

    /// Whether it is time to check that the lock path still names the lock
    /// file held; if so, the next check is scheduled.
    pub(crate) fn lock_check_due(&mut self, config: &Config, now: Instant) -> bool {
        if now < self.next_lock_check {
            return false;
        }
        self.next_lock_check = now + config.path_check_interval.max(LOCK_CHECK_MIN);
        true
    }

    /// If the lock path no longer names the lock file held (its directory
    /// was removed and recreated, or it was deleted), a process starting
    /// now would lock another file than ours: open the one at the path, and
    /// the state file beside it, so every process locks the same file again.
    pub(crate) fn check_lock(&mut self, config: &Config) -> io::Result<()> {
        if self.lock.is_at(config.names.lock())? {
            return Ok(());
        }
        let lock = LockFile::open(config.names.lock(), config.mode)?;
        let state = StateFile::open(config.names.state(), config.mode)?;
        {
            let _held = lock.lock(Duration::ZERO)?;
            state.validate();
        }
        self.lock = lock;
        self.appender.state = state;
        // Reopened, with the new state's generation, before the next record.
        self.appender.forget_live();
        Ok(())
    }
}
