//! Where a run writes: a fresh temporary directory, removed after a run
//! that passes, or `--dir`, checked before anything starts.
//!
//! A `--dir` must be a writable directory (created if missing) and empty,
//! because leftovers of an earlier run would be read back as this run's.
//! `--force` deletes the files a run leaves, and only those: the log
//! (`app.log`), its backups (`app.log.*`), a restart-proof run's files
//! (`app.000001.log`, ..., gzipped or not), Python's lock (`.__app.lock`),
//! and the library's files for the log in its hidden directory
//! (`.concurrent-rotating-file/app.log.*`: lock, state, temporary files),
//! then that directory if it is left empty. Anything else makes the run
//! refuse, `--force` or not.

use std::path::{Path, PathBuf};

use crf_tools::verify::OWN_DIR;
use tempfile::TempDir;

/// The log's file name in the run's directory.
const LOG_NAME: &str = "app.log";

/// The run's directory.
#[derive(Debug)]
pub(crate) struct RunDir {
    path: PathBuf,
    /// Set when the directory is a temporary one of ours.
    temp: Option<TempDir>,
}

impl RunDir {
    /// Prepares `dir` (or a temporary directory); the message names the
    /// path and what is wrong with it.
    pub(crate) fn prepare(dir: Option<&Path>, force: bool) -> Result<RunDir, String> {
        let Some(dir) = dir else {
            let temp = tempfile::Builder::new()
                .prefix("crf-stress-")
                .tempdir()
                .map_err(|e| {
                    format!(
                        "cannot create a temporary directory in {}: {e}",
                        std::env::temp_dir().display()
                    )
                })?;
            return Ok(RunDir {
                path: temp.path().to_path_buf(),
                temp: Some(temp),
            });
        };
        let shown = dir.display();
        match std::fs::metadata(dir) {
            Ok(meta) if !meta.is_dir() => return Err(format!("--dir {shown} is not a directory")),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
                .map_err(|e| format!("--dir {shown}: cannot create it: {e}"))?,
            Err(e) => return Err(format!("--dir {shown}: {e}")),
        }
        tempfile::Builder::new()
            .prefix(".crf-stress-probe")
            .tempfile_in(dir)
            .map_err(|e| {
                format!("--dir {shown} is not writable: cannot create a file in it: {e}")
            })?;
        let (ours, others) =
            entries(dir).map_err(|e| format!("--dir {shown}: cannot list it: {e}"))?;
        if let Some(other) = others.first() {
            return Err(if force {
                format!(
                    "--dir {shown} holds files that are not from a run, such as `{other}`; --force deletes only app.log, its backups and the library's files for it: choose another directory"
                )
            } else {
                format!(
                    "--dir {shown} is not empty (it holds `{other}`): choose an empty directory"
                )
            });
        }
        if !ours.is_empty() && !force {
            let example = ours
                .iter()
                .find(|n| !n.starts_with('.'))
                .unwrap_or(&ours[0]);
            return Err(format!(
                "--dir {shown} holds an earlier run's files (such as `{example}`), which would be read back as this run's: add --force to delete them, or choose an empty directory"
            ));
        }
        for name in &ours {
            let path = dir.join(name);
            std::fs::remove_file(&path)
                .map_err(|e| format!("--force: cannot delete {}: {e}", path.display()))?;
        }
        let own = dir.join(OWN_DIR);
        if own.is_dir() {
            std::fs::remove_dir(&own)
                .map_err(|e| format!("--force: cannot delete {}: {e}", own.display()))?;
        }
        Ok(RunDir {
            path: dir.to_path_buf(),
            temp: None,
        })
    }

    /// The live log file of the run.
    pub(crate) fn log(&self) -> PathBuf {
        self.path.join(LOG_NAME)
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the directory is a temporary one of ours, removed when the
    /// run ends but for a failed check.
    pub(crate) fn is_temporary(&self) -> bool {
        self.temp.is_some()
    }

    /// Removes a temporary directory after a run that passed; keeps it
    /// otherwise. `--dir` is always kept.
    pub(crate) fn finish(self, passed: bool) {
        match self.temp {
            Some(temp) if !passed => {
                let _ = temp.keep();
            }
            _ => {}
        }
    }
}

/// The names in `dir`, relative to it: a run's files (plain files or
/// links named like the log, its backups or Python's lock, and the
/// library's files for the log in its hidden directory), and everything
/// else.
fn entries(dir: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let python_lock = format!(".__{}.", LOG_NAME.trim_end_matches(".log"));
    let backup = format!("{LOG_NAME}.");
    let (mut ours, mut others) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_dir = entry.file_type()?.is_dir();
        if is_dir && name == OWN_DIR {
            for inner in std::fs::read_dir(entry.path())? {
                let inner = inner?;
                let inner_name = inner.file_name().to_string_lossy().into_owned();
                let shown = format!("{OWN_DIR}/{inner_name}");
                if !inner.file_type()?.is_dir() && inner_name.starts_with(&backup) {
                    ours.push(shown);
                } else {
                    others.push(shown);
                }
            }
        } else if !is_dir
            && (name == LOG_NAME
                || name.starts_with(&backup)
                || name.starts_with(&python_lock)
                || is_restart_proof_file(&name))
        {
            ours.push(name);
        } else {
            others.push(name);
        }
    }
    ours.sort();
    others.sort();
    Ok((ours, others))
}

/// Whether `name` is one of a restart-proof run's files: `app.000001.log`,
/// gzipped or not.
fn is_restart_proof_file(name: &str) -> bool {
    let stem = LOG_NAME.trim_end_matches(".log");
    name.strip_prefix(stem)
        .and_then(|rest| rest.strip_prefix('.'))
        .map(|rest| rest.strip_suffix(".gz").unwrap_or(rest))
        .and_then(|rest| rest.strip_suffix(".log"))
        .is_some_and(|digits| digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()))
}
