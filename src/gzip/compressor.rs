//! The compressor: a thread per process that gzips the backups its
//! rotations made, off the writers' path (guarantee: gzip off the lock).
//!
//! Rotation only renames; each process then hands the new backup to its own
//! compressor thread, which works outside the lock:
//!
//! 1. open the backup and claim it with a non-blocking `flock` on it, so two
//!    processes never compress the same one; a dead compressor's claim is
//!    released by the kernel, so the next one takes over;
//! 2. under the lock, create
//!    `.concurrent-rotating-file/app.log.<inode>.gz.tmp` (with the log's
//!    mode and group: the `.gz` is this file) and claim it too; an
//!    unclaimed temp is a leftover of a compressor killed, or cut short at
//!    exit: if it is a complete gzip of this very backup (its header names
//!    the backup, its checksum holds) it is finished rather than redone;
//!    else it is emptied;
//! 3. gzip the backup into the temp, outside the lock, on a thread of its
//!    own at the lowest CPU priority (`nice` 19 on Linux): on a busy
//!    machine the writers get the processors first (once the process
//!    waits for its compressions, at normal priority);
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
//! finished by the next writer.
//!
//! How many queued compressions are unfinished is kept (`progress`), for
//! what waits for them: `RotatingFile::shutdown`, the background writers'
//! guards, the last handle's drop, and the process's exit (`at_exit`).

use std::fs::File;
use std::io::{self, BufWriter};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use crate::chain::{self, Backups};
use crate::error::doing;
use crate::error::{Error, ErrorKind};
use crate::gzip::at_exit;
use crate::gzip::progress::Progress;
use crate::gzip::temp::Temp;
use crate::names::{self, Names};
use crate::shared::claim::claim;
use crate::shared::exclusion::Wait;
use crate::shared::files::{Place, SharedFiles};
use crate::sys::coarse_clock::CoarseInstant;
use crate::sys::dir::At;
use crate::sys::fs::{FileId, Stat, read_at, remove_if_present, stat_file};
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
    progress: Arc<Progress>,
}

impl Compressor {
    /// Opens the lock and state files the compressor will use: its own
    /// descriptors, whose `flock` excludes this process's writers like any
    /// other process's. Opened with the writers' (see `OpenLog`), so that
    /// both hold the same files, whatever is removed before the first
    /// compression.
    pub(crate) fn open_files(place: Place<'_>, wait: Wait) -> Result<SharedFiles, Error> {
        let mut shared = SharedFiles::open(place, wait.warning)?;
        // Present only while at work (see `Job::run`).
        let _ = shared.be_present(false);
        Ok(shared)
    }

