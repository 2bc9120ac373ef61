//! The command line of `crf`: the library's options as flags, checked
//! before the log is opened, each refusal naming the flag as typed.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use concurrent_rotating_file::{Builder, Compression, Period, RotatingFile, Weekday};
use crf_tools::units::{parse_duration, parse_size};
use memchr::memmem::Finder;

const ABOUT: &str = "Append standard input to a rotating log file, line by line, \
safely shared with every other process writing the same file.";

const LONG_ABOUT: &str = "Append standard input to a rotating log file, line by line, \
safely shared with every other process writing the same file.

Like Apache's rotatelogs, but any number of crf pipes, programs using the \
concurrent-rotating-file library and Python's ConcurrentRotatingFileHandler \
(with --share-with-python) can write one file at once: every line goes in \
whole, under the shared lock, and the file is rotated once when full. A \
last line without a newline is written, ended with one, at end of input. \
After SIGTERM or SIGINT (systemd and docker signal the whole pipeline), crf \
goes on reading until the input ends, so that the program before it can \
write its last lines and exit, for at most --drain-timeout; a signal crf \
was started ignoring stays ignored.

Examples:
  some-program 2>&1 | crf logs/app.log
  some-program 2>&1 | crf logs/app.log --max-bytes 10M --backups 5 --gzip
  some-program | crf logs/app.log --rotate-every day --max-age 30d --tee
  some-program | crf logs/app.log --mode 640 --group adm
  some-program | crf logs/app.log --restart-proof    (ship logs/app.*.log)
  some-program | crf logs/app.log --exclude 'HTTP Request:' --exclude DEBUG
  crf logs/app.log --rotate-now --gzip    # from a deploy script";

const AFTER_LONG_HELP: &str = "Sizes: bytes, or K, M, G (powers of 1024): 64K, 1M, 1.5M, 1G.
Durations: 30s, 5m, 2h, 7d, 2w.
Exit status: 0 input ended (or the --drain-timeout after SIGTERM/SIGINT \
passed) and everything read was written; 1 writing failed; 2 bad arguments, or the log cannot be opened; \
3 reading standard input failed.";

/// The command line of `crf`.
#[derive(Debug, Parser)]
#[command(
    name = "crf",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
