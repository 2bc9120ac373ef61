//! One file per component under `logs/` (`logs/<name>.log`), one shared
//! handle per name in the process, handed to every thread that logs for
//! that component.
//!
//! ```text
//! cargo run --example per_component_files
//! ```
//!
//! Its dependencies, as a crate of your own would list them:
//!
//! ```toml
//! [dependencies]
//! concurrent-rotating-file = { path = "../concurrent-rotating-file" }
//! tempfile = "3"
//! ```

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use concurrent_rotating_file::{Error, RotatingFile};

/// The process's log files, opened once per name. Opening the same path
/// twice would also be safe (the two handles lock like two processes), but
/// one handle per name is cheaper and shares one set of open files.
#[derive(Debug, Default)]
struct Logs {
    dir: PathBuf,
    files: Mutex<HashMap<String, RotatingFile>>,
}

impl Logs {
    fn new(dir: &Path) -> Logs {
        Logs {
            dir: dir.to_path_buf(),
            files: Mutex::default(),
        }
    }

    /// A handle onto `logs/<name>.log` (a clone: each has its own line
    /// buffer, all share the file).
    fn get(&self, name: &str) -> Result<RotatingFile, Error> {
        let mut files = self.files.lock().expect("no panics while held");
        if let Some(file) = files.get(name) {
            return Ok(file.clone());
        }
        let file = RotatingFile::builder(self.dir.join(format!("{name}.log")))
            .max_bytes(64 * 1024)
            .open()?;
        files.insert(name.to_owned(), file.clone());
        Ok(file)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let logs = Arc::new(Logs::new(&dir.path().join("logs")));
    let threads: Vec<_> = ["db", "http", "scheduler", "http", "db"]
        .into_iter()
        .enumerate()
        .map(|(t, component)| {
            let logs = Arc::clone(&logs);
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut log = logs.get(component)?;
                for i in 0..1000 {
                    writeln!(log, "thread {t} {component} event {i}")?;
                }
                Ok(())
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no panic")?;
    }
    for (name, expected) in [("db", 2000), ("http", 2000), ("scheduler", 1000)] {
        let mut lines = 0;
        for entry in std::fs::read_dir(dir.path().join("logs"))? {
            let path = entry?.path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{name}.log")))
            {
                lines += std::fs::read_to_string(&path)?.lines().count();
            }
        }
        println!("logs/{name}.log and its backups: {lines} lines");
        assert_eq!(lines, expected);
    }
    Ok(())
}