    /// Starts the thread, with the files [`open_files`](Compressor::open_files)
    /// opened (opened now if there are none).
    pub(crate) fn start(
        backups: Backups,
        place: Place<'_>,
        shared: Option<SharedFiles>,
        wait: Wait,
        level: u32,
        exit_wait: Duration,
        counters: Arc<Counters>,
    ) -> Result<Compressor, Error> {
        let shared = match shared {
            Some(shared) => shared,
            None => Compressor::open_files(place, wait)?,
        };
        let progress = Arc::new(Progress::new(place.names.live(), exit_wait));
        let mut job = Job {
            shared,
            work: Work {
                backups,
                names: place.names.clone(),
                mode: place.mode,
                dir_mode: place.dir_mode,
                log_id: place.log_id,
                wait,
                level,
                counters,
                progress: Arc::clone(&progress),
            },
            progress: Arc::clone(&progress),
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
        // Compressions in flight when the process exits are finished first
        // (within `exit_wait`), even if no handle is ever dropped.
        at_exit::finish_compressions(&progress);
        Ok(Compressor {
            sender: Some(sender),
            thread: Some(thread),
            progress,
        })
    }

    /// Queues a backup (by its current path) for compression.
    pub(crate) fn queue(&self, backup: PathBuf) {
        if let Some(sender) = &self.sender {
            self.progress.queued();
            // The thread lives as long as the sender: cannot fail.
            if sender.send(backup).is_err() {
                self.progress.done();
            }
        }
    }

    /// What is left of the compressions queued, to wait on.
    pub(crate) fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
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
        self.progress.wait(deadline);
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
    progress: Arc<Progress>,
}

struct Work {
    backups: Backups,
    names: Names,
    mode: FileMode,
    dir_mode: FileMode,
    log_id: u64,
    wait: Wait,
    level: u32,
    counters: Arc<Counters>,
    /// Whether the process waits for the compressions: then they run at
    /// normal priority (no writer of this process is left to give way to).
    progress: Arc<Progress>,
}

impl Job {
    fn run(&mut self, receiver: &Receiver<PathBuf>) {
        let mut reported = false;
        for backup in receiver {
            // Present while at work only: a writer alone with the log
            // otherwise skips the flock (see `presence`).
            let _ = self.shared.be_present(true);
            let started = Instant::now();
            // A panic (a bug) fails this compression, not the thread, and
            // never leaves a shutdown waiting for it.
            let compressed = catch_unwind(AssertUnwindSafe(|| {
                self.work.compress(&mut self.shared, &backup)
            }))
            .unwrap_or_else(|_| Err(io::Error::other("the compression panicked")));
            if compressed.is_ok() {
                // Counted when queued (see `Appender::shift`): done.
                self.shared.state.end_work();
            }
            if receiver.is_empty() {
                let _ = self.shared.be_present(false);
            }
            match compressed {
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
            self.progress.done();
        }
    }
}

impl Work {
    /// Compresses one backup; `Ok(false)` if there was nothing to do (gone,
    /// already claimed, pruned meanwhile).
    fn compress(&self, shared: &mut SharedFiles, backup: &Path) -> io::Result<bool> {
        let source = match open::open_for_reading(&At::path(backup)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            // A symlink or a FIFO at a backup name: moved along the chain as
            // a name, never opened as a backup.
            Err(e) if open::is_not_ours(&e) => return Ok(false),
            Err(e) => return Err(e),
        };
        if !claim(&source).map_err(|e| doing(e, format_args!("lock `{}`", backup.display())))? {
            return Ok(false);
        }
        let source_meta = stat_file(&source)?;
        let id = source_meta.id;
        let temp = match Temp::unnamed(&self.names, id.ino(), self.mode)? {
            Some(temp) => Some(temp),
            None => self.locked(shared, || {
                Temp::named(&self.names, id.ino(), self.mode, self.dir_mode)
            })?,
        };
        let Some(temp) = temp else { return Ok(false) };
        let result = self
            .write_gzip(shared, &source, &source_meta, temp)
            .and_then(|temp| {
                let Some(temp) = temp else {
                    return Ok((None, false));
                };
                // Age-based retention of numbered backups reads this.
                temp.file()
                    .set_modified(source_meta.meta.modified()?)
                    .map_err(|e| {
                        doing(
                            e,
                            format_args!("set the time of `{}`", temp.shown(&self.names).display()),
                        )
                    })?;
                let linked = self.locked(shared, || match at_exit::LINKS.begin() {
                    Some(_naming) => self.link_into_place(backup, id, &temp),
                    // The process is past its wait for compressions: the
                    // gzip is dropped, the backup stays plain for the next
                    // writer.
                    None => temp.remove().map(|()| false),
                });
                Ok((Some(temp), linked?))
            });
        match result {
            Ok((_, linked)) => Ok(linked),
            Err(e) => Err(e),
        }
    }

    /// Gzips `source` into `temp`, unless `temp` is a leftover that holds
    /// a complete gzip of it already: left by a compressor killed, or cut
    /// short at exit, after it wrote the last byte. A leftover that does
    /// not is replaced. `None` if a live compressor took the name meanwhile.
    fn write_gzip(
        &self,
        shared: &mut SharedFiles,
        source: &File,
        source_meta: &Stat,
        temp: Temp,
    ) -> io::Result<Option<Temp>> {
        let temp = match temp.leftover() {
            Some(may_be_complete) => {
                if may_be_complete? && is_complete_gzip_of(temp.file(), source_meta) {
                    return Ok(Some(temp));
                }
                match self.locked(shared, || temp.replace(self.mode))? {
                    Some(temp) => temp,
                    None => return Ok(None),
                }
            }
            None => temp,
        };
        let file = temp.file();
        let written = match self.progress.waited_for() {
            true => gzip(source, source_meta, file, self.level),
            false => gzip_aside(source, source_meta, file, self.level),
        };
        match written {
            Ok(()) => Ok(Some(temp)),
            Err(e) => {
                let _ = temp.remove();
                Err(doing(
                    e,
                    format_args!("gzip into `{}`", temp.shown(&self.names).display()),
                ))
            }
        }
    }

