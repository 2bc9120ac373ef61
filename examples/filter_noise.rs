//! Keeping noise out of the file with tracing-subscriber's own tools:
//! events whose message contains "HTTP Request:" are dropped, and the
//! `password` field is redacted, before anything reaches the rotating file.
//!
//! ```text
//! cargo run --example filter_noise
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file" }
//! tempfile = "3"
//! tracing = "0.1"
//! tracing-subscriber = "0.3"
//! ```

use std::fmt;

use concurrent_rotating_file::RotatingFile;
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format;
use tracing_subscriber::layer::{Context, Filter, SubscriberExt};

/// Drops events whose message contains a needle.
struct DropMessages(&'static str);

impl<S> Filter<S> for DropMessages {
    fn enabled(&self, _: &tracing::Metadata<'_>, _: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &tracing::Event<'_>, _: &Context<'_, S>) -> bool {
        struct Message<'a>(&'a str, bool);
        impl Visit for Message<'_> {
            fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
                if field.name() == "message" && format!("{value:?}").contains(self.0) {
                    self.1 = true;
                }
            }
        }
        let mut found = Message(self.0, false);
        event.record(&mut found);
        !found.1
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let log = RotatingFile::builder(dir.path().join("logs/app.log")).open()?;
    // `delimited` puts a space between fields: a field function alone
    // writes them end to end.
    let redacting = format::debug_fn(|writer, field, value| match field.name() {
        "password" => write!(writer, "{field}=[redacted]"),
        "message" => write!(writer, "{value:?}"),
        _ => write!(writer, "{field}={value:?}"),
    })
    .delimited(" ");
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(log.clone())
        .with_ansi(false)
        .fmt_fields(redacting)
        .with_filter(DropMessages("HTTP Request:"));
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("HTTP Request: GET /health 200");
        tracing::info!(user = "ann", password = "hunter2", "login");
        tracing::info!("HTTP Request: GET /metrics 200");
        tracing::warn!("disk 91% full");
    });
    let text = std::fs::read_to_string(log.path())?;
    print!("{text}");
    assert_eq!(text.lines().count(), 2);
    assert!(!text.contains("HTTP Request:") && !text.contains("hunter2"));
    assert!(
        text.contains(r#"login user="ann" password=[redacted]"#),
        "{text}"
    );
    Ok(())
}
