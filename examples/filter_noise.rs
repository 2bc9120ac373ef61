//! Keeping noise out of the file: the records whose text contains "HTTP
//! Request:" (an HTTP client's chatter) are dropped by the file's record
//! filter, whatever writes them (`tracing`, `log`, `io::Write`), and the
//! `password` field is redacted by tracing-subscriber's field formatter,
//! before anything reaches the rotating file.
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

use concurrent_rotating_file::RotatingFile;
use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let log = RotatingFile::builder(dir.path().join("logs/app.log"))
        // Sees each record whole, as it would be written; true keeps it.
        .filter(|record: &[u8]| !record.windows(13).any(|w| w == b"HTTP Request:"))
        .open()?;
    // `delimited` puts a space between fields: a field function alone
    // writes them end to end.
    let redacting = format::debug_fn(|writer, field, value| match field.name() {
        "password" => write!(writer, "{field}=[redacted]"),
        "message" => write!(writer, "{value:?}"),
        _ => write!(writer, "{field}={value:?}"),
    })
    .delimited(" ");
    let subscriber = tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .fmt_fields(redacting)
        .finish();
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
    assert_eq!(log.stats().filtered, 2);
    Ok(())
}
