//! [`OpenFiles`]: this process's files of one log (the shared lock and
//! state, and the live file), and how they are opened and the log repaired.

use std::path::PathBuf;

use crate::chain::Backups;
use crate::config::Config;
use crate::error::{Context, Error, ErrorKind};
use crate::gzip::Compression;
use crate::shared::files::SharedFiles;
use crate::writer::append::Appender;

/// This process's open files of one log, guarded by the in-process mutex.
#[derive(Debug)]
pub(crate) struct OpenFiles {
    pub(crate) shared: SharedFiles,
    pub(crate) appender: Appender,
}

impl OpenFiles {
    /// Opens the lock and state files at their paths; the live file is
    /// opened at the first record. Also what a child after `fork()` does,
    /// whose inherited descriptors share their lock with the parent
    /// (guarantee: fork-safe).
    pub(crate) fn open_shared(config: &Config) -> Result<OpenFiles, Error> {
        Ok(OpenFiles {
            shared: SharedFiles::open(config.place(), config.wait.warning)?,
            appender: Appender::new(),
        })
    }

    /// Opens the log's files, then, inside the lock, repairs what killed
    /// processes left (a gap in the chain, parked backups and unfinished
    /// compressions, a record cut short) and opens the live file. Returns
    /// the plain backups to compress, with gzip on.
    pub(crate) fn open(
        config: &Config,
        backups: &Backups,
    ) -> Result<(OpenFiles, Vec<PathBuf>), Error> {
        let (lock_path, log) = (config.names.lock(), config.names.live());
        let mut files = OpenFiles::open_shared(config)?;
        let mut to_compress = Vec::new();
        let mut inside = files.shared.enter(config.place(), &config.wait).context(
            ErrorKind::LockFile,
            "cannot lock lock file",
            lock_path,
        )?;
        let (state, appender) = (inside.state(), &mut files.appender);
        let repair = ErrorKind::LogFile;
        backups
            .close_gap()
            .context(repair, "cannot repair the backups of", log)?;
        if config.compression == Compression::Gzip {
            // Backups a killed compressor left plain (crash-safe), and
            // whose unfinished compressions are finished, not redone.
            to_compress = backups.plain_backups(state, config.now()).context(
                repair,
                "cannot list the backups of",
                log,
            )?;
        }
        backups.remove_leftovers(&to_compress).context(
            repair,
            "cannot remove leftovers next to",
            log,
        )?;
        appender
            .reopen(state, config, backups)
            .context(repair, "cannot open log file", log)?;
        // A record a killed writer left half-written (crash-safe).
        if let Some((start, end)) = state.unfinished_write() {
            appender
                .repair_unfinished_write(state, start, end)
                .context(repair, "cannot repair log file", log)?;
        }
        if inside.recover_if_lost(config.place()).context(
            repair,
            "cannot repair the state file of",
            log,
        )? {
            files.appender.forget_live();
        }
        drop(inside);
        Ok((files, to_compress))
    }
}
