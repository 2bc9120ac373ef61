//! Finishing compressions at the process's exit, even when no handle is
//! ever dropped (a subscriber installed globally is not): the way Python's
//! `logging.shutdown` runs at exit.
//!
//! The first compressor a process starts registers this with the exit
//! handler (see `exit_hook`), which runs it whether `main` returned or
//! `std::process::exit` was called, once the background writers' queues
//! are written and no rotation is under way any more; it waits, for each
//! log, up to that log's `compression_wait` for the compressions this
//! process queued. The
//! compressor threads still run then (`exit()` ends them only afterwards),
//! and they take nothing the exiting thread might hold: their own lock
//! descriptor, their own queue. What is not finished within the bound is
//! left as a plain backup, and a temporary file that the next process to
//! open the log finishes (see `compressor`). Exit never waits longer than
//! the longest `compression_wait`.
//!
//! A child after `fork()` inherits the handler but not the threads: it
//! waits only for the compressors it started itself. The list is taken
//! with a bounded `try_lock`, since a thread of the parent may have held
//! it at the fork, for ever in the child.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crate::gzip::progress::Progress;
use crate::sys::exit_gate::Gate;
use crate::sys::exit_hook::{self, Leaving, Stage};
use crate::sys::{fork, stderr};

/// The compressors of this process, as they started.
static COMPRESSORS: Mutex<Vec<Weak<Progress>>> = Mutex::new(Vec::new());

/// Makes the process's exit wait for what `progress` counts (registering
/// the exit handler the first time).
pub(crate) fn finish_compressions(progress: &Arc<Progress>) {
    exit_hook::push(&COMPRESSORS, Arc::downgrade(progress), |weak| {
        weak.strong_count() > 0
    });
    exit_hook::at(Stage::Compressions, at_exit);
    exit_hook::at(Stage::Links, finish_links);
}

/// Compressions being named under the lock: linking the `.gz`, removing
/// the plain backup. Begun only while the process is not exiting past its
/// wait for them, so that the exit never leaves a number both plain and
/// gzipped.
pub(crate) static LINKS: Gate = Gate::new();

/// The longest a compression's naming takes (a few syscalls under the
/// lock), and more: the exit's wait for the last ones.
const LINK_WAIT: Duration = Duration::from_secs(1);

fn finish_links(_: &Leaving) {
    // What is not linked by now stays plain: the next writer gzips it.
    LINKS.close(Instant::now() + LINK_WAIT);
}

/// Waits for the compressions this process queued, each log's within its
/// `compression_wait` from when the process began to leave; says on stderr
/// what is left.
fn at_exit(leaving: &Leaving) {
    let started = leaving.started;
    let Some(list) = exit_hook::take(&COMPRESSORS) else {
        return;
    };
    let this_process = fork::generation();
    let ours: Vec<Arc<Progress>> = list
        .iter()
        .filter_map(Weak::upgrade)
        .filter(|progress| progress.fork_generation == this_process)
        .collect();
    drop(list);
    // Deadlines from one start: exit waits for the longest bound, not
    // for their sum.
    for progress in ours {
        let left = progress.wait(started + progress.exit_wait);
        if left > 0 {
            stderr::print(format_args!(
                "exiting with {left} compression(s) of `{}`'s backups unfinished after {:?}; the next process to open the log finishes them",
                progress.log.display(),
                progress.exit_wait
            ));
        }
    }
}
