//! [`NonBlocking`], the handle that queues.

use std::io::{self, Write};
use std::sync::Arc;

use crate::non_blocking::queue::Queue;
use crate::writer::handle::RotatingFile;
use crate::writer::line_buffer::LineBuffer;
use crate::writer::records::Records;

/// The writer end of a background writer: `Clone + Send + Sync`,
/// [`io::Write`] (a complete line is a record, as for [`RotatingFile`]) and,
/// with the `tracing` feature, a `MakeWriter` (an event is a record).
///
/// Made by [`RotatingFile::non_blocking`] or
/// [`NonBlockingBuilder::finish`](crate::NonBlockingBuilder::finish).
///
/// ```
/// use std::io::Write;
/// use concurrent_rotating_file::RotatingFile;
/// # let dir = tempfile::tempdir()?;
///
/// let log = RotatingFile::builder(dir.path().join("app.log")).open()?;
/// let (mut writer, guard) = log.non_blocking();
/// for i in 0..1000 {
///     writeln!(writer, "event {i}")?; // queued; written by the thread
/// }
/// writer.flush()?; // everything sent so far is in the file
/// assert_eq!(std::fs::read_to_string(log.path())?.lines().count(), 1000);
/// drop(guard); // at the end of main: writes what is queued, stops the thread
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct NonBlocking {
    queue: Arc<Queue<RotatingFile>>,
    line: LineBuffer,
}

// === impl NonBlocking ===

impl NonBlocking {
    pub(crate) fn new(queue: Arc<Queue<RotatingFile>>) -> NonBlocking {
        NonBlocking {
            queue,
            line: LineBuffer::default(),
        }
    }

    /// Records dropped because the queue was full (lossy mode only).
    pub fn dropped(&self) -> u64 {
        self.queue.dropped()
    }

    /// Records that could not be written (disk full, permission denied...),
    /// by the background thread or otherwise; the first failure is also
    /// printed on stderr. Writing resumes by itself once the cause clears.
    pub fn write_errors(&self) -> u64 {
        self.queue.destination.write_errors()
    }

    /// Queues `record` as one record, whatever it holds: a message of
    /// several lines stays whole, as [`RotatingFile::write_record`] writes
    /// it. A full queue makes the caller wait (or, lossy, drops it and
    /// counts it in [`dropped`](NonBlocking::dropped)); once the thread has
    /// stopped, or in a child after `fork()`, the record is written
    /// directly.
    ///
    /// ```
    /// use concurrent_rotating_file::RotatingFile;
    /// # let dir = tempfile::tempdir()?;
    ///
    /// let log = RotatingFile::builder(dir.path().join("app.log")).open()?;
    /// let (writer, guard) = log.non_blocking();
    /// writer.write_record(b"Traceback (most recent call last):\n  line 1\nError\n")?;
    /// drop(guard); // writes what is queued
    /// assert_eq!(std::fs::read_to_string(log.path())?.lines().count(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// If the background thread died (a panic in a [`Clock`](crate::Clock)),
    /// or, written directly, the error of the write. A failure of the
    /// thread's own later write cannot be returned here: it is counted in
    /// [`write_errors`](NonBlocking::write_errors) and the first printed
    /// on stderr.
    pub fn write_record(&self, record: &[u8]) -> io::Result<()> {
        self.queue
            .send((), record, Records::One)
            .map_err(io::Error::from)
    }

    /// Queues one `tracing` event as one record; a failure (the thread
    /// died) is counted and reported, as the caller cannot be told.
    #[cfg(feature = "tracing")]
    pub(crate) fn send_event(&self, event: &[u8]) {
        if let Err(e) = self.queue.send((), event, Records::One) {
            self.queue.destination.open_log().errors.report(&e.error, 1);
        }
    }
}

impl Clone for NonBlocking {
    /// Another handle onto the same queue, with an empty line buffer.
    fn clone(&self) -> Self {
        NonBlocking::new(Arc::clone(&self.queue))
    }
}

impl Write for NonBlocking {
    /// Queues every complete line now buffered, as [`RotatingFile`] writes
    /// them; a partial line waits for its newline (or a flush).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let queue = &self.queue;
        self.line
            .write(buf, |lines| queue.send((), lines, Records::Lines))
    }

    /// Queues a pending partial line, then waits until everything sent
    /// before is in the file.
    fn flush(&mut self) -> io::Result<()> {
        let queue = &self.queue;
        self.line
            .flush(|line| queue.send((), line, Records::Lines))?;
        queue.flush()
    }
}

impl Drop for NonBlocking {
    fn drop(&mut self) {
        let queue = &self.queue;
        if let Err(e) = self.line.flush(|line| queue.send((), line, Records::Lines)) {
            queue.destination.open_log().errors.report(&e, 1);
        }
    }
}

impl std::fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlocking")
            .field("path", &self.queue.destination.path())
            .field("queued", &self.queue.queued())
            .field("lossy", &self.queue.lossy())
            .field("dropped", &self.dropped())
            .finish()
    }
}
