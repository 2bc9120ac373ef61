//! `tracing-subscriber` glue for routers: [`Router`] and
//! [`NonBlockingRouter`] as [`MakeWriter`]s, and [`FieldFormat`], which
//! reads what an event is named by when its metadata does not say it.
//!
//! The fmt layer formats an event, then asks its `MakeWriter` for a writer
//! given the event's metadata alone. The name is taken from the metadata
//! (the target) there. Two names are not in the metadata: a field's value
//! ([`Naming::Field`]), and the target of a `log` record that
//! tracing-subscriber's `log` bridge made an event of (its metadata's
//! target is `log`; the record's is in its `log.target` field). So
//! [`FieldFormat`] reads them while the event is formatted, just before,
//! on the same thread, and leaves them for the `MakeWriter` of that very
//! event.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use tracing_core::field::{Field, Visit};
use tracing_core::{Event, Metadata, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use crate::integrations::event_copy::without_field;
use crate::integrations::tracing::{EventWriter, Sink};
use crate::router::handle::Router;
use crate::router::name::{LogName, Naming};
use crate::router::queue::NonBlockingRouter;

/// The field of a `log` record's target, in an event the `log` bridge
/// made of it.
const LOG_TARGET: &str = "log.target";

/// What names the event being formatted on this thread, read from its
/// fields, and which event it belongs to.
#[derive(Default)]
struct FieldValue {
    /// The event's metadata, by address: the `MakeWriter` is handed the
    /// same.
    event: usize,
    found: Option<Source>,
    value: String,
}

/// Where a name read from the fields came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The naming field: the name itself.
    Field,
    /// A bridged `log` record's target: named as targets are.
    LogTarget,
}

thread_local! {
    static FIELD: RefCell<FieldValue> = RefCell::default();
}

fn address(meta: &Metadata<'_>) -> usize {
    meta as *const Metadata<'_> as usize
}

/// What `with` makes of the name read from the fields of the event whose
/// metadata is `meta`; `None` if none was read for it.
fn with_field<R>(meta: &Metadata<'_>, with: impl FnOnce(&str, Source) -> R) -> Option<R> {
    FIELD
        .try_with(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            let source = slot.found.take()?;
            (slot.event == address(meta)).then(|| with(&slot.value, source))
        })
        .ok()
        .flatten()
}

/// Hands `with` the value of the naming field a [`FieldFormat`] read for
/// the event whose metadata is `meta`, on this thread, if it did: for an
/// event formatter that prints it as the event's name.
pub(crate) fn with_naming_field<R>(
    meta: &Metadata<'_>,
    mut with: impl FnMut(Option<&str>) -> R,
) -> R {
    FIELD
        .try_with(|slot| match slot.try_borrow() {
            Ok(slot) if slot.found == Some(Source::Field) && slot.event == address(meta) => {
                with(Some(&slot.value))
            }
            _ => with(None),
        })
        .unwrap_or_else(|_| with(None))
}

impl<'a> MakeWriter<'a> for Router {
    type Writer = EventWriter<'a>;

    /// A writer with no event to name it: to the fallback file.
    fn make_writer(&'a self) -> Self::Writer {
        EventWriter::new(Sink::Routed(self.file_for(&LogName::FALLBACK, 1)))
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        let read = with_field(meta, |value, source| match source {
            Source::Field => self.file_for_field(value),
            Source::LogTarget => self.file_for_target(value),
        });
        let file = read.unwrap_or_else(|| self.file_for_target(meta.target()));
        EventWriter::new(Sink::Routed(file))
    }
}

impl<'a> MakeWriter<'a> for NonBlockingRouter {
    type Writer = EventWriter<'a>;

