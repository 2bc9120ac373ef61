//! A `tracing` event without one of its fields, for the formatter a
//! [`FieldFormat`](crate::FieldFormat) wraps: the field a router names
//! events by chooses the file and is not printed in the line.
//!
//! An event's values can only be visited, not borrowed out, so the copy
//! records each value it keeps (an allocation per event, only for events
//! that carry the naming field) and makes a new event of the same
//! callsite, metadata and parent from them. Formatters read it as they
//! read the original: strings are still strings, numbers numbers, and
//! what was recorded through `Debug` (the message among them) prints the
//! same text.

use std::fmt::{self, Write as _};

use tracing_core::Event;
use tracing_core::field::{DisplayValue, Field, Value, Visit, display};

/// The most fields a callsite has: what `tracing`'s macros allow.
const MAX_FIELDS: usize = 32;

/// One value, as recorded.
enum Recorded {
    Str(String),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Bool(bool),
    /// Recorded through `Debug`: its text.
    Shown(DisplayValue<String>),
}

impl Recorded {
    fn as_value(&self) -> &dyn Value {
        match self {
            Recorded::Str(s) => s,
            Recorded::I64(n) => n,
            Recorded::U64(n) => n,
            Recorded::I128(n) => n,
            Recorded::U128(n) => n,
            Recorded::F64(x) => x,
            Recorded::Bool(b) => b,
            Recorded::Shown(text) => text,
        }
    }
}

/// The values of an event but one.
struct KeptValues {
    skip: &'static str,
    values: Vec<(Field, Recorded)>,
}

impl KeptValues {
    fn keep(&mut self, field: &Field, value: Recorded) {
        if field.name() != self.skip {
            self.values.push((field.clone(), value));
        }
    }
}

impl Visit for KeptValues {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.keep(field, Recorded::Str(value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.keep(field, Recorded::I64(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.keep(field, Recorded::U64(value));
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.keep(field, Recorded::I128(value));
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.keep(field, Recorded::U128(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.keep(field, Recorded::F64(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.keep(field, Recorded::Bool(value));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == self.skip {
            return;
        }
        let mut text = String::new();
        // Into a String: fails only if the value's `Debug` does.
        let _ = write!(text, "{value:?}");
        self.keep(field, Recorded::Shown(display(text)));
    }
}

/// Calls `with` with `event` less its field `skip` (the event itself if it
/// has no such field, or more fields than a callsite may have).
pub(crate) fn without_field<R>(
    event: &Event<'_>,
    skip: &'static str,
    with: impl FnOnce(&Event<'_>) -> R,
) -> R {
    let meta = event.metadata();
    let fields = meta.fields();
    let Some(skipped) = fields.field(skip) else {
        return with(event);
    };
    let mut copy = KeptValues {
        skip,
        values: Vec::with_capacity(fields.len()),
    };
    event.record(&mut copy);
    if copy.values.len() > MAX_FIELDS {
        return with(event);
    }
    // Slots left over name the skipped field with no value: not recorded.
    let mut values: [(&Field, Option<&dyn Value>); MAX_FIELDS] = [(&skipped, None); MAX_FIELDS];
    for (slot, (field, value)) in values.iter_mut().zip(&copy.values) {
        *slot = (field, Some(value.as_value()));
    }
    let value_set = fields.value_set(&values);
    let copied = if event.is_contextual() {
        Event::new(meta, &value_set)
    } else {
        Event::new_child_of(event.parent().cloned(), meta, &value_set)
    };
    with(&copied)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::{Context, SubscriberExt};

    use super::*;

    /// Records what each event looks like once copied without `logger`.
    struct Copies(Arc<Mutex<Vec<String>>>);

    impl<S: tracing_core::Subscriber> tracing_subscriber::Layer<S> for Copies {
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let text = without_field(event, "logger", |copied| {
                struct Show(String);
                impl Visit for Show {
                    fn record_str(&mut self, field: &Field, value: &str) {
                        let _ = write!(self.0, "{}=str:{value} ", field.name());
                    }
                    fn record_u64(&mut self, field: &Field, value: u64) {
                        let _ = write!(self.0, "{}=u64:{value} ", field.name());
                    }
                    fn record_bool(&mut self, field: &Field, value: bool) {
                        let _ = write!(self.0, "{}=bool:{value} ", field.name());
                    }
                    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
                        let _ = write!(self.0, "{}=debug:{value:?} ", field.name());
                    }
                }
                let mut show = Show(String::new());
                copied.record(&mut show);
                assert!(std::ptr::eq(copied.metadata(), event.metadata()));
                show.0
            });
            self.0.lock().unwrap().push(text);
        }
    }

    #[test]
    fn an_event_copied_without_its_naming_field_keeps_every_other_value_as_it_was() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry().with(Copies(Arc::clone(&seen)));
        tracing::subscriber::with_default(subscriber, || {
            let user = "ann";
            tracing::info!(
                logger = "web",
                count = 3u64,
                ok = true,
                user,
                "served {}",
                7
            );
            tracing::info!(count = 1u64, "no naming field");
        });
        assert_eq!(
            *seen.lock().unwrap(),
            [
                "message=debug:served 7 count=u64:3 ok=bool:true user=str:ann ",
                "message=debug:no naming field count=u64:1 ",
            ]
        );
    }
}