    /// Under the lock: names the finished gzip `.gz` beside wherever the
    /// backup is now, and removes the plain backup; `Ok(false)` if it was
    /// pruned meanwhile (the gzip is dropped).
    fn link_into_place(&self, backup: &Path, id: FileId, temp: &Temp) -> io::Result<bool> {
        let Some(plain) = self.backups.locate(backup, id)? else {
            // Pruned while we worked.
            return temp.remove().map(|()| false);
        };
        // Never over a `.gz` already there (an outside tool's, holding other
        // data): a link fails where a rename would replace. The plain backup
        // then stays.
        let linked = temp.link_to(&names::gz_of(&plain));
        let removed = temp.remove();
        let linked = linked?;
        removed?;
        if linked {
            remove_if_present(&plain)?;
        }
        Ok(linked)
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
            dir_mode: self.dir_mode,
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
        shared.follow(place, CoarseInstant::now(), Duration::ZERO)?;
        result
    }
}

/// [`gzip`] on a thread of its own at the lowest priority, so that
/// compressing never takes a processor a writer wants; the steps under the
/// lock stay on the compressor's thread, at its normal priority, so that a
/// busy machine never holds the lock up behind a starved thread.
fn gzip_aside(source: &File, source_meta: &Stat, temp: &File, level: u32) -> io::Result<()> {
    std::thread::scope(|scope| {
        let deflate = std::thread::Builder::new()
            .name("crf-gzip-deflate".into())
            .spawn_scoped(scope, || {
                crate::sys::priority::lowest_for_this_thread();
                gzip(source, source_meta, temp, level)
            });
        match deflate {
            Ok(deflate) => deflate
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the gzip thread panicked"))),
            // No thread to be had: compressed here instead.
            Err(_) => gzip(source, source_meta, temp, level),
        }
    })
}

/// Whether `temp` holds a complete gzip of the file `source` is: its header
/// names that file (see `chain::provenance`), and it decodes to its end,
/// checksum and length included, into as many bytes as the file holds.
fn is_complete_gzip_of(temp: &File, source: &Stat) -> bool {
    let mut decoder = flate2::read::GzDecoder::new(io::BufReader::with_capacity(
        64 * 1024,
        ReadAt { file: temp, at: 0 },
    ));
    let decoded = io::copy(&mut decoder, &mut io::sink());
    let comment = chain::gzip_comment(source);
    let named = decoder
        .header()
        .and_then(|header| header.comment())
        .is_some_and(|found| found == comment.as_bytes());
    named && decoded.is_ok_and(|len| len == source.meta.len())
}

/// Reads a file from `at` on, leaving its offset alone.
struct ReadAt<'a> {
    file: &'a File,
    at: u64,
}

impl io::Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

/// Gzips `source` into `temp`, naming the source in the header (see
/// `chain::provenance`).
fn gzip(source: &File, source_meta: &Stat, temp: &File, level: u32) -> io::Result<()> {
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use crate::gzip::Compression;
    use crate::names::Names;
    use crate::writer::handle::RotatingFile;

    /// A plain backup `app.log.1`, and what a compressor cut short left of
    /// its gzip: all of it, or its first `keep` bytes. Returns the temp's
    /// inode.
    fn leave_cut_short(dir: &std::path::Path, keep: Option<usize>) -> u64 {
        let names = Names::beside(dir.join("app.log"));
        std::fs::create_dir_all(names.own_dir()).unwrap();
        let backup = names.numbered(1);
        std::fs::write(&backup, "a line of the backup\n".repeat(1000)).unwrap();
        let found = crate::sys::fs::stat(&backup).unwrap().unwrap();
        let temp = names.own_dir().join(names.gzip_temp(found.id.ino()));
        let mut encoder = flate2::GzBuilder::new()
            .comment(crate::chain::gzip_comment(&found))
            .write(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&std::fs::read(&backup).unwrap()).unwrap();
        let gz = encoder.finish().unwrap();
        std::fs::write(&temp, &gz[..keep.unwrap_or(gz.len())]).unwrap();
        crate::sys::fs::FileId::at(&temp).unwrap().unwrap().ino()
    }

    fn open_and_finish(dir: &std::path::Path) {
        let mut log = RotatingFile::builder(dir.join("app.log"))
            .compression(Compression::Gzip)
            .open()
            .unwrap();
        log.shutdown(std::time::Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn a_complete_gzip_cut_short_before_its_link_is_finished_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let temp_ino = leave_cut_short(dir.path(), None);
        open_and_finish(dir.path());
        let gz = dir.path().join("app.log.1.gz");
        // The very file left behind, named: not compressed again.
        assert_eq!(
            crate::sys::fs::FileId::at(&gz).unwrap().unwrap().ino(),
            temp_ino
        );
        assert!(!dir.path().join("app.log.1").exists());
        let own = Names::beside(dir.path().join("app.log"))
            .own_dir()
            .to_path_buf();
        assert!(
            std::fs::read_dir(own).unwrap().all(|e| !e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp"))
        );
    }

    #[test]
    fn a_hard_link_planted_at_a_temporary_name_is_never_written_through() {
        // Whoever may link a file of the writers' (a configuration, another
        // log) at the temporary's name of the next backup: the gzip must
        // not overwrite it.
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let mut log = RotatingFile::builder(names.live())
            .max_bytes(64)
            .compression(Compression::Gzip)
            .open()
            .unwrap();
        writeln!(log, "the first file's line, rotated next").unwrap();
        let next_backup = crate::sys::fs::FileId::at(names.live())
            .unwrap()
            .unwrap()
            .ino();
        let victim = dir.path().join("victim.conf");
        std::fs::write(&victim, "someone's data").unwrap();
        let planted = names.own_dir().join(names.gzip_temp(next_backup));
        std::fs::hard_link(&victim, &planted).unwrap();
        writeln!(log, "the second file's line, which rotates it").unwrap();
        log.shutdown(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "someone's data");
        assert_eq!(crate::sys::fs::stat(&victim).unwrap().unwrap().links, 1);
        assert!(!planted.exists());
        let gz = std::fs::File::open(names.numbered_gz(1)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        assert_eq!(text, "the first file's line, rotated next\n");
    }

    #[test]
    fn a_gzip_cut_short_midway_is_done_again_and_never_named() {
        let dir = tempfile::tempdir().unwrap();
        leave_cut_short(dir.path(), Some(40));
        open_and_finish(dir.path());
        let gz = std::fs::File::open(dir.path().join("app.log.1.gz")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        assert_eq!(text, "a line of the backup\n".repeat(1000));
        assert!(!dir.path().join("app.log.1").exists());
    }

    #[test]
    fn a_complete_gzip_of_an_earlier_file_with_the_same_inode_and_size_is_never_taken_for_this_ones()
     {
        // A compressed backup's inode is freed and soon given to a new file,
        // often of the same size: a temp left of the earlier file's gzip
        // names the same device, inode and size, and only the time tells.
        let dir = tempfile::tempdir().unwrap();
        leave_cut_short(dir.path(), None);
        let backup = dir.path().join("app.log.1");
        // The new file of that inode: other lines, of the same length.
        std::fs::write(&backup, "other line of backup\n".repeat(1000)).unwrap();
        let earlier = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        std::fs::File::options()
            .write(true)
            .open(&backup)
            .unwrap()
            .set_modified(earlier)
            .unwrap();
        open_and_finish(dir.path());
        let gz = std::fs::File::open(dir.path().join("app.log.1.gz")).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(gz), &mut text).unwrap();
        assert_eq!(text, "other line of backup\n".repeat(1000));
    }
}