pub(crate) struct Args {
    /// The log file. Its backups are FILE.1 (newest) to FILE.N, or with
    /// --rotate-every FILE.PERIOD, such as app.log.2026-11-24; with
    /// --restart-proof, numbered files such as app.000123.log.
    pub(crate) file: PathBuf,
    /// Rotate before the file would pass this size; 0: never by size
    /// [default: 1M; none with --rotate-every alone].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_bytes: Option<u64>,
    /// Backups kept; the oldest beyond are deleted.
    #[arg(long, default_value_t = 10, value_name = "N")]
    backups: usize,
    /// Rotate at every minute, hour, day (at midnight) or week (at the
    /// start of Monday; week-tue ... week-sun for another day): by time
    /// only, or with --max-bytes also given, whichever comes first.
    #[arg(long, value_name = "PERIOD", value_parser = parse_period)]
    rotate_every: Option<Period>,
    /// Put --rotate-every's boundaries on UTC rather than local time.
    #[arg(long, requires = "rotate_every")]
    utc: bool,
    /// Also delete backups whose last line is older than this: 30d, 12h.
    #[arg(long, value_name = "AGE", value_parser = parse_duration)]
    max_age: Option<Duration>,
    /// Also delete the oldest backups until all of them fit in this size.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_total_bytes: Option<u64>,
    /// Gzip the backups (in the background, never while holding the lock).
    #[arg(long)]
    gzip: bool,
    /// Keep each file plain until it has been a backup this long (from its
    /// last line, and with --restart-proof from the switch to the next
    /// file), then gzip it (with --gzip): how long a log shipper may stay
    /// down and still find the newest backups in its glob [default: 5m
    /// with --restart-proof, else 0s].
    #[arg(long, value_name = "AGE", requires = "gzip", value_parser = parse_duration)]
    compress_after: Option<Duration>,
    /// The gzip level: 0 (store) to 9 (smallest) [default: 1].
    #[arg(long, value_name = "0-9", requires = "gzip", value_parser = clap::value_parser!(u32).range(0..=9))]
    compression_level: Option<u32>,
    /// Permission bits of the files created, in octal, set whatever the
    /// umask: 640 [default: 644 less the umask].
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    mode: Option<u32>,
    /// Permission bits of the directories created (the log's, the lock
    /// directory, the hidden .concurrent-rotating-file/), in octal, set
    /// whatever the umask: 2770 [default: --mode with x wherever it gives
    /// r, else 755 less the umask].
    #[arg(long, value_name = "OCTAL", value_parser = parse_dir_mode)]
    dir_mode: Option<u32>,
    /// The group of every file and directory created, by name or number:
    /// for a reader of that group (a log shipper). Only root and the
    /// group's members can give it.
    #[arg(long, value_name = "GROUP")]
    group: Option<String>,
    /// Rotate the log now and exit, without reading standard input: every
    /// process writing it follows (give the same --max-bytes, --backups,
    /// --rotate-every and --gzip as the writers). Several at once make one
    /// rotation. With --gzip, waits for the backup's compression.
    #[arg(long, conflicts_with_all = ["tee", "reopen"])]
    pub(crate) rotate_now: bool,
    /// Make every process writing the log open its path afresh, and exit,
    /// without reading standard input: after an outside tool moved it.
    #[arg(long, conflicts_with = "tee")]
    pub(crate) reopen: bool,
    /// Keep the lock and state files in this directory rather than beside
    /// the log, like Python's lock_file_directory; every writer of the log
    /// must use the same.
    #[arg(long, value_name = "DIR")]
    lock_dir: Option<PathBuf>,
    /// Lock the file Python's ConcurrentRotatingFileHandler locks
    /// (.__NAME.lock beside the log), so that Python processes can share
    /// the log; needed when the log is new to them.
    #[arg(long)]
    share_with_python: bool,
    /// Never rename a file, so that a log shipper restarted at any moment
    /// loses nothing: each rotation starts the next numbered file
    /// (app.000001.log, app.000002.log, ...; gzipped app.000001.log.gz),
    /// and FILE stays a second name of the live one, for tail -F. Point
    /// shippers at app.*.log. Every writer of the log must say so.
    #[arg(long, conflicts_with = "share_with_python")]
    restart_proof: bool,
    /// Give up a write that has waited this long for the lock (another
    /// process holds it: stopped, hung): status 1, the message naming the
    /// holder; at the start, status 2 [default: wait as long as it takes].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_timeout: Option<Duration>,
    /// Say on stderr, once, which process holds the lock after waiting
    /// this long for it [default: 10s].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    lock_warning: Option<Duration>,
    /// Also copy standard input to standard output, as it comes (the
    /// lines --exclude drops included). If standard output is closed, say
    /// so once and go on logging.
    #[arg(long)]
    pub(crate) tee: bool,
    /// Drop the lines containing TEXT from the log; repeat it for several
    /// (a line containing any of them is dropped).
    #[arg(long, value_name = "TEXT")]
    exclude: Vec<String>,
    /// After SIGTERM or SIGINT, go on reading standard input until it ends
    /// for at most this long, then exit (status 0 if all was written); a
    /// second signal stops at once.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    pub(crate) drain_timeout: Duration,
}

impl Args {
    /// Checks the options together; the message says what to change.
    pub(crate) fn check(&self) -> Result<(), String> {
        let by_size = self
            .max_bytes
            .map_or(self.rotate_every.is_none(), |max| max > 0);
        if self.backups == 0 && (by_size || self.rotate_every.is_some()) {
            return Err(
                "--backups must be at least 1 while the file rotates (--max-bytes is not 0, or --rotate-every is given): each full file becomes a backup"
                    .into(),
            );
        }
        if self.max_age == Some(Duration::ZERO) {
            return Err(
                "--max-age must be longer than 0s: 0 would delete every backup as it is made"
                    .into(),
            );
        }
        if self.lock_timeout == Some(Duration::ZERO) {
            return Err(
                "--lock-timeout must be longer than 0s: 0 would fail every write another process overlaps"
                    .into(),
            );
        }
        if self.exclude.iter().any(String::is_empty) {
            return Err(
                "--exclude needs some text: an empty one is in every line and would drop them all"
                    .into(),
            );
        }
        if self.max_total_bytes == Some(0) {
            return Err(
                "--max-total-bytes must be more than 0: 0 would delete every backup as it is made"
                    .into(),
            );
        }
        Ok(())
    }

