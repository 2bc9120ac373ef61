//! Finishing compressions at the process's exit, even when no handle is
//! ever dropped (a subscriber installed globally is not): the way Python's
//! `logging.shutdown` runs at exit.
//!
//! The first compressor a process starts registers an `atexit` handler
//! (once). `exit()` runs it whether `main` returned or
//! `std::process::exit` was called; it waits, for each log, up to that
//! log's `compression_wait` for the compressions this process queued. The
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

use std::sync::{Arc, Mutex, Once, Weak};
use std::time::Instant;

use crate::gzip::progress::Progress;
use crate::sys::{exit_hook, fork, stderr};

/// The compressors of this process, as they started.
static COMPRESSORS: Mutex<Vec<Weak<Progress>>> = Mutex::new(Vec::new());
static REGISTER: Once = Once::new();

/// Makes the process's exit wait for what `progress` counts (registering
/// the exit handler the first time).
pub(crate) fn finish_compressions(progress: &Arc<Progress>) {
    exit_hook::push(&COMPRESSORS, Arc::downgrade(progress), |weak| {
        weak.strong_count() > 0
    });
    exit_hook::register(
        &REGISTER,
        at_exit,
        "compressions are not finished at exit; drop the handles or call shutdown() before exiting",
    );
}

extern "C" fn at_exit() {
    finish_all(Instant::now());
}

/// Waits for the compressions this process queued, each log's within its
/// `compression_wait` from `started`; says on stderr what is left.
pub(crate) fn finish_all(started: Instant) {
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
