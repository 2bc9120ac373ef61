//! `tracing-subscriber` glue for routers: [`Router`] and
//! [`NonBlockingRouter`] as [`MakeWriter`]s, and [`FieldFormat`], which
//! reads the field events are named by.
//!
//! The fmt layer formats an event, then asks its `MakeWriter` for a writer
//! given the event's metadata alone. The name is taken from the metadata
//! (the target) there; a field's value is not in the metadata, so
//! [`FieldFormat`] reads it while the event is formatted, just before, on
//! the same thread, and leaves it for the `MakeWriter` of that very event.

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

/// The value of the naming field of the event being formatted on this
/// thread, and which event it belongs to.
#[derive(Default)]
struct FieldValue {
    /// The event's metadata, by address: the `MakeWriter` is handed the
    /// same.
    event: usize,
    found: bool,
    value: String,
}

thread_local! {
    static FIELD: RefCell<FieldValue> = RefCell::default();
}

fn address(meta: &Metadata<'_>) -> usize {
    meta as *const Metadata<'_> as usize
}

/// With [`Naming::Field`], what `with` makes of the field's value read
/// for the event whose metadata is `meta`; `None` if the field was not
/// read for it.
fn with_field<R>(router: &Router, meta: &Metadata<'_>, with: impl FnOnce(&str) -> R) -> Option<R> {
    let Naming::Field(_) = router.options().naming else {
        return None;
    };
    FIELD
        .try_with(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            if !std::mem::take(&mut slot.found) || slot.event != address(meta) {
                return None;
            }
            Some(with(&slot.value))
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
            Ok(slot) if slot.found && slot.event == address(meta) => with(Some(&slot.value)),
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
        let file = match with_field(self, meta, |value| self.file_for_field(value)) {
            Some(file) => file,
            None => self.file_for_target(meta.target()),
        };
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
        let name = with_field(router, meta, |value| {
            router.checked(value, LogName::new(value))
        })
        .unwrap_or_else(|| router.name_of_target(meta.target()));
        EventWriter::new(Sink::RouterQueue(self, name))
    }
}

/// An event formatter that also reads the field a [`Router`] with
/// [`Naming::Field`] names events by, and hands the formatter it wraps the
/// event without that field (unless [`print_field`](FieldFormat::print_field)
/// asks for it): the name chooses the file, and [`PythonFormat`](crate::PythonFormat)'s
/// `%(name)s` prints it. Made by [`Router::field_format`].
#[derive(Debug, Clone)]
pub struct FieldFormat<F> {
    field: Option<&'static str>,
    print_field: bool,
    inner: F,
}

// === impl Router ===

impl Router {
    /// Wraps an event formatter so that it reads the field this router
    /// names events by ([`Naming::Field`]); give it to the fmt layer (or
    /// subscriber) that writes through the router. With another naming,
    /// the wrapper only formats.
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
        let Some(field) = self.field else {
            return self.inner.format_event(ctx, writer, event);
        };
        // Fails only while the thread is torn down, or if formatting this
        // event logs another: that one is then named by its target.
        let found = FIELD
            .try_with(|slot| {
                let Ok(mut slot) = slot.try_borrow_mut() else {
                    return false;
                };
                slot.event = address(event.metadata());
                slot.found = false;
                slot.value.clear();
                event.record(&mut FieldVisitor {
                    field,
                    slot: &mut slot,
                });
                slot.found
            })
            .unwrap_or(false);
        if !found || self.print_field {
            return self.inner.format_event(ctx, writer, event);
        }
        without_field(event, field, |event| {
            self.inner.format_event(ctx, writer, event)
        })
    }
}

/// Copies the value of one field into the thread's slot.
struct FieldVisitor<'a> {
    field: &'static str,
    slot: &'a mut FieldValue,
}

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == self.field {
            self.slot.value.clear();
            self.slot.value.push_str(value);
            self.slot.found = true;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == self.field {
            self.slot.value.clear();
            // Into a String: cannot fail unless `value`'s impl does.
            let _ = write!(self.slot.value, "{value:?}");
            self.slot.found = true;
        }
    }
}
