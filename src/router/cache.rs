//! [`FileCache`]: the files a [`Router`](crate::Router) has open, at most
//! a bound of them, the least recently used closed first.
//!
//! The cache's mutex is held only to look a name up (a hash and a counter
//! bump) or to insert a file: never while a file is opened (the user's
//! closure, `open(2)`, the `flock` of the repair at open) and never while a
//! record is written, so names do not wait for each other. A file closed
//! by the bound stays open until the records being written to it are done
//! (each holds its own reference), and is opened again by the next event
//! of its name.
//!
//! The process may run out of file descriptors before the bound is reached
//! (`ulimit -n`, or descriptors the program holds itself): then the least
//! recently used files that no one is writing to are closed
//! ([`FileCache::close_idle`]), so that the file wanted can open.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::gzip::Compression;
use crate::writer::handle::RotatingFile;

/// How long a name whose file failed to open is sent to the fallback before
/// opening it is tried again.
pub(crate) const RETRY_OPEN: Duration = Duration::from_secs(1);

/// The open files of a router, by name.
#[derive(Debug, Default)]
pub(crate) struct FileCache {
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    open: HashMap<Box<str>, Entry>,
    /// Names whose file failed to open, with when to try again.
    failed: HashMap<Box<str>, Instant>,
    /// Bumped at every use: the entry with the smallest `used` is the least
    /// recently used.
    clock: u64,
}

#[derive(Debug)]
struct Entry {
    file: Arc<RotatingFile>,
    used: u64,
}

/// What [`FileCache::get`] found.
pub(crate) enum Lookup {
    Open(Arc<RotatingFile>),
    /// Opening it failed less than [`RETRY_OPEN`] ago.
    RecentlyFailed,
    Missing,
}

impl FileCache {
    /// The file open for `name`, marked as just used.
    pub(crate) fn get(&self, name: &str, now: impl FnOnce() -> Instant) -> Lookup {
        let mut entries = self.entries.lock();
        entries.clock += 1;
        let clock = entries.clock;
        if let Some(entry) = entries.open.get_mut(name) {
            entry.used = clock;
            return Lookup::Open(Arc::clone(&entry.file));
        }
        match entries.failed.get(name) {
            Some(&retry) if now() < retry => Lookup::RecentlyFailed,
            _ => Lookup::Missing,
        }
    }

    /// Adds a file just opened for `name`, unless another thread was first
    /// (then its file is returned, and `file` closed). Closes the least
    /// recently used files beyond `max_open`; returns how many.
    pub(crate) fn insert(
        &self,
        name: &str,
        file: RotatingFile,
        max_open: usize,
    ) -> (Arc<RotatingFile>, u64) {
        let mut closed = Vec::new();
        let file = {
            let mut entries = self.entries.lock();
            entries.failed.remove(name);
            entries.clock += 1;
            let used = entries.clock;
            let file = match entries.open.get(name) {
                Some(entry) => Arc::clone(&entry.file),
                None => {
                    let file = Arc::new(file);
                    let entry = Entry {
                        file: Arc::clone(&file),
                        used,
                    };
                    entries.open.insert(name.into(), entry);
                    file
                }
            };
            while entries.open.len() > max_open.max(1) {
                let Some(oldest) = entries
                    .open
                    .iter()
                    .min_by_key(|(_, entry)| entry.used)
                    .map(|(name, _)| name.clone())
                else {
                    break;
                };
                if let Some(entry) = entries.open.remove(&oldest) {
                    closed.push(entry.file);
                }
            }
            file
        };
        let count = closed.len() as u64;
        close(closed);
        (file, count)
    }

    /// Closes the least recently used files that no one is writing to (no
    /// handle but the cache's), until at most `keep` files are open or none
    /// is idle; returns how many were closed. Their descriptors are free
    /// when this returns, unless a compression of theirs is still under way
    /// (then they are closed once it is done, by a thread of their own).
    pub(crate) fn close_idle(&self, keep: usize) -> u64 {
        let closed = {
            let mut entries = self.entries.lock();
            let mut idle: Vec<(u64, Box<str>)> = entries
                .open
                .iter()
                .filter(|(_, entry)| Arc::strong_count(&entry.file) == 1)
                .map(|(name, entry)| (entry.used, name.clone()))
                .collect();
            idle.sort_unstable();
            let excess = entries.open.len().saturating_sub(keep);
            idle.into_iter()
                .take(excess)
                .filter_map(|(_, name)| entries.open.remove(&name))
                .map(|entry| entry.file)
                .collect::<Vec<_>>()
        };
        let count = closed.len() as u64;
        close(closed);
        count
    }

    /// Remembers that opening `name`'s file failed, so that its events go
    /// to the fallback for [`RETRY_OPEN`] without trying again each time.
    pub(crate) fn failed(&self, name: &str, now: Instant, max_open: usize) {
        let mut entries = self.entries.lock();
        if entries.failed.len() >= max_open.max(1) {
            // Bounded like the open files; forgetting only means retrying.
            entries.failed.clear();
        }
        entries.failed.insert(name.into(), now + RETRY_OPEN);
    }

    /// How many files are open.
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().open.len()
    }

    /// Whether `name`'s file is open.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.entries.lock().open.contains_key(name)
    }

    /// Every file open now.
    pub(crate) fn files(&self) -> Vec<Arc<RotatingFile>> {
        let entries = self.entries.lock();
        entries.open.values().map(|e| Arc::clone(&e.file)).collect()
    }
}

/// Closes files let go by the cache, outside its mutex. The last handle of
/// a gzipped log waits for its queued compressions: where one is under way,
/// that wait is left to a thread of its own, so that the writer that made
/// room never waits for gzip (guarantee: gzip off the lock).
fn close(files: Vec<Arc<RotatingFile>>) {
    for file in files {
        let log = file.open_log();
        let idle = log.config.compression == Compression::None
            || log.wait_for_compressions(Instant::now()) == 0;
        if idle {
            // Nothing to wait for: its descriptors are free at once.
            drop(file);
            continue;
        }
        // If no thread can be had, the closure, and the file with it, is
        // dropped here: a wait rather than a lost compression.
        let _ = std::thread::Builder::new()
            .name("crf-router-close".into())
            .spawn(move || drop(file));
    }
}
