//! Taking the lock: how a writer waits for it, and how exclusion holds
//! whatever happens to the lock file.
//!
//! **Waiting.** A writer that finds the `flock` held retries without
//! blocking for a short while (`lock_spin`: the holder keeps it about a
//! microsecond per record, and being put to sleep and woken costs more),
//! then sleeps on a word of the shared state until the holder, letting go,
//! wakes one sleeper (`futex`); every sleep is bounded (a holder that wakes
//! no one, such as Python's handler, costs one short timeout). After
//! `lock_warning` of waiting it says once, on stderr, which process holds
//! the lock (a stopped process, a debugger); with `lock_timeout` it gives
//! up with a `TimedOut` error naming the lock and the holder.
//!
//! **The lock file deleted or replaced.** A cleanup job may delete the lock
//! file while writers hold it; processes that open the path afterwards
//! create and lock another file, and two writers would be inside at once.
//! So the shared state records which lock file the writers use, and who is
//! inside (`holder`). A writer that holds its `flock` claims the holder
//! slot, then checks that the state names its own lock file:
//!
//! - if it does, it is inside. A holder slot already taken then belongs to a
//!   process killed inside: only a holder of the same file could have
//!   entered, and that file's lock is now ours;
//! - if not, it lets go and reopens the lock path; if the path names its
//!   own file, the old file was deleted and this writer takes over: it
//!   records its file in the state, then waits until the process inside (a
//!   holder of the old file) has left, or died, before entering. Every
//!   holder of the old file sees the new one named at its next record, and
//!   moves to it.
//!
//! The claim, the check and the take-over are sequentially consistent
//! atomics on the shared mapping, so of two writers of different files at
//! least one sees the other: they are never inside together.

use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::shared::lock_file::LockFile;
use crate::shared::state_file::StateFile;
use crate::sys::process::is_alive;
use crate::sys::{futex, stderr};

/// Between two non-blocking tries of a held lock while spinning. Shorter
/// pauses measured worse: each try is a syscall that contends with the
/// holder's unlock.
const RETRY_PAUSE: Duration = Duration::from_micros(20);

/// The longest one sleep for the lock lasts: how late a writer notices a
/// lock freed by a holder that wakes no one.
const SLEEP_MAX: Duration = Duration::from_millis(10);

/// How long a replaced holder may look dead before it is taken for dead.
const DEAD_AFTER: Duration = Duration::from_secs(1);

/// How a writer waits for the lock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wait {
    /// How long to retry without sleeping.
    pub(crate) spin: Duration,
    /// After this long, say once which process holds the lock.
    pub(crate) warning: Duration,
    /// After this long, give up with an error.
    pub(crate) timeout: Option<Duration>,
}

/// What [`enter`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// This process is inside; it must [`leave`].
    Inside,
    /// The state names another lock file: this one was replaced, or is the
    /// replacement. The lock was let go.
    Replaced,
}

/// Takes the `flock` (waiting as `wait` says), then enters: see the module
/// documentation. `lock_path` is for messages only.
pub(crate) fn enter(
    lock: &LockFile,
    state: &StateFile,
    wait: &Wait,
    lock_path: &Path,
) -> io::Result<Entry> {
    take(lock, state, wait, lock_path)?;
    let me = u64::from(std::process::id());
    let mine = lock.id();
    let holder = state.holder();
    while let Err(other) = holder.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        if state.lock_id() != mine {
            // A holder of another lock file is inside, or taking over.
            lock.unlock();
            return Ok(Entry::Replaced);
        }
        // Left inside by a process killed there: only a holder of our file
        // could have entered while the state named it, and we hold it now.
        if holder
            .compare_exchange(other, me, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            break;
        }
    }
    match state.lock_id() {
        id if id == mine => Ok(Entry::Inside),
        (0, 0) => {
            // A state started afresh: the first writer names the lock file.
            state.set_lock_id(mine);
            Ok(Entry::Inside)
        }
        _ => {
            let _ = holder.compare_exchange(me, 0, Ordering::SeqCst, Ordering::SeqCst);
            lock.unlock();
            Ok(Entry::Replaced)
        }
    }
}

