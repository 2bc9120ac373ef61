//! [`PythonFormat`] as a `tracing-subscriber` event formatter: an event
//! becomes the line Python's `logging.Formatter` would write for the same
//! name, level, time and message.
//!
//! The message is the event's `message` field, followed by its other fields
//! as ` key=value` (as tracing-subscriber's own formatter writes them). The
//! name is the field a [`Router`](crate::Router) names events by when a
//! [`FieldFormat`](crate::FieldFormat) read it for this event, else the
//! target. An event forwarded from the `log` crate by tracing-subscriber's
//! `tracing-log` bridge carries the record's target, file and line in
//! `log.*` fields: they are used as such, never printed.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use tracing_core::field::{Field, Visit};
use tracing_core::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::format::python::{Level, Line, PythonFormat};
use crate::integrations::tracing_router::with_naming_field;

/// A text kept per thread between events; one that grew past this is let
/// go rather than held for ever.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What an event's fields give a line.
#[derive(Default)]
struct EventFields {
    /// The message, then ` key=value` for each other field.
    message: String,
    /// Where the fields after the message start in `message`: the message
    /// is written there once it is found, wherever it comes.
    message_end: usize,
    /// From the `log` bridge: the record's own target, file and line.
    log_target: Option<String>,
    log_file: Option<String>,
    log_line: Option<u32>,
}

thread_local! {
    static FIELDS: RefCell<EventFields> = RefCell::default();
}

impl<S, N> FormatEvent<S, N> for PythonFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // An event logged while this thread formats another (a `Display`
        // that logs) gets fields of its own.
        let written = FIELDS.try_with(|slot| match slot.try_borrow_mut() {
            Ok(mut fields) => self.write_event(&mut writer, event, &mut fields),
            Err(_) => self.write_event(&mut writer, event, &mut EventFields::default()),
        });
        written
            .unwrap_or_else(|_| self.write_event(&mut writer, event, &mut EventFields::default()))
    }
}

impl PythonFormat {
    fn write_event(
        &self,
        writer: &mut Writer<'_>,
        event: &Event<'_>,
        fields: &mut EventFields,
    ) -> fmt::Result {
        fields.clear();
        event.record(fields);
        let meta = event.metadata();
        let level = match *meta.level() {
            tracing_core::Level::ERROR => Level::Error,
            tracing_core::Level::WARN => Level::Warning,
            tracing_core::Level::INFO => Level::Info,
            tracing_core::Level::DEBUG => Level::Debug,
            tracing_core::Level::TRACE => Level::Trace,
        };
        let target = fields.log_target.as_deref().unwrap_or(meta.target());
        let file = fields.log_file.as_deref().or(meta.file());
        let line = fields.log_line.or(meta.line());
        let written = with_naming_field(meta, |name| {
            let line = Line {
                name: name.unwrap_or(target),
                level,
                message: &fields.message,
                file,
                line,
            };
            self.write(writer, &line)
        });
        if fields.message.capacity() > KEEP_CAPACITY {
            *fields = EventFields::default();
        }
        written?;
        writer.write_char('\n')
    }
}

impl EventFields {
    fn clear(&mut self) {
        self.message.clear();
        self.message_end = 0;
        self.log_target = None;
        self.log_file = None;
        self.log_line = None;
    }

    /// Adds ` name=value` after the message.
    fn push_field(&mut self, field: &Field, value: fmt::Arguments<'_>) {
        let name = field.name();
        // tracing-subscriber writes `r#type` as `type`; so does this.
        let name = name.strip_prefix("r#").unwrap_or(name);
        if !self.message.is_empty() {
            self.message.push(' ');
        }
        // Into a String: fails only if a value's `Debug` does.
        let _ = write!(self.message, "{name}={value}");
    }

    /// Puts the message before the fields recorded so far.
    fn set_message(&mut self, message: fmt::Arguments<'_>) {
        let fields = self.message.split_off(self.message_end);
        let _ = self.message.write_fmt(message);
        self.message_end = self.message.len();
        if !fields.is_empty() {
            if !fields.starts_with(' ') && self.message_end > 0 {
                self.message.push(' ');
            }
            self.message.push_str(&fields);
        }
    }
}

impl Visit for EventFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.set_message(format_args!("{value}")),
            "log.target" => self.log_target = Some(value.to_owned()),
            "log.file" => self.log_file = Some(value.to_owned()),
            "log.module_path" => {}
            _ => self.push_field(field, format_args!("{value:?}")),
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "log.line" => self.log_line = u32::try_from(value).ok(),
            _ => self.record_debug(field, &value),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        match field.name() {
            "message" => self.set_message(format_args!("{value:?}")),
            "log.target" | "log.file" | "log.line" | "log.module_path" => {}
            _ => self.push_field(field, format_args!("{value:?}")),
        }
    }
}
