//! The copy: standard input to the log (and, with `--tee`, to standard
//! output) until end of input or a stop signal.

use std::io::{self, Read, Write};

use concurrent_rotating_file::RotatingFile;
use crf_tools::signals;

/// What stopped the copy.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Reading standard input failed.
    Read(io::Error),
    /// Writing the log failed.
    Write(io::Error),
}

/// Copies standard input to the log until EOF or a stop signal. Each read
/// hands its complete lines to the log at once (one locked write, split
/// between lines only at a rotation); a partial line waits for the rest,
/// and is written as it is at the end.
pub(crate) fn copy(mut log: RotatingFile, tee: bool) -> Result<(), Failure> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut tee = tee;
    let mut buf = vec![0; 64 * 1024];
    while !signals::stop_asked() {
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Failure::Read(e)),
        };
        log.write_all(&buf[..n]).map_err(Failure::Write)?;
        // A closed standard output ends the copy, not the logging.
        if tee
            && stdout
                .write_all(&buf[..n])
                .and_then(|()| stdout.flush())
                .is_err()
        {
            tee = false;
        }
    }
    log.flush().map_err(Failure::Write)
}
