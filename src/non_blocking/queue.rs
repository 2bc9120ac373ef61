//! [`Queue`]: what the handles of a background writer, its thread and its
//! guard share: the records queued, sorted by where they go, and when each
//! of them waits.
//!
//! A log call takes the queue's mutex for as long as it takes to copy its
//! record into the [`Round`] being gathered: no channel slot to fill and
//! empty again, no allocation once the buffers have grown, and no wake-up
//! of the thread unless it sleeps. The thread swaps the whole round out at
//! once and writes it, while the callers fill the next. It lets a round
//! gather for up to [`MAX_DELAY`], unless half the queue or [`BATCH`]
//! bytes fill sooner, or someone waits (a flush, a caller finding no
//! room, the guard): fewer, larger writes cost every process sharing the
//! file less time under its lock, and wake-ups cost the callers less.
//!
//! Once the thread has stopped (and in a child after `fork()`, where it
//! does not exist), callers write for themselves; once it has died, they
//! fail at once rather than wait for a thread that is gone.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::non_blocking::at_exit::Drain;
use crate::non_blocking::batch::records_in;
use crate::non_blocking::destination::Destination;
use crate::non_blocking::round::Round;
use crate::sys::fork;
use crate::writer::append::AppendError;
use crate::writer::records::Records;

/// Bytes of queue each record of the capacity stands for, in the round
/// gathering and again in the round being written.
pub(crate) const SLOT: usize = 128;

/// The thread writes without waiting further once this much is queued:
/// large enough that waking it costs a caller little per record.
pub(crate) const BATCH: usize = 256 * 1024;

/// The longest the thread lets a round gather before writing it.
pub(crate) const MAX_DELAY: Duration = Duration::from_millis(10);

/// What the handles, the thread and the guard share.
pub(crate) struct Queue<D: Destination> {
    pub(crate) destination: D,
    state: Mutex<Exchange<D::Key>>,
    /// The thread waits here for records, or for someone waiting on it.
    to_thread: Condvar,
    /// Callers wait here: for room, for their flush, for the last round.
    to_callers: Condvar,
    /// How much one round may hold: the capacity, in records and in
    /// bytes. The round being written holds as much at most.
    limit: Limit,
    /// How much makes the thread write without waiting further: half the
    /// limit, so that callers find room while it writes, or [`BATCH`].
    enough: Limit,
    lossy: bool,
    dropped: AtomicU64,
    /// The thread exists only in the process that started it.
    fork_generation: u64,
}

#[derive(Debug, Clone, Copy)]
struct Limit {
    records: usize,
    bytes: usize,
}

/// What callers and the thread share under the queue's mutex: the round
/// being gathered and what the thread is doing.
struct Exchange<K> {
    /// The round being gathered.
    pending: Round<K>,
    /// Records accepted since the start, and how many of them the thread
    /// is done with (written, or counted as failed).
    sent: u64,
    done: u64,
    thread: Thread,
    /// Someone waits for what is queued: the thread does not let the
    /// round gather.
    hurry: bool,
    phase: Phase,
    /// The process is about to die of a signal (`flush_on_termination`):
    /// after the last round, callers wait rather than write.
    freeze: bool,
}

/// What the thread is doing, so that a caller wakes it only when needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Thread {
    /// Waiting for a record, with no deadline: the next one wakes it.
    Asleep,
    /// Letting a round gather, until [`MAX_DELAY`] or until woken.
    Gathering,
    /// Running, or told to: nobody needs to wake it.
    Awake,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    /// The guard asked the thread to write what is queued and stop.
    Stopping,
    /// The thread is writing the last round: callers wait for it, so that
    /// what they write themselves afterwards comes after it.
    LastRound,
    /// Callers write for themselves.
    Stopped,
    /// The last round is written and the process is about to die of a
    /// signal: callers wait for it, so that nothing starts a write (or a
    /// rotation) it would cut short.
    Frozen,
    /// The thread panicked: callers fail at once.
    Died,
}

/// A round the thread took: what to tell the callers once it is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Taken {
    /// Every record sent before it is in this round or an earlier one.
    upto: u64,
    /// The last round: the thread stops after it.
    pub(crate) last: bool,
}

// === impl Queue ===