/// For a writer that found its lock file replaced and whose lock path
/// names its own file (the old one was deleted): takes the lock, records
/// its file in the state, and waits until the process inside, a holder of
/// the old file, has left or died. `Replaced` if yet another writer took
/// over meanwhile.
pub(crate) fn take_over(
    lock: &LockFile,
    state: &StateFile,
    wait: &Wait,
    lock_path: &Path,
) -> io::Result<Entry> {
    take(lock, state, wait, lock_path)?;
    let me = u64::from(std::process::id());
    let mine = lock.id();
    state.set_lock_id(mine);
    let holder = state.holder();
    let started = Instant::now();
    let (mut seen, mut since, mut warned) = (0, started, false);
    let mut pause = Duration::from_micros(50);
    while let Err(other) = holder.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        if other != seen {
            (seen, since) = (other, Instant::now());
        }
        let stale = other == me || (since.elapsed() >= DEAD_AFTER && !is_alive(other));
        if stale
            && holder
                .compare_exchange(other, me, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            break;
        }
        let waited = started.elapsed();
        if let Some(timeout) = wait.timeout
            && waited >= timeout
        {
            lock.unlock();
            return Err(timed_out(lock_path, Some(other as u32), timeout));
        }
        if waited >= wait.warning && !std::mem::replace(&mut warned, true) {
            warn(lock_path, Some(other as u32), waited, wait);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(1));
    }
    if state.lock_id() != mine {
        let _ = holder.compare_exchange(me, 0, Ordering::SeqCst, Ordering::SeqCst);
        lock.unlock();
        return Ok(Entry::Replaced);
    }
    Ok(Entry::Inside)
}

/// Leaves: clears the holder slot, lets the lock go and wakes a sleeper.
pub(crate) fn leave(lock: &LockFile, state: &StateFile) {
    let me = u64::from(std::process::id());
    let _ = state
        .holder()
        .compare_exchange(me, 0, Ordering::SeqCst, Ordering::SeqCst);
    lock.unlock();
    if state.waiters().load(Ordering::SeqCst) > 0 {
        let wake = state.wake_word();
        wake.fetch_add(1, Ordering::SeqCst);
        futex::wake_one(wake);
    }
}

/// Takes the `flock`: at once if free, else spinning, then sleeping until
/// woken, with a warning and maybe a timeout.
fn take(lock: &LockFile, state: &StateFile, wait: &Wait, lock_path: &Path) -> io::Result<()> {
    if lock.try_lock()? {
        return Ok(());
    }
    let started = Instant::now();
    if !wait.spin.is_zero() {
        let deadline = started + wait.spin;
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            let until = (now + RETRY_PAUSE).min(deadline);
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            if lock.try_lock()? {
                return Ok(());
            }
        }
    }
    let waiters = state.waiters();
    waiters.fetch_add(1, Ordering::SeqCst);
    let result = sleep_until_taken(lock, state, wait, lock_path, started);
    let _ = waiters.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        Some(n.saturating_sub(1))
    });
    result
}

fn sleep_until_taken(
    lock: &LockFile,
    state: &StateFile,
    wait: &Wait,
    lock_path: &Path,
    started: Instant,
) -> io::Result<()> {
    let wake = state.wake_word();
    let mut warned = false;
    loop {
        // Read before trying: a holder letting go after our try changes it,
        // and the sleep below returns at once.
        let seen = wake.load(Ordering::SeqCst);
        if lock.try_lock()? {
            return Ok(());
        }
        let waited = started.elapsed();
        let mut sleep = SLEEP_MAX;
        if let Some(timeout) = wait.timeout {
            if waited >= timeout {
                return Err(timed_out(lock_path, lock.holder_pid(), timeout));
            }
            sleep = sleep.min(timeout - waited);
        }
        if waited >= wait.warning && !std::mem::replace(&mut warned, true) {
            warn(lock_path, lock.holder_pid(), waited, wait);
        }
        futex::wait(wake, seen, sleep);
    }
}

fn holder_words(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("process {pid}"),
        None => "another process".into(),
    }
}

fn warn(lock_path: &Path, holder: Option<u32>, waited: Duration, wait: &Wait) {
    let then = match wait.timeout {
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

fn timed_out(lock_path: &Path, holder: Option<u32>, timeout: Duration) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!(
            "wait for the lock `{}`: held by {} for more than {timeout:?}",
            lock_path.display(),
            holder_words(holder)
        ),
    )
}
