//! The background thread: it takes everything queued at once and writes
//! it, each file's records with one lock and one `write(2)`, instead of a
//! locked write per record.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::non_blocking::destination::Destination;
use crate::non_blocking::queue::Queue;
use crate::non_blocking::round::Round;

/// Starts the thread of `queue`.
///
/// # Panics
///
/// If the operating system cannot start a thread.
pub(crate) fn start<D: Destination>(queue: Arc<Queue<D>>) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(D::THREAD_NAME.into())
        .spawn(move || run(&queue))
        .expect("cannot start the background writer thread")
}

/// The thread's loop: take a round, write it, repeat; after the last round
/// (the guard asked to stop), return. If it panics (a user's `Clock` or
/// router closure, a bug), what it held and what is queued are counted as
/// lost and the handles are told.
fn run<D: Destination>(queue: &Queue<D>) {
    let mut round = Round::default();
    let survived = catch_unwind(AssertUnwindSafe(|| serve(queue, &mut round)));
    if survived.is_err() {
        let lost = round.clear(queue.keep());
        queue.died_with(lost);
    }
}

fn serve<D: Destination>(queue: &Queue<D>, round: &mut Round<D::Key>) {
    loop {
        let taken = queue.take(round);
        round.write(&queue.destination, queue.keep());
        queue.done(taken);
        if taken.last {
            return;
        }
    }
}
