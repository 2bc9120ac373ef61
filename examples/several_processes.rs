//! Several processes share one rotating log: this program starts copies of
//! itself, each writing lines to `logs/app.log` (in a temporary directory, or
//! the directory given as the first argument), then shows the files left.
//!
//! ```text
//! cargo run --example several_processes
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file" }
//! tempfile = "3"
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

use concurrent_rotating_file::RotatingFile;

const PROCESSES: usize = 4;
const LINES: usize = 5_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    if let (Some(role), Some(log)) = (args.next(), args.next())
        && role == "--child"
    {
        return write_lines(PathBuf::from(log));
    }
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("logs/app.log");
    let exe = std::env::current_exe()?;
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| Command::new(&exe).arg("--child").arg(&log).spawn())
        .collect::<Result<_, _>>()?;
    for mut child in children {
        assert!(child.wait()?.success());
    }
    let mut files: Vec<(String, u64)> = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("logs"))? {
        let entry = entry?;
        files.push((
            entry.file_name().to_string_lossy().into_owned(),
            entry.metadata()?.len(),
        ));
    }
    files.sort();
    let mut lines = 0;
    for (name, len) in &files {
        println!("{name:24} {len:>8} bytes");
        if name.starts_with("app.log") {
            lines += std::fs::read_to_string(dir.path().join("logs").join(name))?
                .lines()
                .count();
        }
    }
    println!(
        "{lines} lines from {PROCESSES} processes ({} expected)",
        PROCESSES * LINES
    );
    assert_eq!(lines, PROCESSES * LINES);
    Ok(())
}

fn write_lines(log: PathBuf) -> Result<(), Box<dyn std::error::Error>> {
    let mut log = RotatingFile::builder(log)
        .max_bytes(64 * 1024)
        .backups(20)
        .open()?;
    let pid = std::process::id();
    for i in 0..LINES {
        writeln!(
            log,
            "pid {pid} line {i:05} handled a request in {} ms",
            i % 97
        )?;
    }
    Ok(())
}
