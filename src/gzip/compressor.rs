//! The compressor: a thread per process that gzips the backups its
//! rotations made, off the writers' path (guarantee: gzip off the lock).
//!
//! Rotation only renames; each process then hands the new backup to its own
//! compressor thread, which works outside the lock:
//!
//! 1. open the backup and claim it with a non-blocking `flock` on it, so two
//!    processes never compress the same one; a dead compressor's claim is
//!    released by the kernel, so the next one takes over;
//! 2. under the lock, create `.__app.log.<inode>.gz.tmp` and claim it too
//!    (an unclaimed temp is a dead compressor's leftover, and is removed);
//! 3. gzip the backup into the temp, outside the lock;
//! 4. under the lock, find where the backup is now (a numbered chain may
//!    have shifted: by inode, not by number), link the temp to `.k.gz`
//!    (its modification time the backup's; never over a `.gz` already
//!    there), remove the temp and `.k`; if the backup was pruned meanwhile,
//!    drop the temp.
//!
//! The gzip header names the backup it was made from (device, inode,
//! size), so that a plain backup found beside its `.gz` is removed only
//! when the `.gz` is proven to hold its data.
//!
//! A compressor killed at any point leaves the plain backup and at most an
//! unclaimed temp: no incomplete `.gz` ever has a final name. Each rotation
//! and each `open` queues every plain backup in the chain, so the work is
//! redone.

use std::fs::{File, Metadata};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::chain::{self, Backups};
use crate::error::doing;
use crate::error::{Error, ErrorKind};
use crate::names::{self, Names};
use crate::shared::claim::claim;
use crate::shared::exclusion::Wait;
use crate::shared::files::{Place, SharedFiles};
use crate::sys::fs::{FileId, remove_if_present};
use crate::sys::open::{self, FileMode};
use crate::sys::stderr;

/// Counters of one process's compressions, read by `RotatingFile::stats`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) compressed: AtomicU64,
    pub(crate) failed: AtomicU64,
    /// The longest one compression took, in nanoseconds.
    pub(crate) longest_nanos: AtomicU64,
    /// The longest the compressor held the lock, in nanoseconds.
    pub(crate) longest_lock_nanos: AtomicU64,
}

/// A process's compressor thread.
#[derive(Debug)]
pub(crate) struct Compressor {
    sender: Option<Sender<PathBuf>>,
    thread: Option<JoinHandle<()>>,
}

impl Compressor {
    /// Starts the thread, with its own lock file descriptor: its `flock`
    /// then excludes this process's writers like any other process's.
    pub(crate) fn start(
        backups: Backups,
        place: Place<'_>,
        wait: Wait,
        level: u32,
        counters: Arc<Counters>,
    ) -> Result<Compressor, Error> {
        let mut shared = SharedFiles::open(place, wait.warning)?;
        // Present only while at work (see `Job::run`).
        let _ = shared.be_present(false);
        let mut job = Job {
            shared,
            work: Work {
                backups,
                names: place.names.clone(),
                mode: place.mode,
                log_id: place.log_id,
                wait,
                level,
                counters,
            },
        };
        let (sender, receiver) = crossbeam_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name("crf-gzip".into())
            .spawn(move || job.run(&receiver))
            .map_err(|e| {
                Error::io(
                    ErrorKind::LogFile,
                    "cannot start the compressor of",
                    place.names.live(),
                    e,
                )
            })?;
        Ok(Compressor {
            sender: Some(sender),
            thread: Some(thread),
        })
    }

    /// Queues a backup (by its current path) for compression.
    pub(crate) fn queue(&self, backup: PathBuf) {
        if let Some(sender) = &self.sender {
            // The thread lives as long as the sender: cannot fail.
            let _ = sender.send(backup);
        }
    }

    /// Lets the thread finish what is queued, waiting up to `timeout`;
    /// past it, the thread is left to the process's exit (the backups it
    /// did not finish stay plain, and are compressed by a later writer).
    pub(crate) fn finish(&mut self, timeout: Duration) {
        drop(self.sender.take());
        let Some(thread) = self.thread.take() else {
            return;
        };
        let deadline = Instant::now() + timeout;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if thread.is_finished() {
            let _ = thread.join();
        }
    }
}

/// What the compressor thread works with: its own lock and state
/// descriptors, and the rest.
struct Job {
    shared: SharedFiles,
    work: Work,
}

struct Work {
    backups: Backups,
    names: Names,
    mode: FileMode,
    log_id: u64,
    wait: Wait,
    level: u32,
    counters: Arc<Counters>,
}

