//! [`Gate`]: work on the chain that the process's exit must never cut in
//! two (a rotation and the shift it leaves for after the lock; a
//! compression being named under the lock), begun only while the gate is
//! open, and waited for when the exit closes it (see `exit_hook`).
//!
//! `exit()` ends every thread where it stands once its handlers return: a
//! thread between two renames of a shift would leave the newest backup
//! waiting beside the log and a gap in the chain, a compressor between
//! linking its `.gz` and removing the plain backup would leave both. So the
//! exit closes the gate, which no such work passes afterwards, and waits
//! (within a bound) for the work under way to end; the threads are then
//! ended with nothing of theirs half done.
//!
//! A gate is lock-free (one atomic word), so that no thread vanished in a
//! `fork()` can leave it held: a child after `fork()` starts with it open
//! and with no work under way (the parent's threads are not in it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::sys::fork;

/// The word's lowest bits count the work under way; then one bit says
/// closed; the rest is the fork generation the count is of.
const COUNT_BITS: u32 = 32;
const CLOSED: u64 = 1 << COUNT_BITS;
const GENERATION_SHIFT: u32 = COUNT_BITS + 1;

/// Work of one kind that the exit must never cut in two.
#[derive(Debug)]
pub(crate) struct Gate {
    word: AtomicU64,
}

/// Work begun through a gate: the exit waits for it to be dropped.
#[derive(Debug)]
#[must_use = "the work is waited for until this is dropped"]
pub(crate) struct Passage {
    gate: &'static Gate,
    generation: u64,
}

impl Gate {
    pub(crate) const fn new() -> Gate {
        Gate {
            word: AtomicU64::new(0),
        }
    }

    /// Begins work, unless the exit has closed the gate: `None` then, and
    /// the work must not be begun.
    pub(crate) fn begin(&'static self) -> Option<Passage> {
        let generation = current_generation();
        let passed = self
            .word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
                match word >> GENERATION_SHIFT == generation {
                    true if word & CLOSED != 0 => None,
                    true => Some(word + 1),
                    // A child after fork(): the parent's work is not here.
                    false => Some((generation << GENERATION_SHIFT) + 1),
                }
            });
        passed.ok().map(|_| Passage {
            gate: self,
            generation,
        })
    }

    /// Closes the gate (no work begins from now on) and waits until the
    /// work under way has ended, or `deadline`; returns how much is still
    /// under way.
    pub(crate) fn close(&self, deadline: Instant) -> u64 {
        let generation = current_generation();
        let _ = self
            .word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
                Some(match word >> GENERATION_SHIFT == generation {
                    true => word | CLOSED,
                    false => (generation << GENERATION_SHIFT) | CLOSED,
                })
            });
        loop {
            let under_way = self.word.load(Ordering::SeqCst) & (CLOSED - 1);
            if under_way == 0 || Instant::now() >= deadline {
                return under_way;
            }
            // The work under way takes milliseconds (a few batches of
            // renames): polled, at exit only.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for Passage {
    fn drop(&mut self) {
        let generation = self.generation;
        let _ = self
            .gate
            .word
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |word| {
                // Begun before a fork(): counted in the parent only.
                (word >> GENERATION_SHIFT == generation && word & (CLOSED - 1) > 0)
                    .then(|| word - 1)
            });
    }
}

/// The fork generation, in the bits the word holds it in.
fn current_generation() -> u64 {
    fork::generation() & ((1 << (64 - GENERATION_SHIFT)) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_gate_lets_no_work_begin_and_waits_for_the_work_under_way() {
        static GATE: Gate = Gate::new();
        let first = GATE.begin().expect("open");
        let second = GATE.begin().expect("open");
        drop(second);
        let finisher = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(first);
        });
        let started = Instant::now();
        assert_eq!(GATE.close(started + Duration::from_secs(60)), 0);
        assert!(started.elapsed() >= Duration::from_millis(40));
        assert!(GATE.begin().is_none());
        finisher.join().unwrap();
        // Bounded: work that never ends is left to the exit.
        static STUCK: Gate = Gate::new();
        let stuck = STUCK.begin().unwrap();
        assert_eq!(STUCK.close(Instant::now() + Duration::from_millis(10)), 1);
        drop(stuck);
    }
}
