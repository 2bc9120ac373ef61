//! The copy: standard input to the log (and, with `--tee`, to standard
//! output) until end of input; after a stop signal, until end of input or
//! the drain timeout.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use concurrent_rotating_file::RotatingFile;
use crf_tools::signals;

use crate::stdin_ready::readable_within;

/// How long a wait for input lasts before the stop flag is looked at
/// again: a signal that came just before the wait began does not wake it.
const LOOK_AGAIN: Duration = Duration::from_millis(200);

/// What stopped the copy.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Reading standard input failed.
    Read(io::Error),
    /// Writing the log failed.
    Write(io::Error),
}

/// Copies standard input to the log until EOF. Each read hands its
/// complete lines to the log at once (one locked write, split between
/// lines only at a rotation); a partial line waits for the rest, and is
/// written as it is at the end. After SIGTERM or SIGINT it goes on until
/// EOF for at most `drain_timeout`: the program writing into the pipe got
/// the signal too (systemd and docker signal the whole group), and its
/// last lines are the ones that say why it stopped. A second signal stops
/// it at once, what was read written.
pub(crate) fn copy(
    mut log: RotatingFile,
    tee: bool,
    drain_timeout: Duration,
) -> Result<(), Failure> {
    // Read with a 64 KiB buffer, larger than the lock's own: every read
    // goes straight to the descriptor, so that polling it says whether a
    // read would wait.
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut tee = tee;
    let mut buf = vec![0; 64 * 1024];
    let mut deadline = None;
    loop {
        if deadline.is_none() && signals::stop_asked() {
            deadline = Some(Instant::now() + drain_timeout);
        }
        let wait = match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => LOOK_AGAIN,
        };
        if signals::stop_asked_again() {
            // A second signal: the one who sent it will not wait.
            break;
        }
        if !readable_within(&stdin, wait).map_err(Failure::Read)? {
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                crf_tools::say!(
                    "crf: standard input still open {} after the stop signal (--drain-timeout): stopping, everything read is written",
                    crf_tools::units::format_duration(drain_timeout)
                );
                break;
            }
            continue;
        }
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Read(e)),
        };
        log.write_all(&buf[..n]).map_err(Failure::Write)?;
        if tee && let Err(e) = stdout.write_all(&buf[..n]).and_then(|()| stdout.flush()) {
            // A closed standard output ends the copy, not the logging.
            tee = false;
            crf_tools::say!(
                "crf: cannot copy to standard output ({e}): no longer copying; still writing {}",
                log.path().display()
            );
        }
    }
    log.flush().map_err(Failure::Write)
}
