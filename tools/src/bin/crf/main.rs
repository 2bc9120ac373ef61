//! `crf`: standard input to a rotating log file, line by line, safely
//! shared with other `crf` processes (and any writer using the library, or
//! Python's handler) on the same file.
//!
//! ```text
//! some-program 2>&1 | crf logs/app.log --max-bytes 1M --backups 10 --gzip
//! ```
//!
//! Exit status: 0 when standard input ended or a SIGTERM/SIGINT asked to
//! stop, with everything read written; 1 if writing failed; 2 for bad
//! arguments or a log that cannot be opened; 3 if reading standard input
//! failed.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use concurrent_rotating_file::{Compression, RotatingFile};

/// Append standard input to a rotating log file, line by line.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The log file (its backups are FILE.1, FILE.2, ...).
    file: PathBuf,
    /// Rotate before the file would pass this size: bytes, or with a K, M or
    /// G suffix (powers of 1024). 0: never rotate.
    #[arg(long, default_value = "1M", value_parser = parse_size)]
    max_bytes: u64,
    /// Backups to keep.
    #[arg(long, default_value_t = 10)]
    backups: usize,
    /// Gzip the backups.
    #[arg(long)]
    gzip: bool,
    /// Also copy standard input to standard output.
    #[arg(long)]
    tee: bool,
}

/// Parses `1048576`, `1024K`, `1M`, `1G` (powers of 1024).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 512K, 1M or 1048576"))?;
    let unit = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("`{text}`: the unit must be K, M or G")),
    };
    number
        .checked_mul(unit)
        .ok_or_else(|| format!("`{text}` is too large"))
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Stops on SIGTERM and SIGINT after writing what was read: the handlers
/// set a flag and, installed without `SA_RESTART`, make a blocked `read`
/// return.
fn install_signal_handlers() -> io::Result<()> {
    for signal in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction is valid; the handler only stores to an
        // atomic, which is async-signal-safe. std has no signal handling.
        let rc = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let compression = if args.gzip {
        Compression::Gzip
    } else {
        Compression::None
    };
    let log = match RotatingFile::builder(&args.file)
        .max_bytes(args.max_bytes)
        .backups(args.backups)
        .compression(compression)
        .open()
    {
        Ok(log) => log,
        Err(e) => {
            eprintln!("crf: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = install_signal_handlers() {
        eprintln!("crf: cannot install signal handlers: {e}");
        return ExitCode::from(2);
    }
    match pipe(log, args.tee) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Read(e)) => {
            eprintln!("crf: cannot read standard input: {e}");
            ExitCode::from(3)
        }
        Err(Failure::Write(e)) => {
            eprintln!("crf: cannot write to `{}`: {e}", args.file.display());
            ExitCode::from(1)
        }
    }
}

enum Failure {
    Read(io::Error),
    Write(io::Error),
}

/// Copies standard input to the log until EOF or a stop signal. Each read
/// hands its complete lines to the log at once (one locked write, split
/// between lines only at a rotation); a partial line waits for the rest,
/// and is written as it is at the end.
fn pipe(mut log: RotatingFile, tee: bool) -> Result<(), Failure> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut tee = tee;
    let mut buf = vec![0; 64 * 1024];
    while !STOP.load(Ordering::SeqCst) {
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

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("1M"), Ok(1 << 20));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("0"), Ok(0));
        assert!(parse_size("1T").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("-1").is_err());
    }
}
