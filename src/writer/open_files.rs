//! [`OpenFiles`]: this process's files of one log (the shared lock and
//! state, and the live file), and how they are opened and the log repaired.

use std::fs::File;
use std::path::PathBuf;
use std::time::Duration;

use crate::chain::{Backups, Pending, Shift};
use crate::config::Config;
use crate::error::{Context, Error, ErrorKind};
use crate::gzip::Compression;
use crate::shared::files::SharedFiles;
use crate::writer::append::Appender;

/// How long after the writers' look is due a process that made new lock and
/// state files still waits for them: the time between a writer's look and
/// its record, on a machine so busy that it was not run in between.
const LOOK_MARGIN: Duration = Duration::from_secs(1);

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
        let mut shared = SharedFiles::open(config.place(), config.wait.warning)?;
        // Seen by whoever finds these files removed and makes new ones.
        if let Ok(dir) = File::open(config.names.dir()) {
            shared.say_writing(dir, config.log_id);
        }
        Ok(OpenFiles {
            shared,
            appender: Appender::new(),
        })
    }

    /// Opens the log's files, then, inside the lock, repairs what killed
    /// processes left (a shift left unfinished, a gap in the chain, parked
    /// backups and unfinished compressions, a record cut short) and opens
    /// the live file. Returns the plain backups to compress, with gzip on.
    pub(crate) fn open(
        config: &Config,
        backups: &Backups,
    ) -> Result<(OpenFiles, Vec<PathBuf>), Error> {
        let (lock_path, log) = (config.names.lock(), config.names.live());
        let mut files = OpenFiles::open_shared(config)?;
        // Others writing the log through other lock and state files (these
        // were removed, and this process made new ones) move to these when
        // they look, within `path_check_interval`; one idle that long looks
        // before its next record.
        files.shared.wait_for_writers_of_removed_files(
            config.path_check_interval.max(Duration::from_millis(100)) + LOOK_MARGIN,
        );
        let mut to_compress = Vec::new();
        let mut inside = files.shared.enter(config.place(), &config.wait).context(
            ErrorKind::LockFile,
            "cannot lock lock file",
            lock_path,
        )?;
        let (state, appender) = (inside.state(), &mut files.appender);
        let repair = ErrorKind::LogFile;
        // The state counts the work under way that a killed process leaves
        // unfinished: with none, there is nothing to look for. Python's
        // handler counts nothing.
        if state.unfinished() > 0 || config.names.is_python_lock() {
            // A shift a rotation left (its process killed, or still at it)
            // first, whole: its gap is not one to close. What it lets go is
            // parked, removed below; its plain backups are listed below.
            if backups.shift_waiting().context(
                repair,
                "cannot look for a shift left in the backups of",
                log,
            )? {
                let mut shifted = Pending::default();
                let shift = backups
                    .finish_shift(config.now(), usize::MAX, None, &mut shifted)
                    .context(repair, "cannot shift the backups of", log)?;
                if shift == Shift::Finished {
                    state.end_work();
                }
            }
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
            // Queued below, and counted until compressed. With no other
            // process about, what the count held is all repaired now.
            let queued = to_compress.len() as u64;
            match inside.nobody_else() {
                true => state.set_unfinished(queued),
                false => state.begin_work(queued),
            }
        }
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

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use crate::shared::state_file::StateFile;
    use crate::sys::open::FileMode;
    use crate::{Compression, RotatingFile};

    fn state(dir: &Path) -> StateFile {
        let path = dir.join(".concurrent-rotating-file/app.log.state");
        StateFile::open(&crate::sys::dir::At::path(&path), FileMode::DEFAULT).unwrap()
    }

    fn run(dir: &Path) {
        let mut log = RotatingFile::builder(dir.join("app.log"))
            .max_bytes(100)
            .backups(3)
            .compression(Compression::Gzip)
            .open()
            .unwrap();
        for i in 0..30 {
            writeln!(log, "record {i} with some padding").unwrap();
        }
        // Waits for the compressions.
        drop(log);
    }

    #[test]
    #[cfg_attr(
        windows,
        ignore = "under wine 8.0 one piece of work stays counted after a clean run, though the chain is whole: not yet explained; run on real Windows with --include-ignored"
    )]
    fn the_work_a_clean_run_begins_is_all_counted_finished() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path());
        assert_eq!(state(dir.path()).unfinished(), 0);
        // What a killed compressor leaves: looked for only when counted.
        let temp = dir
            .path()
            .join(".concurrent-rotating-file/app.log.1.gz.tmp");
        std::fs::write(&temp, "unfinished").unwrap();
        run(dir.path());
        assert!(temp.exists(), "an opening after a clean stop looked");
        state(dir.path()).set_unfinished(1);
        run(dir.path());
        assert!(!temp.exists(), "the leftover of unfinished work stayed");
        assert_eq!(state(dir.path()).unfinished(), 0);
    }
}