    /// The library's options, as the flags say.
    pub(crate) fn builder(&self) -> Builder {
        let mut builder = RotatingFile::builder(&self.file)
            .backups(self.backups)
            .utc(self.utc);
        if let Some(max_bytes) = self.max_bytes {
            builder = builder.max_bytes(max_bytes);
        }
        if let Some(period) = self.rotate_every {
            builder = builder.rotate_every(period);
        }
        if let Some(age) = self.max_age {
            builder = builder.max_age(age);
        }
        if let Some(bytes) = self.max_total_bytes {
            builder = builder.max_total_bytes(bytes);
        }
        if self.gzip {
            builder = builder.compression(Compression::Gzip);
        }
        if let Some(level) = self.compression_level {
            builder = builder.compression_level(level);
        }
        if let Some(age) = self.compress_after {
            builder = builder.compress_after(age);
        }
        if let Some(mode) = self.mode {
            builder = builder.mode(mode);
        }
        if let Some(mode) = self.dir_mode {
            builder = builder.dir_mode(mode);
        }
        match self.group.as_deref().map(|g| (g, g.parse::<u32>())) {
            Some((_, Ok(gid))) => builder = builder.group_id(gid),
            Some((name, Err(_))) => builder = builder.group(name),
            None => {}
        }
        if let Some(dir) = &self.lock_dir {
            builder = builder.lock_dir(dir);
        }
        if let Some(timeout) = self.lock_timeout {
            builder = builder.lock_timeout(timeout);
        }
        if let Some(after) = self.lock_warning {
            builder = builder.lock_warning(after);
        }
        if !self.exclude.is_empty() {
            let excluded: Vec<Finder<'static>> = self
                .exclude
                .iter()
                .map(|text| Finder::new(text.as_bytes()).into_owned())
                .collect();
            builder = builder
                .filter(move |line: &[u8]| !excluded.iter().any(|text| text.find(line).is_some()));
        }
        builder
            .share_with_python(self.share_with_python)
            .restart_proof(self.restart_proof)
    }
}

/// Parses `minute`, `hour`, `day`, `week` (Monday) or `week-mon` ...
/// `week-sun`.
fn parse_period(text: &str) -> Result<Period, String> {
    let period = match text.to_ascii_lowercase().as_str() {
        "minute" => Period::Minute,
        "hour" => Period::Hour,
        "day" => Period::Day,
        "week" | "week-mon" => Period::Week(Weekday::Mon),
        "week-tue" => Period::Week(Weekday::Tue),
        "week-wed" => Period::Week(Weekday::Wed),
        "week-thu" => Period::Week(Weekday::Thu),
        "week-fri" => Period::Week(Weekday::Fri),
        "week-sat" => Period::Week(Weekday::Sat),
        "week-sun" => Period::Week(Weekday::Sun),
        _ => {
            return Err(format!(
                "`{text}` is not a period: minute, hour, day, week (from Monday), or week-mon ... week-sun"
            ));
        }
    };
    Ok(period)
}

/// Parses permission bits in octal: `640`, `0640` or `0o640`.
fn parse_mode(text: &str) -> Result<u32, String> {
    parse_octal(text, 0o777, "640 or 0644")
}

/// Parses a directory's mode bits in octal, set-group-id and sticky bits
/// allowed: `750`, `2770`.
fn parse_dir_mode(text: &str) -> Result<u32, String> {
    parse_octal(text, 0o7777, "750 or 2770")
}

fn parse_octal(text: &str, max: u32, examples: &str) -> Result<u32, String> {
    let digits = text.strip_prefix("0o").unwrap_or(text);
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= max => Ok(mode),
        Ok(_) => Err(format!(
            "`{text}` has bits beyond {max:o}: give the permission bits only, in octal, as in {examples}"
        )),
        Err(_) => Err(format!(
            "`{text}` is not permission bits in octal, as in {examples}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_named_like_pythons_when() {
        assert_eq!(parse_period("minute"), Ok(Period::Minute));
        assert_eq!(parse_period("Hour"), Ok(Period::Hour));
        assert_eq!(parse_period("day"), Ok(Period::Day));
        assert_eq!(parse_period("week"), Ok(Period::Week(Weekday::Mon)));
        assert_eq!(parse_period("week-sun"), Ok(Period::Week(Weekday::Sun)));
        let err = parse_period("fortnight").unwrap_err();
        assert!(err.contains("`fortnight` is not a period"), "{err}");
    }

    #[test]
    fn modes_are_octal_permission_bits() {
        assert_eq!(parse_mode("640"), Ok(0o640));
        assert_eq!(parse_mode("0644"), Ok(0o644));
        assert_eq!(parse_mode("0o600"), Ok(0o600));
        assert!(parse_mode("1777").unwrap_err().contains("beyond 777"));
        assert!(parse_mode("rw-r--r--").unwrap_err().contains("octal"));
        assert!(parse_mode("9").unwrap_err().contains("octal"));
        assert_eq!(parse_dir_mode("2770"), Ok(0o2770));
        assert!(parse_dir_mode("17777").unwrap_err().contains("beyond 7777"));
    }
}
