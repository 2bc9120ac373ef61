//! `tracing-subscriber` glue: [`RotatingFile`] and [`NonBlocking`] as
//! [`MakeWriter`]s, and the event writer a router's `MakeWriter` hands out
//! too (`integrations/tracing_router.rs`).
//!
//! The fmt layer asks for a writer per event, writes the formatted event
//! into it, and drops it. [`EventWriter`] collects the event in a buffer
//! borrowed from the thread (no allocation per event once warm) and, when
//! dropped, appends it, or queues it, as one record (guarantee: never torn), even
//! if the event spans several lines.

use std::cell::Cell;
use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;

use crate::non_blocking::handle::NonBlocking;
use crate::router::name::LogName;
use crate::router::queue::NonBlockingRouter;
use crate::writer::handle::RotatingFile;
use crate::writer::open_log::OpenLog;
use crate::writer::records::Records;

/// A buffer kept per thread between events; one that grew past this is let
/// go rather than held for ever.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The writer [`RotatingFile`] and [`NonBlocking`] hand to
/// `tracing-subscriber` for one event: it buffers what it is given and, when
/// dropped, appends it (or queues it) as one record.
///
/// Errors cannot be returned from a drop: they are counted
/// ([`RotatingFile::write_errors`], [`NonBlocking::write_errors`]) and the
/// first is printed on stderr; the next event tries again.
pub struct EventWriter<'a> {
    sink: Sink<'a>,
    buf: Vec<u8>,
}

/// Where a finished event goes.
pub(crate) enum Sink<'a> {
    File(&'a OpenLog),
    Queue(&'a NonBlocking),
    /// The file a router chose for the event (`None`: none could be
    /// opened, which the router counted as a loss).
    Routed(Option<Arc<RotatingFile>>),
    /// A router's queue, with the event's name.
    RouterQueue(&'a NonBlockingRouter, LogName),
}

impl<'a> EventWriter<'a> {
    /// A writer for one event, with the thread's buffer.
    pub(crate) fn new(sink: Sink<'a>) -> EventWriter<'a> {
        EventWriter {
            sink,
            buf: BUFFER.take(),
        }
    }
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter::new(Sink::File(self.open_log()))
    }
}

impl<'a> MakeWriter<'a> for NonBlocking {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter::new(Sink::Queue(self))
    }
}

impl Write for EventWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// The event goes out when the writer is dropped, whole; flushing part
    /// of it would split it.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter<'_> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            match &self.sink {
                Sink::File(log) => log.append_or_report(&self.buf, Records::One),
                Sink::Queue(writer) => writer.send_event(&self.buf),
                Sink::Routed(Some(file)) => {
                    file.open_log().append_or_report(&self.buf, Records::One)
                }
                Sink::Routed(None) => {}
                Sink::RouterQueue(writer, name) => writer.send(*name, &self.buf),
            }
        }
        let mut buf = std::mem::take(&mut self.buf);
        if buf.capacity() <= KEEP_CAPACITY {
            buf.clear();
            // Fails only while the thread is being torn down.
            let _ = BUFFER.try_with(|slot| slot.set(buf));
        }
    }
}

impl std::fmt::Debug for EventWriter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sink = match self.sink {
            Sink::File(_) => "file",
            Sink::Queue(_) => "queue",
            Sink::Routed(_) => "router",
            Sink::RouterQueue(..) => "router queue",
        };
        f.debug_struct("EventWriter")
            .field("sink", &sink)
            .field("buffered", &self.buf.len())
            .finish()
    }
}
