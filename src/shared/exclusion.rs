//! Taking the lock: how a writer waits for it, and how exclusion holds
//! whatever happens to the lock file.
//!
//! **Waiting.** A writer that finds the `flock` held retries without
//! blocking for a short while (`lock_spin`: the holder keeps it about a
//! microsecond per record, and being put to sleep and woken costs more),
//! then sleeps in a blocking `flock`, which the kernel ends when the lock
//! is free at no cost to the holder. After `lock_warning` of sleep a
//! watchdog thread says once, on stderr, which process holds the lock (see
//! `watchdog`). With `lock_timeout`, a writer polls instead of sleeping in
//! `flock` (a blocking `flock` cannot be cut short), and gives up with a
//! `TimedOut` error naming the lock and the holder.
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
//!
//! **Alone.** A process that has the log to itself (no other process has
//! it open: see `presence`) enters by claiming the holder slot alone,
//! marked [`FAST`], without the `flock` syscalls: a record then costs its
//! `write(2)` only. The slot is the lock: a process that comes along takes
//! the `flock`, finds a fast holder in the slot, says so in the state
//! (`contended`) and waits for it to leave (or to be found dead) before it
//! claims the slot itself; the fast writer reads that at its next record
//! and goes the `flock` way too, until it finds itself alone again. A log
//! shared with Python's handler, which knows nothing of the slot, never
//! takes the fast way.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::shared::lock_file::LockFile;
use crate::shared::state_file::{StateFile, pid_of};
use crate::shared::watchdog::{self, WaitSlot, holder_words};
use crate::sys::process::is_alive;

/// Between two non-blocking tries of a held lock while spinning. Shorter
/// pauses measured worse: each try is a syscall that contends with the
/// holder's unlock.
const RETRY_PAUSE: Duration = Duration::from_micros(20);

/// The longest pause between two tries of a writer that polls (with
/// `lock_timeout`).
const POLL_MAX: Duration = Duration::from_millis(1);

/// How long a holder may look dead before it is taken for dead.
const DEAD_AFTER: Duration = Duration::from_secs(1);

/// Marks a holder that entered without the `flock` (see "Alone" above).
pub(crate) const FAST: u64 = 1 << 63;

/// Marks the token of a holder whose state file descriptor is marked alive
/// at the token's offset (see `presence`): whether it is alive is asked of
/// that mark, not of its pid, which says nothing across pid namespaces or
/// once reused. A token without it (an earlier version's, or a mark that
/// could not be set) is asked of its pid.
pub(crate) const MARKED: u64 = 1 << 62;

/// What a holder writes in the slot: its pid in the low 32 bits, and above
/// them a number telling apart the descriptors of one process (its writers'
/// and its compressor's), which exclude each other too, under a random
/// number of the process's own: processes in different pid namespaces
/// (containers sharing a log) may have one pid, each the first process of
/// its container, and must never take each other's token for their own.
pub(crate) fn holder_token(pid: u32) -> u64 {
    static SERIAL: AtomicU64 = AtomicU64::new(1);
    let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
    token_of(pid, process_nonce(), serial)
}

/// Bits of a token telling apart the descriptors of one process.
const SERIAL_BITS: u32 = 11;
/// Bits of a token drawn at random for the process.
const NONCE_BITS: u32 = 30 - SERIAL_BITS;

/// A token from its parts, each cut to its width (30 bits above the pid,
/// below [`MARKED`] and [`FAST`]).
fn token_of(pid: u32, nonce: u64, serial: u64) -> u64 {
    let nonce = nonce & ((1 << NONCE_BITS) - 1);
    let serial = serial & ((1 << SERIAL_BITS) - 1);
    u64::from(pid) | (((nonce << SERIAL_BITS) | serial) << 32)
}

/// A random number drawn once per process (a child after `fork()` has its
/// own pid, which tells its tokens apart).
fn process_nonce() -> u64 {
    static NONCE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *NONCE.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        // std's hasher keys are drawn from the operating system's random
        // source for each process: no crate needed for a few random bits.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(u64::from(std::process::id()));
        hasher.finish()
    })
}

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

/// Takes the `flock` (waiting as `wait` says), then enters as `me` (a
/// [`holder_token`]): see the module documentation. `lock_path` is for
/// messages only.
pub(crate) fn enter(
    lock: &LockFile,
    state: &StateFile,
    me: u64,
    wait: &Wait,
    watch: &WaitSlot,
    lock_path: &Path,
) -> io::Result<Entry> {
    take(lock, wait, watch, lock_path)?;
    let mine = lock.id();
    let holder = state.holder();
    while let Err(other) = holder.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        if other & FAST != 0 {
            // A writer that was alone is inside without the flock: it takes
            // the flock from its next record on.
            state.contended().store(1, Ordering::SeqCst);
            wait_for_holder(lock, state, me, wait, lock_path)?;
            break;
        }
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
    me: u64,
    wait: &Wait,
    watch: &WaitSlot,
    lock_path: &Path,
) -> io::Result<Entry> {
    take(lock, wait, watch, lock_path)?;
    let mine = lock.id();
    state.set_lock_id(mine);
    let holder = state.holder();
    wait_for_holder(lock, state, me, wait, lock_path)?;
    if state.lock_id() != mine {
        let _ = holder.compare_exchange(me, 0, Ordering::SeqCst, Ordering::SeqCst);
        lock.unlock();
        return Ok(Entry::Replaced);
    }
    Ok(Entry::Inside)
}

