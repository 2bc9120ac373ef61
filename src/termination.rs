//! [`flush_on_termination`]: a service stopped by SIGTERM or SIGINT (`docker
//! stop`, `systemctl stop`, Ctrl-C) loses none of what its background
//! writers hold, and leaves every backup gzipped.
//!
//! The signal's machinery is in `sys/termination_signal.rs`; what is done
//! before dying is what the exit does, stage by stage (`sys/exit_hook.rs`:
//! the background writers' queues, the rotations under way, the
//! compressions), with the background writers frozen afterwards, so that
//! no write or rotation starts that the death would cut short.

use std::io;
use std::time::Instant;

use crate::sys::exit_hook::{self, Leaving};
use crate::sys::termination_signal;

/// Makes SIGTERM and SIGINT write what background writers hold and finish
/// the compressions in flight before the process dies of the signal: call
/// it once, at start-up, in a service that does not handle these signals
/// itself.
///
/// A process killed by SIGTERM (`docker stop`, `systemctl stop`, `kill`)
/// or SIGINT (Ctrl-C) runs no exit handler and drops no guard: what its
/// [`NonBlocking`](crate::NonBlocking) and
/// [`NonBlockingRouter`](crate::NonBlockingRouter) writers had queued is
/// lost, and a compression in flight leaves its backup plain. After this
/// call, such a signal instead makes a thread of the library's:
///
/// 1. have every background writer of the process write everything queued,
///    as its last round, within its `shutdown_timeout` (10 s without one);
///    from then on, log calls through them wait for the end;
/// 2. wait for the compressions the process queued, within each log's
///    [`compression_wait`](crate::Builder::compression_wait);
/// 3. raise the same signal again with its default action, so that the
///    process dies of it and its exit status says so (a supervisor sees
///    "killed by SIGTERM", as without this call).
///
/// What a bound cuts short is said on stderr, with how many records. A
/// second signal while this runs ends the process at once.
///
/// **Where it steps aside.** It acts only on a signal whose disposition
/// is the default when it is called: a signal the process was started
/// ignoring (`nohup`) stays ignored, and one the program already handles
/// stays the program's. A handler installed after it (tokio's
/// `signal::ctrl_c`, signal-hook's) takes the signal over: it is then the
/// service's own shutdown that ends the process, and it should drop its
/// guards (or return from `main`) once done, which writes everything as
/// well. A child after `fork()` dies of the signal as by default unless it
/// calls this again.
///
/// Records a handle of the synchronous [`RotatingFile`](crate::RotatingFile)
/// wrote are in the file already; a partial line it buffers (no newline
/// yet) is not written, nor is what other threads log after the signal.
///
/// ```no_run
/// use concurrent_rotating_file::RotatingFile;
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     concurrent_rotating_file::flush_on_termination()?;
///     let log = RotatingFile::builder("logs/app.log").open()?;
///     let (writer, _guard) = log.non_blocking();
///     tracing_subscriber::fmt().with_writer(writer).init();
///     loop {
///         tracing::info!("serving"); // `docker stop` loses none of these
///         std::thread::sleep(std::time::Duration::from_millis(100));
///     }
/// }
/// ```
///
/// Calling it again does nothing (in a child after `fork()`, it starts the
/// child's own thread).
///
/// # Errors
///
/// If the thread cannot be started, or the signal's disposition cannot be
/// read or set (`sigaction(2)`), which does not happen on a working
/// system.
pub fn flush_on_termination() -> io::Result<()> {
    termination_signal::on_termination(write_everything)
}

/// What a termination signal does before the process dies of it: what
/// the exit would (see `exit_hook`), the background writers writing their
/// last round.
fn write_everything() {
    exit_hook::finish(&Leaving {
        started: Instant::now(),
        signal: true,
    });
}
