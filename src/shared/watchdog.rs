//! Saying who holds the lock when a writer has waited too long for it.
//!
//! A writer that finds the lock held sleeps in a blocking `flock`: the
//! kernel wakes it when the lock is free, at no cost to the holder, which
//! keeps the throughput of many busy writers near that of a bare `flock`
//! loop. A sleeping writer cannot look at a clock, so one thread per process
//! does: it is started by the first writer that sleeps, wakes a few times a
//! second, and for each writer asleep past its `lock_warning` says once, on
//! stderr, which process holds the lock (a process stopped with SIGSTOP, in
//! a debugger, a frozen container). Giving up after `lock_timeout` is the
//! waiter's own business (see `exclusion`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::{Duration, Instant};

use crate::shared::state_file;
use crate::sys::flock_holder;
use crate::sys::fork::PerProcess;
use crate::sys::stderr;

/// How often the watchdog looks.
const EVERY: Duration = Duration::from_millis(200);

/// One log's waiter, as the watchdog sees it.
#[derive(Debug)]
pub(crate) struct WaitSlot {
    /// When the wait began, in nanoseconds since [`epoch`] plus one; 0 when
    /// not waiting.
    since: AtomicU64,
    /// The lock file waited for, as `(device, inode)`.
    dev: AtomicU64,
    ino: AtomicU64,
    lock_path: PathBuf,
    /// Where the holder says it is inside, when the kernel does not.
    state_path: PathBuf,
    warning: Duration,
    warned: AtomicBool,
}

/// The watched slots of this process, and whether its thread runs.
#[derive(Debug, Default)]
struct Watchdog {
    slots: Mutex<Vec<Weak<WaitSlot>>>,
    running: AtomicBool,
}

/// This process's watchdog (a child after `fork()` gets its own: the
/// thread does not survive the fork).
fn watchdog() -> Option<&'static Watchdog> {
    static WATCHDOG: OnceLock<PerProcess<Watchdog>> = OnceLock::new();
    WATCHDOG
        .get_or_init(|| PerProcess::new(Watchdog::default()))
        .get(|| Ok(Watchdog::default()))
        .ok()
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

impl WaitSlot {
    /// A slot for the lock at `lock_path` (of the state at `state_path`),
    /// watched from now on.
    pub(crate) fn new(lock_path: PathBuf, state_path: PathBuf, warning: Duration) -> Arc<WaitSlot> {
        let slot = Arc::new(WaitSlot {
            since: AtomicU64::new(0),
            dev: AtomicU64::new(0),
            ino: AtomicU64::new(0),
            lock_path,
            state_path,
            warning,
            warned: AtomicBool::new(false),
        });
        if let Some(watchdog) = watchdog() {
            let mut slots = watchdog
                .slots
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            slots.retain(|slot| slot.strong_count() > 0);
            slots.push(Arc::downgrade(&slot));
        }
        slot
    }

    /// Runs `block` (a blocking wait for the lock `(dev, ino)`) under watch.
    pub(crate) fn watch<T>(&self, (dev, ino): (u64, u64), block: impl FnOnce() -> T) -> T {
        self.dev.store(dev, Ordering::Relaxed);
        self.ino.store(ino, Ordering::Relaxed);
        let since = epoch().elapsed().as_nanos() as u64 + 1;
        self.since.store(since, Ordering::Release);
        if let Some(watchdog) = watchdog() {
            watchdog.start();
        }
        let result = block();
        self.since.store(0, Ordering::Release);
        result
    }

    /// Says who holds the lock, once, if this slot has waited too long.
    fn look(&self, now: u64) {
        let since = self.since.load(Ordering::Acquire);
        if since == 0 || Duration::from_nanos(now.saturating_sub(since - 1)) < self.warning {
            return;
        }
        if self.warned.swap(true, Ordering::Relaxed) {
            return;
        }
        let id = (
            self.dev.load(Ordering::Relaxed),
            self.ino.load(Ordering::Relaxed),
        );
        warn(&self.lock_path, self.holder(id), self.warning, None);
    }

    /// The process holding the lock file `lock`: as the kernel tells, which
    /// names any holder (Python's handler too); else as the shared state
    /// tells, which names the process of this library inside.
    pub(crate) fn holder(&self, lock: (u64, u64)) -> Option<u32> {
        flock_holder::holder_pid(lock).or_else(|| state_file::holder_pid_at(&self.state_path))
    }
}

impl Watchdog {
    /// Starts the thread if it does not run yet; if it cannot start, the
    /// warnings are not given (the waits are unchanged).
    fn start(&'static self) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let started = std::thread::Builder::new()
            .name("crf-lock-watch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(EVERY);
                    let now = epoch().elapsed().as_nanos() as u64;
                    let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
                    for slot in slots.iter().filter_map(Weak::upgrade) {
                        slot.look(now);
                    }
                }
            });
        if started.is_err() {
            self.running.store(false, Ordering::Release);
        }
    }
}

/// Says on stderr that a writer has waited `waited` for the lock at
/// `lock_path`, held by `holder`; `timeout` if it will give up.
pub(crate) fn warn(
    lock_path: &std::path::Path,
    holder: Option<u32>,
    waited: Duration,
    timeout: Option<Duration>,
) {
    let then = match timeout {
        Some(timeout) => format!("giving up after {timeout:?}"),
        None => "waiting on; lock_timeout makes writers give up instead".into(),
    };
    stderr::print(format_args!(
        "waiting for {:.0?} for the lock `{}`, held by {} (stopped, or in a debugger?); {then}",
        waited,
        lock_path.display(),
        holder_words(holder)
    ));
}

/// A holder in words.
pub(crate) fn holder_words(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("process {pid}"),
        None => "another process".into(),
    }
}

// Symlinks, which a test makes as Unix does.
#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::shared::state_file::StateFile;
    use crate::sys::fs::FileId;
    use crate::sys::open::FileMode;

    #[test]
    fn a_holder_the_kernel_does_not_name_is_named_by_the_shared_state() {
        let dir = tempfile::tempdir().unwrap();
        let (lock, state_path) = (
            dir.path().join("app.log.lock"),
            dir.path().join("app.log.state"),
        );
        // A lock file no one holds: no system names a holder of it.
        std::fs::write(&lock, "").unwrap();
        let lock_id = FileId::at(&lock).unwrap().unwrap().pair();
        let state =
            StateFile::open(&crate::sys::dir::At::path(&state_path), FileMode::DEFAULT).unwrap();
        state.validate(7);
        let slot = WaitSlot::new(lock.clone(), state_path.clone(), Duration::from_secs(10));
        assert_eq!(slot.holder(lock_id), None, "no one is inside");
        // A process inside writes its token: its pid in the low 32 bits.
        state
            .holder()
            .store(4242 | (0x1234 << 32), Ordering::SeqCst);
        assert_eq!(slot.holder(lock_id), Some(4242));
        // Never read through a symlink, nor from a state of another format.
        std::fs::rename(&state_path, dir.path().join("moved")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("moved"), &state_path).unwrap();
        assert_eq!(slot.holder(lock_id), None);
        std::fs::remove_file(&state_path).unwrap();
        std::fs::write(&state_path, [0xff; 4096]).unwrap();
        assert_eq!(slot.holder(lock_id), None);
    }
}
