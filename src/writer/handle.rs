//! [`RotatingFile`]: the handle a program writes through.

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::Error;
use crate::writer::line_buffer::LineBuffer;
use crate::writer::open_log::OpenLog;
use crate::writer::records::Records;
use crate::writer::stats::Stats;

/// A log file shared by many processes, rotated at a size limit.
///
/// Made by [`RotatingFile::builder`]. Each clone is a handle onto the same
/// open files with its own line buffer; clones are cheap and may be moved to
/// other threads.
///
/// Through [`io::Write`], a complete line is a record: bytes are buffered
/// until a newline, then every complete line is appended whole with one
/// `write(2)` under the lock. When `write_all` of a complete line returns
/// `Ok`, the line is in the file (the kernel's page cache; durability against
/// power loss is `fsync`'s business, which this library does not do per
/// record). [`flush`](Write::flush) appends a pending partial line as it is;
/// dropping a handle does the same.
///
/// ```
/// use std::io::Write;
/// use concurrent_rotating_file::RotatingFile;
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("logs/app.log");
///
/// let log = RotatingFile::builder(&path).max_bytes(64).backups(3).open()?;
/// let mut w = log.clone();
/// for i in 0..10 {
///     writeln!(w, "request {i} served")?;
/// }
/// // Ten 19-byte lines do not fit in 64 bytes: three per file.
/// assert_eq!(std::fs::read_to_string(&path)?, "request 9 served\n");
/// assert_eq!(
///     std::fs::read_to_string(path.with_extension("log.1"))?,
///     "request 6 served\nrequest 7 served\nrequest 8 served\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RotatingFile {
    log: Arc<OpenLog>,
    line: LineBuffer,
}

// === impl RotatingFile ===

impl RotatingFile {
    pub(crate) fn open(config: Config) -> Result<RotatingFile, Error> {
        Ok(RotatingFile {
            log: Arc::new(OpenLog::open(config)?),
            line: LineBuffer::default(),
        })
    }

    /// The path of the live log file.
    pub fn path(&self) -> &Path {
        self.log.config.names.live()
    }

    /// How many rotations the processes sharing this file have done, as
    /// counted in the shared state file.
    pub fn rotations(&self) -> u64 {
        self.log.rotations()
    }

    /// Counters of this file's activity, for monitoring and tests.
    pub fn stats(&self) -> Stats {
        self.log.stats()
    }

    /// How many records this process failed to write on paths that cannot
    /// return an error (a `tracing` event, a handle dropped with a partial
    /// line). Each such failure is also reported on stderr, the first of each
    /// kind only.
    pub fn write_errors(&self) -> u64 {
        self.log.errors.records()
    }

    /// What to call before the program ends: writes this handle's pending
    /// partial line, then waits, at most `timeout`, until every compression
    /// this process has queued (for any handle of this file) is finished,
    /// so that the process leaves every backup gzipped and no temporary
    /// file. The handle, and its clones, can still be used afterwards.
    ///
    /// The process's exit does the same wait (within
    /// [`compression_wait`](crate::Builder::compression_wait)) even if no
    /// handle is ever dropped, as with a subscriber installed globally:
    /// this method is for a program that wants to know, or to bound the
    /// wait otherwise. See "Shutting down" in the crate documentation.
    ///
    /// ```
    /// use std::io::Write;
    /// use std::time::Duration;
    /// use concurrent_rotating_file::{Compression, RotatingFile};
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let log = RotatingFile::builder(dir.path().join("app.log"))
    ///     .max_bytes(64)
    ///     .compression(Compression::Gzip)
    ///     .open()?;
    /// let mut w = log.clone(); // as a global subscriber would hold it
    /// for i in 0..10 {
    ///     writeln!(w, "request {i} served")?;
    /// }
    /// w.shutdown(Duration::from_secs(10))?;
    /// assert!(dir.path().join("app.log.1.gz").exists());
    /// assert!(!dir.path().join("app.log.1").exists());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The error of writing the partial line, or, when compressions are
    /// still unfinished after `timeout`, an error of kind
    /// [`TimedOut`](io::ErrorKind::TimedOut) saying how many (they go on
    /// in the background; whatever the process's exit cuts short, the next
    /// process to open the log finishes).
    pub fn shutdown(&mut self, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        self.flush()?;
        match self.log.wait_for_compressions(deadline) {
            0 => Ok(()),
            left => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "shutdown `{}`: {left} compression(s) unfinished after {timeout:?}",
                    self.path().display()
                ),
            )),
        }
    }

    /// Appends `record` as one record, whatever it holds: a message of
    /// several lines (a traceback) stays whole, in one file, with one
    /// `write(2)` (guarantee: never torn), and a newline is added if it
    /// does not end with one. For a caller that formats whole records
    /// itself (another language's logging library, a formatter of its
    /// own), where [`io::Write`] would make each line a record. It takes no
    /// line buffer, so `&self` is enough; a pending partial line of this
    /// handle stays pending.
    ///
    /// ```
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let log = RotatingFile::builder(dir.path().join("app.log")).max_bytes(64).open()?;
    /// log.write_record(b"first\n")?;
    /// // 60 bytes on four lines: too large for what is left of the file, so
    /// // the whole record starts the next one rather than being split.
    /// log.write_record(b"Traceback (most recent call last):\n  line 1\n  line 2\nError\n")?;
    /// assert_eq!(std::fs::read_to_string(dir.path().join("app.log.1"))?, "first\n");
    /// assert!(std::fs::read_to_string(log.path())?.starts_with("Traceback"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The `io::Error` of the write or of the rotation it needed, naming the
    /// path and what failed; nothing of the record is then in the file,
    /// unless the failure cut the `write(2)` itself short (a full disk), in
    /// which case what went in stays, ended by a newline.
    pub fn write_record(&self, record: &[u8]) -> io::Result<()> {
        self.log
            .append(record, Records::One)
            .map_err(io::Error::from)
    }

    /// Rotates the file now, the way it rotates when full: the live file
    /// becomes the newest backup (compressed, with gzip on), a fresh one is
    /// started, and every process writing it follows before its next
    /// record. For an operator's `SIGHUP`, a deploy script (`crf
    /// --rotate-now`), the end of a batch job.
    ///
    /// Several processes asking at once make one rotation, not several: a
    /// call whose file was rotated by anyone since it began (asked by
    /// another, or by size or time) does nothing. So does a call on an
    /// empty file. Returns whether this call rotated.
    ///
    /// ```
    /// use std::io::Write;
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let mut log = RotatingFile::builder(dir.path().join("app.log")).open()?;
    /// writeln!(log, "before the deploy")?;
    /// assert!(log.rotate()?);
    /// assert!(!log.rotate()?); // empty now: nothing to rotate
    /// writeln!(log, "after it")?;
    /// assert_eq!(std::fs::read_to_string(dir.path().join("app.log.1"))?, "before the deploy\n");
    /// assert_eq!(std::fs::read_to_string(log.path())?, "after it\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The `io::Error` of the rotation, naming the path and what failed
    /// (`rotate \`logs/app.log\`: rename ...`).
    pub fn rotate(&self) -> io::Result<bool> {
        self.log.rotate()
    }

    /// Opens the log path afresh, and makes every process writing the file
    /// do the same before its next record: after an outside tool moved or
    /// deleted the file (logrotate's `create` mode, an operator's `mv`).
    /// Without it each process notices within
    /// [`path_check_interval`](crate::Builder::path_check_interval).
    ///
    /// ```
    /// use std::io::Write;
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let mut log = RotatingFile::builder(dir.path().join("app.log")).open()?;
    /// writeln!(log, "old")?;
    /// std::fs::rename(log.path(), dir.path().join("archived.log"))?;
    /// log.reopen()?;
    /// writeln!(log, "new")?;
    /// assert_eq!(std::fs::read_to_string(log.path())?, "new\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The `io::Error` of opening the file, naming the path.
    pub fn reopen(&self) -> io::Result<()> {
        self.log.reopen()
    }

    pub(crate) fn open_log(&self) -> &OpenLog {
        &self.log
    }
}

