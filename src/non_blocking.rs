//! [`NonBlocking`]: log calls that only queue, and a background thread that
//! writes the queue in batches.
//!
//! A call copies its record into a bounded queue (records up to 238 bytes
//! need no allocation) and returns; one thread per [`NonBlocking`] family
//! takes everything queued and appends it under one lock, with one
//! `write(2)` per file. The records still obey every guarantee of
//! [`RotatingFile`]: whole, in order per thread, split between files only at
//! record boundaries.
//!
//! By default nothing is lost: a full queue makes the caller wait.
//! [`NonBlockingBuilder::lossy`] drops instead, and counts what it drops.
//! [`flush`](std::io::Write::flush) returns once everything sent before it is
//! in the file; dropping the [`WorkerGuard`] writes everything queued and
//! stops the thread, after which the handles write synchronously. So does a
//! handle used in a child after `fork()`, where the thread does not exist.

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender, TrySendError};

use crate::line_buffer::LineBuffer;
use crate::records::Records;
use crate::worker::{self, Batch, Kind, Message};
use crate::{RotatingFile, fork};

/// The writer end of a background writer: `Clone + Send + Sync`,
/// [`io::Write`] (a complete line is a record, as for [`RotatingFile`]) and,
/// with the `tracing` feature, a `MakeWriter` (an event is a record).
///
/// Made by [`RotatingFile::non_blocking`] or [`NonBlockingBuilder::finish`].
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
    shared: Arc<Shared>,
    line: LineBuffer,
}

/// What the handles and the guard share.
pub(crate) struct Shared {
    file: RotatingFile,
    sender: Sender<Message>,
    /// Kept so that after the thread stops, senders can write out what is
    /// still queued themselves.
    receiver: Receiver<Message>,
    stopped: AtomicBool,
    lossy: bool,
    dropped: AtomicU64,
    /// The thread exists only in the process that started it: a child after
    /// `fork()` writes synchronously instead.
    fork_generation: u64,
}

/// Stops the background thread when dropped, after it has written
/// everything queued. Hold it in `main` for as long as the program logs:
///
/// ```
/// # use concurrent_rotating_file::RotatingFile;
/// # let dir = tempfile::tempdir()?;
/// # let log = RotatingFile::builder(dir.path().join("app.log")).open()?;
/// let (writer, _guard) = log.non_blocking(); // `_guard`, not `_`: `_` drops at once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "dropping the guard stops the background thread"]
pub struct WorkerGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    shutdown_timeout: Option<Duration>,
}

/// Options of a background writer, made by
/// [`RotatingFile::non_blocking_builder`].
///
/// | option | default | notes |
/// | --- | --- | --- |
/// | [`capacity`](NonBlockingBuilder::capacity) | 4096 records | about 1 MiB of queue |
/// | [`lossy`](NonBlockingBuilder::lossy) | `false` | `true`: drop and count when full |
/// | [`shutdown_timeout`](NonBlockingBuilder::shutdown_timeout) | none | how long the guard's drop may wait |
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `finish` is called"]
pub struct NonBlockingBuilder {
    file: RotatingFile,
    capacity: usize,
    lossy: bool,
    shutdown_timeout: Option<Duration>,
}

// === impl RotatingFile ===

impl RotatingFile {
    /// A background writer on this file with the default options: see
    /// [`NonBlocking`] and [`NonBlockingBuilder`].
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn non_blocking(&self) -> (NonBlocking, WorkerGuard) {
        self.non_blocking_builder().finish()
    }

    /// Options for a background writer on this file.
    pub fn non_blocking_builder(&self) -> NonBlockingBuilder {
        NonBlockingBuilder {
            file: self.clone(),
            capacity: 4096,
            lossy: false,
            shutdown_timeout: None,
        }
    }
}

// === impl NonBlockingBuilder ===

impl NonBlockingBuilder {
    /// How many records the queue holds (at least 1). A record of up to
    /// 238 bytes takes 256 bytes of queue, so the default of 4096 is about
    /// 1 MiB, allocated up front: the process's extra memory stays bounded
    /// whatever the load.
    pub fn capacity(mut self, records: usize) -> Self {
        self.capacity = records.max(1);
        self
    }

    /// What a log call does when the queue is full: wait for room (`false`,
    /// the default: nothing is lost) or drop the record and count it
    /// ([`NonBlocking::dropped`]).
    pub fn lossy(mut self, lossy: bool) -> Self {
        self.lossy = lossy;
        self
    }

