//! A service run as several processes, "web" and "worker", all logging
//! through `tracing` to the console and, through a background writer, to
//! one shared `logs/app.log`, each event tagged with the process's role.
//!
//! ```text
//! cargo run --example web_and_worker            # starts 2 web + 2 worker processes
//! cargo run --example web_and_worker -- DIR     # ... writing DIR/logs/app.log
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

use std::path::{Path, PathBuf};
use std::process::Command;

use concurrent_rotating_file::RotatingFile;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, role, dir] = &args[..]
        && flag == "--role"
    {
        return serve(role, Path::new(dir));
    }
    let temp = tempfile::tempdir()?;
    let dir = args
        .first()
        .map_or_else(|| temp.path().to_path_buf(), PathBuf::from);
    let exe = std::env::current_exe()?;
    let children: Vec<_> = ["web", "web", "worker", "worker"]
        .iter()
        .map(|role| Command::new(&exe).args(["--role", role]).arg(&dir).spawn())
        .collect::<Result<_, _>>()?;
    for mut child in children {
        assert!(child.wait()?.success());
    }
    let log = std::fs::read_to_string(dir.join("logs/app.log"))?;
    let count = |needle: &str| log.lines().filter(|l| l.contains(needle)).count();
    println!(
        "logs/app.log: {} web events, {} worker events",
        count("role=\"web\""),
        count("role=\"worker\"")
    );
    assert_eq!(
        (count("role=\"web\""), count("role=\"worker\"")),
        (200, 200)
    );
    Ok(())
}

/// One process of the service.
fn serve(role: &str, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let file = RotatingFile::builder(dir.join("logs/app.log")).open()?;
    // The guard lives until the end of this function: dropping it writes
    // whatever is still queued.
    let (file_writer, _guard) = file.non_blocking();
    // The role goes in each event's fields, which every layer formats for
    // itself. (Span fields are formatted once and shared between fmt
    // layers: a coloured console layer would leave its colour codes in the
    // file's copy of them.)
    let console = std::io::IsTerminal::is_terminal(&std::io::stdout());
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stdout)
                .with_ansi(console),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(file_writer)
                .with_ansi(false),
        )
        .init();
    let pid = std::process::id();
    for i in 0..100 {
        match role {
            "web" => tracing::info!(
                role,
                pid,
                path = "/api/items",
                status = 200,
                "request {i} served"
            ),
            _ => tracing::info!(role, pid, job = i, "job {i} done"),
        }
    }
    Ok(())
}