impl Clone for RotatingFile {
    /// Another handle onto the same files, with an empty line buffer.
    fn clone(&self) -> Self {
        RotatingFile {
            log: Arc::clone(&self.log),
            line: LineBuffer::default(),
        }
    }
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFile")
            .field("path", &self.path())
            .field("max_bytes", &self.log.config.max_bytes)
            .field("backups", &self.log.config.retention.count)
            .field("pending", &self.line.len())
            .finish()
    }
}

impl Write for RotatingFile {
    /// Buffers `buf`, then appends every complete line now buffered. On an
    /// error nothing of `buf` is kept, and earlier partial-line bytes stay
    /// buffered for the next attempt.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let log = &self.log;
        self.line
            .write(buf, |lines| log.append(lines, Records::Lines))
    }

    /// Appends a pending partial line as one record.
    fn flush(&mut self) -> io::Result<()> {
        let log = &self.log;
        self.line.flush(|line| log.append(line, Records::Lines))
    }
}

impl Drop for RotatingFile {
    fn drop(&mut self) {
        let log = &self.log;
        let _ = self.line.flush(|line| {
            log.append_or_report(line, Records::Lines);
            Ok(())
        });
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_record_cut_short_by_a_killed_writer_is_ended_never_glued_or_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = RotatingFile::builder(dir.path().join("app.log"))
            .open()
            .unwrap();
        log.write_all(b"whole\n").unwrap();
        log.log.leave_half_written(6, 26, b"partial ");
        log.write_all(b"next\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(log.path()).unwrap(),
            "whole\npartial \nnext\n"
        );
    }

    #[test]
    fn opening_ends_a_record_a_killed_writer_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingFile::builder(&path).open().unwrap();
        log.write_all(b"whole\n").unwrap();
        log.log.leave_half_written(6, 26, b"partial ");
        drop(log);
        drop(RotatingFile::builder(&path).open().unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\npartial \n");
    }

    #[test]
    fn a_write_cut_short_exactly_at_a_line_end_adds_no_empty_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingFile::builder(&path).open().unwrap();
        log.write_all(b"whole\n").unwrap();
        // Two lines in flight, the first one in whole.
        log.log.leave_half_written(6, 16, b"first\n");
        log.write_all(b"next\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "whole\nfirst\nnext\n"
        );
    }

    #[test]
    fn a_write_killed_before_or_after_its_bytes_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let mut log = RotatingFile::builder(&path).open().unwrap();
        log.write_all(b"whole\n").unwrap();
        for (start, end) in [(6, 26), (0, 6)] {
            log.log.leave_half_written(start, end, b"");
            log.write_all(b"more\n").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "whole\nmore\nmore\n"
        );
    }
}
