//! Audit events as JSON lines in `logs/audit.log`, through
//! tracing-subscriber's JSON formatter, rotated at 4 KiB here (1 MiB by
//! default) with gzipped backups; then every line is read back, backups
//! included, and parsed.
//!
//! ```text
//! cargo run --example json_audit
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file" }
//! flate2 = "1"
//! serde_json = "1"
//! tempfile = "3"
//! tracing = "0.1"
//! tracing-subscriber = { version = "0.3", features = ["json"] }
//! ```

use std::io::Read;

use concurrent_rotating_file::{Compression, RotatingFile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("logs/audit.log");
    let audit = RotatingFile::builder(&path)
        .max_bytes(4096)
        .backups(50)
        .compression(Compression::Gzip)
        .open()?;
    let subscriber = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_writer(audit.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..200 {
            tracing::info!(target: "audit", user = i % 7, action = "login", ip = "10.0.0.1", "user logged in");
        }
    });
    drop(audit); // waits for the queued compressions

    let mut events = 0;
    let mut files: Vec<_> = std::fs::read_dir(dir.path().join("logs"))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("audit.log"))
    });
    for file in &files {
        let mut text = String::new();
        if file.extension().is_some_and(|e| e == "gz") {
            flate2::read::GzDecoder::new(std::fs::File::open(file)?).read_to_string(&mut text)?;
        } else {
            text = std::fs::read_to_string(file)?;
        }
        for line in text.lines() {
            let event: serde_json::Value = serde_json::from_str(line)?;
            assert_eq!(event["action"], "login");
            events += 1;
        }
    }
    println!(
        "{events} audit events, whole JSON lines, in {} files (backups gzipped)",
        files.len()
    );
    assert_eq!(events, 200);
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "gz"))
    );
    Ok(())
}
