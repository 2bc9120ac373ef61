//! `tracing-subscriber` glue: [`RotatingFile`] as a [`MakeWriter`].
//!
//! The fmt layer asks for a writer per event, writes the formatted event
//! into it, and drops it. [`EventWriter`] collects the event in a buffer
//! borrowed from the thread (no allocation per event once warm) and appends
//! it as one record when dropped (SPEC invariant 1), even if the event spans
//! several lines.

use std::cell::Cell;
use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

use crate::RotatingFile;
use crate::writer::{Inner, Records};

/// A buffer kept per thread between events; one that grew past this is let
/// go rather than held for ever.
const KEEP_CAPACITY: usize = 64 * 1024;

thread_local! {
    static BUFFER: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// The writer [`RotatingFile`] hands to `tracing-subscriber` for one event:
/// it buffers what it is given and appends it as one record when dropped.
///
/// Errors cannot be returned from a drop: they are counted
/// ([`RotatingFile::write_errors`]) and the first is printed on stderr; the
/// next event tries again.
pub struct EventWriter<'a> {
    inner: &'a Inner,
    buf: Vec<u8>,
}

impl<'a> MakeWriter<'a> for RotatingFile {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            inner: self.inner(),
            buf: BUFFER.take(),
        }
    }
}

impl Write for EventWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// The event is appended when the writer is dropped, whole; flushing
    /// part of it would split it.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter<'_> {
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            self.inner.append_or_report(&self.buf, Records::One);
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
        f.debug_struct("EventWriter")
            .field("buffered", &self.buf.len())
            .finish()
    }
}
