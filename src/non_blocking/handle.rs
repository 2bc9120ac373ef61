//! [`NonBlocking`], the handle that queues, and the [`Queue`] its clones
//! and its guard share.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering, fence};
use std::time::Duration;

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};

use crate::non_blocking::batch::Batch;
use crate::non_blocking::message::Message;
use crate::non_blocking::thread::{self, Ending};
use crate::sys::fork;
use crate::writer::append::AppendError;
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
    queue: std::sync::Arc<Queue>,
    line: LineBuffer,
}

/// What the handles and the guard share.
pub(crate) struct Queue {
    pub(crate) file: RotatingFile,
    pub(crate) sender: Sender<Message>,
    /// Kept so that after the thread stops, senders can write out what is
    /// still queued themselves.
    pub(crate) receiver: Receiver<Message>,
    pub(crate) ending: Ending,
    pub(crate) lossy: bool,
    dropped: AtomicU64,
    /// The thread exists only in the process that started it: a child after
    /// `fork()` writes synchronously instead.
    pub(crate) fork_generation: u64,
}

// === impl NonBlocking ===

impl NonBlocking {
    pub(crate) fn new(queue: std::sync::Arc<Queue>) -> NonBlocking {
        NonBlocking {
            queue,
            line: LineBuffer::default(),
        }
    }

    /// Records dropped because the queue was full (lossy mode only).
    pub fn dropped(&self) -> u64 {
        self.queue.dropped.load(Ordering::Relaxed)
    }

    /// Records that could not be written (disk full, permission denied...),
    /// by the background thread or otherwise; the first failure is also
    /// printed on stderr. Writing resumes by itself once the cause clears.
    pub fn write_errors(&self) -> u64 {
        self.queue.file.write_errors()
    }

    #[cfg(feature = "tracing")]
    pub(crate) fn queue(&self) -> &Queue {
        &self.queue
    }
}

impl Clone for NonBlocking {
    /// Another handle onto the same queue, with an empty line buffer.
    fn clone(&self) -> Self {
        NonBlocking::new(std::sync::Arc::clone(&self.queue))
    }
}

impl Write for NonBlocking {
    /// Queues every complete line now buffered, as [`RotatingFile`] writes
    /// them; a partial line waits for its newline (or a flush).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let queue = &self.queue;
        self.line
            .write(buf, |lines| queue.send(lines, Records::Lines))
    }

    /// Queues a pending partial line, then waits until everything sent
    /// before is in the file.
    fn flush(&mut self) -> io::Result<()> {
        let queue = &self.queue;
        self.line.flush(|line| queue.send(line, Records::Lines))?;
        queue.flush()
    }
}

impl Drop for NonBlocking {
    fn drop(&mut self) {
        let queue = &self.queue;
        if let Err(e) = self.line.flush(|line| queue.send(line, Records::Lines)) {
            queue.file.open_log().errors.report(&e, 1);
        }
    }
}

impl std::fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlocking")
            .field("path", &self.queue.file.path())
            .field("queued", &self.queue.sender.len())
            .field("lossy", &self.queue.lossy)
            .field("dropped", &self.dropped())
            .finish()
    }
}

// === impl Queue ===

impl Queue {
    pub(crate) fn new(file: RotatingFile, capacity: usize, lossy: bool) -> Queue {
        let (sender, receiver) = crossbeam_channel::bounded(capacity);
        Queue {
            file,
            sender,
            receiver,
            ending: Ending::default(),
            lossy,
            dropped: AtomicU64::new(0),
            fork_generation: fork::generation(),
        }
    }

    /// Queues `bytes` (see [`Message::record`]), or writes them directly
    /// once the thread is gone.
    pub(crate) fn send(&self, bytes: &[u8], records: Records<'static>) -> Result<(), AppendError> {
        if self.ending.died.load(Ordering::SeqCst) {
            return Err(AppendError::new(0, self.died()));
        }
        if self.ending.stopped.load(Ordering::SeqCst) || self.fork_generation != fork::generation()
        {
            return self.write_directly(bytes, records);
        }
        match self.sender.try_send(Message::record(bytes, records)) {
            Ok(()) => {}
            Err(TrySendError::Full(message)) if self.lossy => {
                self.dropped.fetch_add(message.records(), Ordering::Relaxed);
            }
            Err(TrySendError::Full(message) | TrySendError::Disconnected(message)) => {
                if let Some(message) = self.send_waiting(message) {
                    return self.write_message(&message);
                }
            }
        }
        self.after_send();
        Ok(())
    }

    /// Sends, waiting for room; gives the message back if the thread
    /// stopped meanwhile.
    fn send_waiting(&self, mut message: Message) -> Option<Message> {
        loop {
            // Wake up now and then: the thread may stop while we wait.
            match self
                .sender
                .send_timeout(message, Duration::from_millis(100))
            {
                Ok(()) => return None,
                Err(SendTimeoutError::Timeout(back))
                    if !self.ending.stopped.load(Ordering::SeqCst) =>
                {
                    message = back
                }
                Err(SendTimeoutError::Timeout(back) | SendTimeoutError::Disconnected(back)) => {
                    return Some(back);
                }
            }
        }
    }

    /// Pairs with the fence in `thread::run`: if the thread stopped without
    /// seeing what we just queued, it is ours to write.
    fn after_send(&self) {
        fence(Ordering::SeqCst);
        if !self.ending.stopped.load(Ordering::SeqCst) {
            return;
        }
        if self.ending.died.load(Ordering::SeqCst) {
            // Not written by anyone now: counted.
            let mut lost = 0;
            while let Ok(message) = self.receiver.try_recv() {
                lost += message.records();
            }
            if lost > 0 {
                self.file.open_log().errors.report(&self.died(), lost);
            }
            return;
        }
        thread::drain(&self.receiver, self.file.open_log(), &mut Batch::default());
    }

    /// The error senders get once the thread died.
    fn died(&self) -> io::Error {
        io::Error::other(format!(
            "the background writer of `{}` stopped (its thread panicked); records are no longer written",
            self.file.path().display()
        ))
    }

    /// Returns once everything sent before is in the file.
    fn flush(&self) -> io::Result<()> {
        if self.ending.died.load(Ordering::SeqCst) {
            return Err(self.died());
        }
        if self.fork_generation != fork::generation() {
            // A child after fork(): its records went straight to the file.
            return Ok(());
        }
        if !self.ending.stopped.load(Ordering::SeqCst) {
            let (ack, acked) = crossbeam_channel::bounded(1);
            // A flush is never dropped, even by a lossy writer.
            if self.send_waiting(Message::Flush(ack)).is_none() {
                loop {
                    match acked.recv_timeout(Duration::from_millis(100)) {
                        Ok(()) => return Ok(()),
                        Err(_) if !self.ending.stopped.load(Ordering::SeqCst) => {}
                        Err(_) => break,
                    }
                }
            }
        }
        self.after_send();
        Ok(())
    }

    fn write_message(&self, message: &Message) -> Result<(), AppendError> {
        match message.payload() {
            Some((bytes, records)) => self.write_directly(bytes, records),
            None => Ok(()),
        }
    }

    fn write_directly(&self, bytes: &[u8], records: Records<'_>) -> Result<(), AppendError> {
        self.file.open_log().append(bytes, records)
    }
}