/// Claims the holder slot for `me` once the process in it (of another lock
/// file, or one that entered alone) has left, or is found dead; the lock is
/// held meanwhile, and let go on a timeout.
fn wait_for_holder(
    lock: &LockFile,
    state: &StateFile,
    me: u64,
    wait: &Wait,
    lock_path: &Path,
) -> io::Result<()> {
    let holder = state.holder();
    let started = Instant::now();
    let (mut seen, mut since, mut warned) = (0, started, false);
    let mut pause = Duration::from_micros(1);
    while let Err(other) = holder.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        if other != seen {
            (seen, since) = (other, Instant::now());
        }
        let pid = pid_of(other);
        // A writer that entered alone keeps the state open while inside: if
        // no one else has it open, it died there (whoever has its pid now).
        let gone = other & FAST != 0 && state.alone();
        let stale = other & !FAST == me
            || gone
            || (since.elapsed() >= DEAD_AFTER && !holder_alive(state, other & !FAST, pid));
        if stale
            && holder
                .compare_exchange(other, me, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            return Ok(());
        }
        let waited = started.elapsed();
        if let Some(timeout) = wait.timeout
            && waited >= timeout
        {
            lock.unlock();
            return Err(timed_out(lock_path, Some(pid), timeout));
        }
        if waited >= wait.warning && !std::mem::replace(&mut warned, true) {
            watchdog::warn(lock_path, Some(pid), waited, wait.timeout);
        }
        // A record takes a microsecond: yield at first, then sleep longer.
        if pause < Duration::from_micros(20) {
            std::thread::yield_now();
        } else {
            std::thread::sleep(pause);
        }
        pause = (pause * 2).min(Duration::from_millis(1));
    }
    Ok(())
}

/// Whether the holder of `token` (without [`FAST`]) is alive: asked of its
/// mark if it has one, else of its pid.
fn holder_alive(state: &StateFile, token: u64, pid: u32) -> bool {
    match token & MARKED != 0 {
        true => state.holder_marked(token),
        false => is_alive(pid),
    }
}

/// Leaves: clears the holder slot and lets the lock go.
pub(crate) fn leave(lock: &LockFile, state: &StateFile, me: u64) {
    let _ = state
        .holder()
        .compare_exchange(me, 0, Ordering::SeqCst, Ordering::SeqCst);
    lock.unlock();
}

/// Takes the `flock`: at once if free, else spinning, then sleeping in a
/// blocking `flock` under the watchdog's eye, or with a timeout, polling.
fn take(lock: &LockFile, wait: &Wait, watch: &WaitSlot, lock_path: &Path) -> io::Result<()> {
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
    match wait.timeout {
        None => watch.watch(lock.id(), || lock.lock()),
        Some(timeout) => poll(lock, wait, watch, timeout, lock_path, started),
    }
}

/// Tries the lock with growing pauses until `timeout` has passed since
/// `started`; says who holds it after `lock_warning`.
fn poll(
    lock: &LockFile,
    wait: &Wait,
    watch: &WaitSlot,
    timeout: Duration,
    lock_path: &Path,
    started: Instant,
) -> io::Result<()> {
    let (mut pause, mut warned) = (Duration::from_micros(50), false);
    loop {
        if lock.try_lock()? {
            return Ok(());
        }
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(timed_out(lock_path, watch.holder(lock.id()), timeout));
        }
        if waited >= wait.warning && !std::mem::replace(&mut warned, true) {
            watchdog::warn(lock_path, watch.holder(lock.id()), waited, Some(timeout));
        }
        std::thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(POLL_MAX);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_of_one_pid_in_two_processes_differ_by_their_random_part() {
        // Each the first process of its container, with its first
        // descriptor: one pid, one serial.
        let (a, b) = (token_of(1, 0x2_3456, 1), token_of(1, 0x6_5432, 1));
        assert_ne!(a, b);
        assert_eq!((pid_of(a), pid_of(b)), (1, 1));
        // Never the mark of a holder that entered alone nor of one marked
        // alive, whatever the parts.
        assert_eq!(token_of(u32::MAX, u64::MAX, u64::MAX) & (FAST | MARKED), 0);
    }

    #[test]
    fn a_process_draws_its_random_part_once_and_tells_its_descriptors_apart() {
        assert_eq!(process_nonce(), process_nonce());
        let (a, b) = (holder_token(7), holder_token(7));
        assert_ne!(a, b);
        assert_eq!(a >> (32 + SERIAL_BITS), b >> (32 + SERIAL_BITS));
    }
}
