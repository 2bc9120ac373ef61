//! [`OpenLog`]: one log as this process has it open, shared by every clone
//! of its [`RotatingFile`](crate::RotatingFile) (and by its background
//! writer), and the top of the path of one record.
//!
//! One record goes out as: in-process mutex, `flock`, the appender's checks
//! (no syscall unless something changed), `write`, unlock.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::chain::Backups;
use crate::config::Config;
use crate::error::Error;
use crate::gzip::Compression;
use crate::gzip::compressor::{self, Compressor};
use crate::sys::fork;
use crate::writer::append::AppendError;
use crate::writer::open_files::OpenFiles;
use crate::writer::records::Records;
use crate::writer::report::ErrorReport;
use crate::writer::stats::Stats;

/// What all clones of one [`RotatingFile`](crate::RotatingFile) share.
#[derive(Debug)]
pub(crate) struct OpenLog {
    pub(crate) config: Config,
    backups: Backups,
    files: Mutex<OpenFiles>,
    pub(crate) errors: ErrorReport,
    /// This process's gzip thread, started at the first backup to compress,
    /// with the fork generation it was started in.
    compressor: Mutex<Option<(u64, Compressor)>>,
    gzip: Arc<compressor::Counters>,
}

impl OpenLog {
    /// Opens (and repairs) the log, and queues the backups a killed
    /// compressor left plain.
    pub(crate) fn open(config: Config) -> Result<OpenLog, Error> {
        let backups = config.backups();
        let (files, mut to_compress) = OpenFiles::open(&config, &backups)?;
        let log = OpenLog {
            errors: ErrorReport::new(config.names.live().to_path_buf()),
            config,
            backups,
            files: Mutex::new(files),
            compressor: Mutex::new(None),
            gzip: Arc::default(),
        };
        if !to_compress.is_empty() {
            log.queue_compression(&mut to_compress);
        }
        Ok(log)
    }