    /// The longest the [`WorkerGuard`]'s drop waits for the queue to be
    /// written. Default: no limit, so nothing queued is lost at exit.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = Some(timeout);
        self
    }

    /// Starts the background thread.
    ///
    /// # Panics
    ///
    /// If the operating system cannot start a thread.
    pub fn finish(self) -> (NonBlocking, WorkerGuard) {
        let (sender, receiver) = crossbeam_channel::bounded(self.capacity);
        let shared = Arc::new(Shared {
            file: self.file,
            sender,
            receiver,
            stopped: AtomicBool::new(false),
            lossy: self.lossy,
            dropped: AtomicU64::new(0),
            fork_generation: fork::generation(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("concurrent-rotating-file".into())
                .spawn(move || worker::run(&shared.receiver, shared.file.inner(), &shared.stopped))
                .expect("cannot start the background writer thread")
        };
        let guard = WorkerGuard {
            shared: Arc::clone(&shared),
            thread: Some(thread),
            shutdown_timeout: self.shutdown_timeout,
        };
        (
            NonBlocking {
                shared,
                line: LineBuffer::default(),
            },
            guard,
        )
    }
}

// === impl NonBlocking ===

impl NonBlocking {
    /// Records dropped because the queue was full (lossy mode only).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Records that could not be written (disk full, permission denied...),
    /// by the background thread or otherwise; the first failure is also
    /// printed on stderr. Writing resumes by itself once the cause clears.
    pub fn write_errors(&self) -> u64 {
        self.shared.file.write_errors()
    }

    #[cfg(feature = "tracing")]
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl Shared {
    pub(crate) fn send(&self, bytes: &[u8], kind: Kind) -> io::Result<()> {
        if self.stopped.load(Ordering::SeqCst) || self.fork_generation != fork::generation() {
            return self.write_directly(bytes, kind);
        }
        match self.sender.try_send(Message::record(bytes, kind)) {
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
                Err(SendTimeoutError::Timeout(back)) if !self.stopped.load(Ordering::SeqCst) => {
                    message = back
                }
                Err(SendTimeoutError::Timeout(back) | SendTimeoutError::Disconnected(back)) => {
                    return Some(back);
                }
            }
        }
    }

    /// Pairs with the fence in `worker::run`: if the thread stopped without
    /// seeing what we just queued, it is ours to write.
    fn after_send(&self) {
        fence(Ordering::SeqCst);
        if self.stopped.load(Ordering::SeqCst) {
            worker::drain(&self.receiver, self.file.inner(), &mut Batch::default());
        }
    }

    /// Returns once everything sent before is in the file.
    fn flush(&self) -> io::Result<()> {
        if self.fork_generation != fork::generation() {
            // A child after fork(): its records went straight to the file.
            return Ok(());
        }
        if !self.stopped.load(Ordering::SeqCst) {
            let (ack, acked) = crossbeam_channel::bounded(1);
            // A flush is never dropped, even by a lossy writer.
            if self.send_waiting(Message::Flush(ack)).is_none() {
                loop {
                    match acked.recv_timeout(Duration::from_millis(100)) {
                        Ok(()) => return Ok(()),
                        Err(_) if !self.stopped.load(Ordering::SeqCst) => {}
                        Err(_) => break,
                    }
                }
            }
        }
        self.after_send();
        Ok(())
    }

    fn write_message(&self, message: &Message) -> io::Result<()> {
        match message.payload() {
            Some((bytes, kind)) => self.write_directly(bytes, kind),
            None => Ok(()),
        }
    }

    fn write_directly(&self, bytes: &[u8], kind: Kind) -> io::Result<()> {
        let records = match kind {
            Kind::Lines => Records::Lines,
            Kind::One => Records::One,
        };
        self.file.inner().append(bytes, records)
    }

    #[cfg(feature = "tracing")]
    pub(crate) fn file(&self) -> &RotatingFile {
        &self.file
    }
}

impl Clone for NonBlocking {
    /// Another handle onto the same queue, with an empty line buffer.
    fn clone(&self) -> Self {
        NonBlocking {
            shared: Arc::clone(&self.shared),
            line: LineBuffer::default(),
        }
    }
}

impl Write for NonBlocking {
    /// Queues every complete line now buffered, as [`RotatingFile`] writes
    /// them; a partial line waits for its newline (or a flush).
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let shared = &self.shared;
        self.line
            .write(buf, |lines| shared.send(lines, Kind::Lines))
    }

    /// Queues a pending partial line, then waits until everything sent
    /// before is in the file.
    fn flush(&mut self) -> io::Result<()> {
        let shared = &self.shared;
        self.line.flush(|line| shared.send(line, Kind::Lines))?;
        shared.flush()
    }
}

impl Drop for NonBlocking {
    fn drop(&mut self) {
        let shared = &self.shared;
        if let Err(e) = self.line.flush(|line| shared.send(line, Kind::Lines)) {
            shared.file.inner().report(&e, 1);
        }
    }
}

impl std::fmt::Debug for NonBlocking {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NonBlocking")
            .field("path", &self.shared.file.path())
            .field("queued", &self.shared.sender.len())
            .field("lossy", &self.shared.lossy)
            .field("dropped", &self.dropped())
            .finish()
    }
}

// === impl WorkerGuard ===

impl Drop for WorkerGuard {
    fn drop(&mut self) {
        if self.shared.fork_generation != fork::generation() {
            // A child after fork(): the thread is the parent's, not ours to
            // stop or join; the child's records went straight to the file.
            std::mem::forget(self.thread.take());
            return;
        }
        let deadline = self.shutdown_timeout.map(|t| Instant::now() + t);
        let sent = match deadline {
            None => self.shared.sender.send(Message::Shutdown).is_ok(),
            Some(deadline) => self
                .shared
                .sender
                .send_deadline(Message::Shutdown, deadline)
                .is_ok(),
        };
        let Some(thread) = self.thread.take() else {
            return;
        };
        if let Some(deadline) = deadline {
            while !thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            if !sent || !thread.is_finished() {
                eprintln!(
                    "concurrent-rotating-file: the background writer of `{}` did not finish within the shutdown timeout; {} queued records may be lost",
                    self.shared.file.path().display(),
                    self.shared.sender.len()
                );
                return;
            }
        }
        if thread.join().is_err() {
            eprintln!("concurrent-rotating-file: the background writer thread panicked");
        }
    }
}

impl std::fmt::Debug for WorkerGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerGuard")
            .field("path", &self.shared.file.path())
            .field(
                "running",
                &self.thread.as_ref().is_some_and(|t| !t.is_finished()),
            )
            .finish()
    }
}