impl<D: Destination> Queue<D> {
    /// A queue of `capacity` records (at least 1) and [`SLOT`] bytes each,
    /// feeding `destination`.
    pub(crate) fn new(destination: D, capacity: usize, lossy: bool) -> Queue<D> {
        let records = capacity.max(1);
        Queue {
            destination,
            state: Mutex::new(Exchange {
                pending: Round::default(),
                sent: 0,
                done: 0,
                thread: Thread::Awake,
                hurry: false,
                phase: Phase::Running,
                freeze: false,
            }),
            to_thread: Condvar::new(),
            to_callers: Condvar::new(),
            limit: Limit {
                records,
                bytes: records * SLOT,
            },
            enough: Limit {
                records: records.div_ceil(2),
                bytes: (records * SLOT / 2).min(BATCH),
            },
            lossy,
            dropped: AtomicU64::new(0),
            fork_generation: fork::install(),
        }
    }

    /// Whether this is a child after `fork()`, where the thread does not
    /// exist: everything is written directly.
    pub(crate) fn forked(&self) -> bool {
        self.fork_generation != fork::generation()
    }

    pub(crate) fn lossy(&self) -> bool {
        self.lossy
    }

    /// Records dropped because the queue was full (lossy mode only).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Records queued and not yet taken by the thread; `None` if the queue
    /// is busy (or was held by a thread that vanished in a `fork()`).
    pub(crate) fn queued(&self) -> Option<usize> {
        self.state.try_lock().map(|state| state.pending.records())
    }

    /// The most bytes a round keeps allocated between two writes.
    pub(crate) fn keep(&self) -> usize {
        self.limit.bytes
    }

    /// Queues `bytes` for `key` (records as `records` says: lines or one
    /// event); writes them directly once the thread has stopped. A full
    /// queue makes the caller wait for room, or, if lossy, drops the
    /// records and counts them.
    pub(crate) fn send(
        &self,
        key: D::Key,
        bytes: &[u8],
        records: Records<'_>,
    ) -> Result<(), AppendError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.forked() {
            // The mutex may have been held by a thread that does not exist
            // here (guarantee: fork-safe): not touched.
            return self.destination.write_directly(&key, bytes, records);
        }
        let mut state = self.state.lock();
        loop {
            match state.phase {
                Phase::Running | Phase::Stopping => {}
                Phase::LastRound | Phase::Frozen => {
                    self.to_callers.wait(&mut state);
                    continue;
                }
                Phase::Stopped => {
                    drop(state);
                    return self.destination.write_directly(&key, bytes, records);
                }
                Phase::Died => return Err(AppendError::new(0, self.died())),
            }
            let pending = &state.pending;
            if pending.is_empty()
                || (pending.records() < self.limit.records
                    && pending.bytes() + bytes.len() < self.limit.bytes)
            {
                let added = state.pending.push(key, bytes, records);
                state.sent += added as u64;
                let wake = match state.thread {
                    Thread::Asleep => true,
                    Thread::Gathering => self.enough(&state.pending),
                    Thread::Awake => false,
                };
                if wake {
                    state.thread = Thread::Awake;
                    drop(state);
                    self.to_thread.notify_one();
                }
                return Ok(());
            }
            // Full: the thread is to take what is queued now.
            self.hurry(&mut state);
            if self.lossy {
                drop(state);
                self.dropped
                    .fetch_add(records_in(bytes, records), Ordering::Relaxed);
                return Ok(());
            }
            self.to_callers.wait(&mut state);
        }
    }

    /// Returns once everything sent before is written (or counted as
    /// failed).
    ///
    /// # Errors
    ///
    /// If the thread died: what was queued is lost.
    pub(crate) fn flush(&self) -> io::Result<()> {
        if self.forked() {
            // A child after fork(): its records went straight to the files.
            return Ok(());
        }
        let mut state = self.state.lock();
        let target = state.sent;
        loop {
            match state.phase {
                Phase::Died => return Err(self.died()),
                Phase::Stopped | Phase::Frozen => return Ok(()),
                _ if state.done >= target => return Ok(()),
                _ => {}
            }
            self.hurry(&mut state);
            self.to_callers.wait(&mut state);
        }
    }

    /// Asks the thread to write what is queued and stop.
    pub(crate) fn stop(&self) {
        let mut state = self.state.lock();
        if state.phase == Phase::Running {
            state.phase = Phase::Stopping;
        }
        self.hurry(&mut state);
    }

    /// Whether `pending` is worth writing without waiting further.
    fn enough(&self, pending: &Round<D::Key>) -> bool {
        pending.records() >= self.enough.records || pending.bytes() >= self.enough.bytes
    }

    /// Someone waits for what is queued: the thread is to take it now.
    fn hurry(&self, state: &mut Exchange<D::Key>) {
        state.hurry = true;
        if state.thread != Thread::Awake {
            state.thread = Thread::Awake;
            self.to_thread.notify_one();
        }
    }

    /// The error callers get once the thread died.
    fn died(&self) -> io::Error {
        io::Error::other(format!(
            "the background writer of {} stopped (its thread panicked); records are no longer written",
            self.destination.describe()
        ))
    }
}