    /// Appends `bytes` under both locks. With [`Records::Lines`] it may hold
    /// several lines and a rotation may fall between them; a partial line at
    /// its end is a record of its own. A last record without a newline gets
    /// one, so that no record is ever glued to the next (guarantee: never
    /// torn). On an error, says how many bytes of whole records went in.
    pub(crate) fn append(&self, bytes: &[u8], records: Records<'_>) -> Result<(), AppendError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if bytes.last() != Some(&b'\n') {
            return self.append_ended(bytes, records);
        }
        let mut files = self.files.lock();
        if files.fork_generation != fork::generation() {
            files
                .after_fork(&self.config)
                .map_err(|e| AppendError::new(0, e))?;
        }
        // Read before taking the lock, to keep the critical section short.
        let now = Instant::now();
        let files = &mut *files;
        // Python's handler sleeps in flock; spinning writers would get the
        // lock before it every time.
        let spin = match files.appender.beside_foreign_writer(now) {
            true => Duration::ZERO,
            false => self.config.lock_spin,
        };
        let held = files.lock.lock(spin).map_err(|e| AppendError::new(0, e))?;
        let result = files
            .appender
            .append_locked(&self.config, &self.backups, bytes, records, now);
        drop(held);
        if files.lock_check_due(&self.config, now)
            && let Err(e) = files.check_lock(&self.config)
        {
            self.errors.report(&e, 0);
        }
        let pending = &mut files.appender.pending;
        if !pending.to_compress.is_empty() {
            self.queue_compression(&mut pending.to_compress);
        }
        for pruned in pending.pruned.drain(..) {
            // Freeing an old backup's blocks is slow: done unlocked.
            if let Err(e) = self.backups.delete_pruned(&pruned) {
                self.errors.report(&e, 0);
            }
        }
        result
    }

    /// [`append`](OpenLog::append) of bytes whose last record lacks its
    /// newline: a copy with the newline added (a partial line flushed, an
    /// event formatted without one; rare enough to copy).
    #[cold]
    fn append_ended(&self, bytes: &[u8], records: Records<'_>) -> Result<(), AppendError> {
        let mut ended = Vec::with_capacity(bytes.len() + 1);
        ended.extend_from_slice(bytes);
        ended.push(b'\n');
        let result = match records {
            Records::Ends(ends) => {
                let mut ends = ends.to_vec();
                if let Some(last) = ends.last_mut() {
                    *last += 1;
                }
                self.append(&ended, Records::Ends(&ends))
            }
            records => self.append(&ended, records),
        };
        // The newline is not the caller's: never report it as written.
        result.map_err(|e| AppendError::new(e.written.min(bytes.len()), e.error))
    }

    /// [`append`](OpenLog::append) for paths that cannot return an error:
    /// count the failure and report it on stderr, the first of its kind only.
    pub(crate) fn append_or_report(&self, bytes: &[u8], records: Records<'_>) {
        if let Err(e) = self.append(bytes, records) {
            self.errors.report(&e.error, 1);
        }
    }

    /// How many rotations the processes sharing the file have done.
    pub(crate) fn rotations(&self) -> u64 {
        self.files.lock().appender.state.rotations()
    }

    /// Counters of this log's activity.
    pub(crate) fn stats(&self) -> Stats {
        let gzip = &self.gzip;
        let nanos =
            |n: &std::sync::atomic::AtomicU64| Duration::from_nanos(n.load(Ordering::Relaxed));
        Stats {
            rotations: self.rotations(),
            write_errors: self.errors.records(),
            compressed: gzip.compressed.load(Ordering::Relaxed),
            compression_failures: gzip.failed.load(Ordering::Relaxed),
            longest_compression: nanos(&gzip.longest_nanos),
            longest_compressor_lock_hold: nanos(&gzip.longest_lock_nanos),
            twins_kept: self.backups.twins_kept(),
        }
    }

    /// Hands plain backups to this process's compressor, starting it if
    /// needed (again in a child after `fork()`: threads do not survive it).
    fn queue_compression(&self, backups: &mut Vec<PathBuf>) {
        if self.config.compression != Compression::Gzip {
            backups.clear();
            return;
        }
        let mut compressor = self.compressor.lock();
        let generation = fork::generation();
        if compressor
            .as_ref()
            .is_some_and(|(started_in, _)| *started_in != generation)
        {
            // The parent's thread: not ours to join.
            std::mem::forget(compressor.take());
        }
        if compressor.is_none() {
            let started = Compressor::start(
                self.backups.clone(),
                self.config.names.clone(),
                self.config.mode,
                self.config.compression_level,
                Arc::clone(&self.gzip),
            );
            match started {
                Ok(started) => *compressor = Some((generation, started)),
                Err(e) => {
                    // The backups stay plain; the next rotation tries again.
                    self.errors.report(&e, 0);
                    backups.clear();
                    return;
                }
            }
        }
        if let Some((_, compressor)) = compressor.as_ref() {
            for backup in backups.drain(..) {
                compressor.queue(backup);
            }
        }
    }
}

impl Drop for OpenLog {
    /// The last handle of this process is gone: let the compressor finish
    /// what is queued, within `compression_wait`.
    fn drop(&mut self) {
        if let Some((started_in, mut compressor)) = self.compressor.get_mut().take() {
            if started_in == fork::generation() {
                compressor.finish(self.config.compression_wait);
            } else {
                std::mem::forget(compressor);
            }
        }
    }
}

#[cfg(test)]
impl OpenLog {
    /// Leaves what a writer SIGKILLed inside the `write(2)` of the record
    /// `start..end` leaves: the write marked in flight, and `left` of its
    /// bytes in the file.
    pub(crate) fn leave_half_written(&self, start: u64, end: u64, left: &[u8]) {
        {
            let files = self.files.lock();
            files.appender.state.begin_write(start, end);
            files.appender.state.set_size(end);
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(self.config.names.live())
            .unwrap();
        std::io::Write::write_all(&mut file, left).unwrap();
    }
}
