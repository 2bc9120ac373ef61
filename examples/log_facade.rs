//! Using the library with the `log` crate: env_logger formats the records
//! and pipes them into a `RotatingFile` (`Target::Pipe`); each record ends
//! with a newline, so each is appended whole.
//!
//! ```text
//! cargo run --example log_facade
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file" }
//! env_logger = "0.11"
//! log = "0.4"
//! tempfile = "3"
//! ```

use concurrent_rotating_file::RotatingFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let log = RotatingFile::builder(dir.path().join("logs/app.log"))
        .max_bytes(2048)
        .open()?;
    env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .target(env_logger::Target::Pipe(Box::new(log.clone())))
        .init();
    for i in 0..100 {
        log::info!("request {i} served");
    }
    log::debug!("not written: below the level");
    log::logger().flush();
    let mut lines = 0;
    for entry in std::fs::read_dir(dir.path().join("logs"))? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("app.log"))
        {
            let text = std::fs::read_to_string(&path)?;
            assert!(
                text.lines()
                    .all(|l| l.contains("request ") && l.ends_with(" served"))
            );
            lines += text.lines().count();
        }
    }
    println!("{lines} records through the log facade, whole, across rotations");
    assert_eq!(lines, 100);
    Ok(())
}