impl Job {
    fn run(&mut self, receiver: &Receiver<PathBuf>) {
        let mut reported = false;
        for backup in receiver {
            // Present while at work only: a writer alone with the log
            // otherwise skips the flock (see `presence`).
            let _ = self.shared.be_present(true);
            let started = Instant::now();
            let result = self.work.compress(&mut self.shared, &backup);
            if receiver.is_empty() {
                let _ = self.shared.be_present(false);
            }
            match result {
                Ok(true) => {
                    let counters = &self.work.counters;
                    counters.compressed.fetch_add(1, Ordering::Relaxed);
                    counters
                        .longest_nanos
                        .fetch_max(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                }
                Ok(false) => {}
                Err(e) => {
                    self.work.counters.failed.fetch_add(1, Ordering::Relaxed);
                    if !std::mem::replace(&mut reported, true) {
                        stderr::print(format_args!(
                            "cannot gzip `{}`: {e} (it stays plain; further errors are counted, not printed)",
                            backup.display()
                        ));
                    }
                }
            }
        }
    }
}

impl Work {
    /// Compresses one backup; `Ok(false)` if there was nothing to do (gone,
    /// already claimed, pruned meanwhile).
    fn compress(&self, shared: &mut SharedFiles, backup: &Path) -> io::Result<bool> {
        let source = match open::open_for_reading(backup) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            // A symlink or a FIFO at a backup name: moved along the chain as
            // a name, never opened as a backup.
            Err(e) if open::is_not_ours(&e) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !claim(&source)? {
            return Ok(false);
        }
        let id = FileId::of(&source.metadata()?);
        let temp_path = self.names.gzip_temp(id.ino());
        let temp = self.locked(shared, || {
            let temp = match open::open_temporary(&temp_path) {
                // A symlink or a FIFO planted at our private name.
                Err(e) if open::is_not_ours(&e) => {
                    remove_if_present(&temp_path)?;
                    open::open_temporary(&temp_path)?
                }
                other => other?,
            };
            // Claim before touching it: only a dead compressor's leftover may
            // be emptied and reused.
            if !claim(&temp)? {
                return Ok(None);
            }
            temp.set_len(0)?;
            Ok(Some(temp))
        })?;
        let Some(temp) = temp else { return Ok(false) };
        let source_meta = source.metadata()?;
        let result = gzip(&source, &source_meta, &temp, self.level).and_then(|()| {
            // Age-based retention of numbered backups reads this.
            temp.set_modified(source_meta.modified()?)?;
            self.locked(shared, || match self.backups.locate(backup, id)? {
                Some(plain) => {
                    // Never over a `.gz` already there (an outside tool's,
                    // holding other data): a link fails where a rename
                    // would replace. The plain backup then stays.
                    let gz = names::gz_of(&plain);
                    let linked = match std::fs::hard_link(&temp_path, &gz) {
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => false,
                        other => {
                            other.map_err(|e| {
                                doing(
                                    e,
                                    format_args!(
                                        "link `{}` -> `{}`",
                                        temp_path.display(),
                                        gz.display()
                                    ),
                                )
                            })?;
                            true
                        }
                    };
                    remove_if_present(&temp_path)?;
                    if linked {
                        remove_if_present(&plain)?;
                    }
                    Ok(linked)
                }
                // Pruned while we worked.
                None => remove_if_present(&temp_path).map(|()| false),
            })
        });
        if result.is_err() {
            let _ = remove_if_present(&temp_path);
        }
        result
    }

    /// Runs `f` with the log's lock held, timing the hold.
    fn locked<T>(
        &self,
        shared: &mut SharedFiles,
        f: impl FnOnce() -> io::Result<T>,
    ) -> io::Result<T> {
        let place = Place {
            names: &self.names,
            mode: self.mode,
            log_id: self.log_id,
        };
        let mut inside = shared.enter(place, &self.wait)?;
        let started = Instant::now();
        let result = f();
        self.counters
            .longest_lock_nanos
            .fetch_max(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
        let recovered = inside.recover_if_lost(place);
        drop(inside);
        recovered?;
        shared.follow(place, Instant::now(), Duration::ZERO)?;
        result
    }
}

/// Gzips `source` into `temp`, naming the source in the header (see
/// `chain::provenance`).
fn gzip(source: &File, source_meta: &Metadata, temp: &File, level: u32) -> io::Result<()> {
    let mut encoder = flate2::GzBuilder::new()
        .comment(chain::gzip_comment(source_meta))
        .write(
            BufWriter::with_capacity(64 * 1024, temp),
            flate2::Compression::new(level),
        );
    io::copy(
        &mut io::BufReader::with_capacity(64 * 1024, source),
        &mut encoder,
    )?;
    encoder
        .finish()?
        .into_inner()
        .map_err(io::IntoInnerError::into_error)?;
    Ok(())
}