    /// A writer with no event to name it: to the fallback file.
    fn make_writer(&'a self) -> Self::Writer {
        EventWriter::new(Sink::RouterQueue(self, LogName::FALLBACK))
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> Self::Writer {
        let router = self.router();
        let name = with_field(meta, |value, source| match source {
            Source::Field => router.checked(value, LogName::new(value)),
            Source::LogTarget => router.name_of_target(value),
        })
        .unwrap_or_else(|| router.name_of_target(meta.target()));
        EventWriter::new(Sink::RouterQueue(self, name))
    }
}

/// An event formatter that also reads what names an event when its
/// metadata does not: the field a [`Router`] with [`Naming::Field`] names
/// events by, and the target of a `log` record that tracing-subscriber's
/// `log` bridge made an event of (whose metadata says `log`). It hands the
/// formatter it wraps the event without the naming field (unless
/// [`print_field`](FieldFormat::print_field) asks for it): the name
/// chooses the file, and [`PythonFormat`](crate::PythonFormat)'s
/// `%(name)s` prints it. Made by [`Router::field_format`].
#[derive(Debug, Clone)]
pub struct FieldFormat<F> {
    field: Option<&'static str>,
    print_field: bool,
    inner: F,
}

// === impl Router ===

impl Router {
    /// Wraps an event formatter so that it reads what names an event when
    /// the metadata the router is handed does not: the field this router
    /// names events by ([`Naming::Field`]), left out of the line, and the
    /// target of a `log` record bridged into `tracing` by tracing-subscriber
    /// (its `init()` installs the bridge), which otherwise would be named
    /// `log`. Give it to the fmt layer (or subscriber) that writes through
    /// the router; for other events the wrapper only formats.
    ///
    /// ```
    /// use concurrent_rotating_file::{Naming, RotatingFile, Router};
    /// # let dir = tempfile::tempdir()?;
    /// # let logs = dir.path().to_path_buf();
    ///
    /// let router = Router::new(move |name: &str| RotatingFile::builder(logs.join(format!("{name}.log"))))
    ///     .naming(Naming::Field("logger"));
    /// let subscriber = tracing_subscriber::fmt()
    ///     .with_ansi(false) // before `event_format`: it sets the fmt layer's choice
    ///     .event_format(router.field_format(tracing_subscriber::fmt::format()))
    ///     .with_writer(router)
    ///     .finish();
    /// tracing::subscriber::with_default(subscriber, || {
    ///     tracing::info!(logger = "billing", "invoice sent");
    ///     tracing::info!(target: "web", "no logger field: named by the target");
    /// });
    /// assert!(std::fs::read_to_string(dir.path().join("billing.log"))?.contains("invoice sent"));
    /// assert!(std::fs::read_to_string(dir.path().join("web.log"))?.contains("no logger field"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn field_format<F>(&self, inner: F) -> FieldFormat<F> {
        let field = match self.options().naming {
            Naming::Field(field) => Some(field),
            _ => None,
        };
        FieldFormat {
            field,
            print_field: false,
            inner,
        }
    }
}

// === impl FieldFormat ===

impl<F> FieldFormat<F> {
    /// Whether the formatter it wraps also prints the naming field, as any
    /// other field (`logger="web"`). Default: `false`, the field is read
    /// for the name and left out of the line.
    #[must_use]
    pub fn print_field(mut self, print: bool) -> FieldFormat<F> {
        self.print_field = print;
        self
    }
}

impl<S, N, F> FormatEvent<S, N> for FieldFormat<F>
where
    F: FormatEvent<S, N>,
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        let bridged = meta.fields().field(LOG_TARGET).is_some();
        if self.field.is_none() && !bridged {
            return self.inner.format_event(ctx, writer, event);
        }
        // Fails only while the thread is torn down, or if formatting this
        // event logs another: that one is then named by its target.
        let found = FIELD
            .try_with(|slot| {
                let mut slot = slot.try_borrow_mut().ok()?;
                slot.event = address(meta);
                slot.found = None;
                slot.value.clear();
                event.record(&mut FieldVisitor {
                    field: self.field,
                    slot: &mut slot,
                });
                slot.found
            })
            .ok()
            .flatten();
        match (found, self.field) {
            (Some(Source::Field), Some(field)) if !self.print_field => {
                without_field(event, field, |event| {
                    self.inner.format_event(ctx, writer, event)
                })
            }
            _ => self.inner.format_event(ctx, writer, event),
        }
    }
}

/// Copies what names the event into the thread's slot: the naming field's
/// value, or a bridged `log` record's target.
struct FieldVisitor<'a> {
    field: Option<&'static str>,
    slot: &'a mut FieldValue,
}

impl FieldVisitor<'_> {
    fn source(&self, field: &Field) -> Option<Source> {
        match field.name() {
            name if Some(name) == self.field => Some(Source::Field),
            LOG_TARGET if self.slot.found.is_none() => Some(Source::LogTarget),
            _ => None,
        }
    }
}

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if let Some(source) = self.source(field) {
            self.slot.value.clear();
            self.slot.value.push_str(value);
            self.slot.found = Some(source);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if let Some(source) = self.source(field) {
            self.slot.value.clear();
            // Into a String: cannot fail unless `value`'s impl does.
            let _ = write!(self.slot.value, "{value:?}");
            self.slot.found = Some(source);
        }
    }
}