impl<D: Destination> Drain for Queue<D> {
    /// At exit: asks the thread to write what is queued at once, and waits
    /// until it has (or until `deadline`). With `freeze`, that is the
    /// thread's last round, after which callers wait instead of writing.
    /// The compressions its rotations queued are the exit's next stages'
    /// (see `exit_hook`).
    fn drain(&self, deadline: Instant, freeze: bool) -> Result<(), Option<u64>> {
        if self.forked() {
            // A child after fork(): its records went straight to the files.
            return Ok(());
        }
        // Taken with a bound: a thread that vanished in a fork may have held it.
        let Some(mut state) = self.state.try_lock_until(deadline) else {
            return Err(None);
        };
        if freeze {
            state.freeze = true;
            if state.phase == Phase::Running {
                state.phase = Phase::Stopping;
            }
        }
        // Stopped: the guard was dropped. Died: counted as lost.
        let target = state.sent;
        let finished = |state: &Exchange<D::Key>| match state.phase {
            Phase::Stopped | Phase::Died | Phase::Frozen => true,
            _ => !freeze && state.done >= target,
        };
        while !finished(&state) {
            self.hurry(&mut state);
            if self.to_callers.wait_until(&mut state, deadline).timed_out() && !finished(&state) {
                // Frozen, the callers' later records are lost with the
                // process too.
                let upto = if freeze { state.sent } else { target };
                return Err(Some(upto.saturating_sub(state.done)));
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        self.destination.describe()
    }
}

/// What the thread does with the queue.
impl<D: Destination> Queue<D> {
    /// Waits for records, lets them gather (see the module's docs), and
    /// swaps them into `round`, which must be empty.
    pub(crate) fn take(&self, round: &mut Round<D::Key>) -> Taken {
        let mut state = self.state.lock();
        while state.pending.is_empty() && state.phase == Phase::Running {
            state.hurry = false;
            state.thread = Thread::Asleep;
            self.to_thread.wait(&mut state);
        }
        if state.phase == Phase::Running && !state.hurry && !self.enough(&state.pending) {
            state.thread = Thread::Gathering;
            let deadline = Instant::now() + MAX_DELAY;
            while state.thread == Thread::Gathering
                && !self.to_thread.wait_until(&mut state, deadline).timed_out()
            {}
        }
        state.thread = Thread::Awake;
        state.hurry = false;
        std::mem::swap(&mut state.pending, round);
        let last = state.phase == Phase::Stopping;
        if last {
            state.phase = Phase::LastRound;
        }
        let taken = Taken {
            upto: state.sent,
            last,
        };
        drop(state);
        // Room for the callers waiting for it.
        self.to_callers.notify_all();
        taken
    }

    /// The thread is done with a round: flushes waiting on it return; after
    /// the last one, callers write for themselves.
    pub(crate) fn done(&self, taken: Taken) {
        let mut state = self.state.lock();
        state.done = taken.upto;
        if taken.last {
            state.phase = match state.freeze {
                true => Phase::Frozen,
                false => Phase::Stopped,
            };
        }
        drop(state);
        self.to_callers.notify_all();
    }

    /// The thread panicked while writing a round of `lost` records: those
    /// and what is queued are counted as lost, and callers fail from now
    /// on.
    pub(crate) fn died_with(&self, lost: usize) {
        let mut state = self.state.lock();
        let lost = lost + state.pending.clear(self.keep());
        // Counted before any caller can see the death, so that what callers
        // count afterwards adds to it.
        if lost > 0 {
            let panicked = io::Error::other("the background writer thread panicked");
            self.destination.lost(&panicked, lost as u64);
        }
        state.phase = Phase::Died;
        drop(state);
        self.to_callers.notify_all();
    }
}
