//! The files of a log directory as a chain: the backups oldest first, then
//! the live file; and what the directory may not hold (guarantee: an
//! unbroken chain): a gap in the numbering, a number both plain and
//! gzipped, more backups than allowed, anything else at all, and in the
//! library's own hidden directory anything of this log's but its lock and
//! state files (no temporary file, no backup waiting to be deleted, once
//! every writer is done).

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::OWN_DIR;

/// One file of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChainFile {
    pub(crate) path: PathBuf,
    /// A backup (not the live file).
    pub(crate) backup: bool,
    /// Its size on disk.
    pub(crate) size: u64,
}

/// What listing the directory found.
#[derive(Debug, Default)]
pub(crate) struct Chain {
    /// Oldest first, the live file (if it exists) last.
    pub(crate) files: Vec<ChainFile>,
    pub(crate) backups: usize,
    pub(crate) gzipped: usize,
    pub(crate) problems: Vec<String>,
}

/// Lists the chain of `log`, holding it to at most `allowed` backups, all
/// gzipped if `all_gzipped`.
pub(crate) fn list(log: &Path, allowed: usize, all_gzipped: bool) -> io::Result<Chain> {
    let (dir, name) = dir_and_name(log);
    // Python's handler's lock, shared with it.
    let python_lock = format!(".__{}.lock", name.trim_end_matches(".log"));
    let mut chain = Chain::default();
    check_own_dir(dir, &name, &mut chain.problems)?;
    let mut backups: BTreeMap<usize, PathBuf> = BTreeMap::new();
    for entry in list_dir(dir)? {
        let entry_name = entry?.file_name().to_string_lossy().into_owned();
        if entry_name == name || entry_name == python_lock || entry_name == OWN_DIR {
            continue;
        }
        let number = entry_name
            .strip_prefix(&format!("{name}."))
            .map(|n| n.strip_suffix(".gz").map_or((n, false), |n| (n, true)))
            .and_then(|(n, gz)| Some((n.parse::<usize>().ok().filter(|&n| n >= 1)?, gz)));
        match number {
            Some((n, gz)) => {
                chain.gzipped += usize::from(gz);
                if backups.insert(n, dir.join(&entry_name)).is_some() {
                    chain
                        .problems
                        .push(format!("backup {n} exists both plain and gzipped"));
                }
            }
            None => chain.problems.push(format!(
                "unexpected file {}",
                dir.join(&entry_name).display()
            )),
        }
    }
    let numbers: Vec<usize> = backups.keys().copied().collect();
    chain.backups = numbers.len();
    if numbers.iter().enumerate().any(|(i, &n)| n != i + 1) {
        chain
            .problems
            .push(format!("gap in the backup numbering: {numbers:?}"));
    }
    if numbers.len() > allowed {
        chain.problems.push(format!(
            "{} backups, more than the {allowed} allowed",
            numbers.len()
        ));
    }
    if all_gzipped && chain.gzipped < chain.backups {
        chain.problems.push(format!(
            "{} of {} backups left plain",
            chain.backups - chain.gzipped,
            chain.backups
        ));
    }
    let live = log.exists().then(|| (log.to_path_buf(), false));
    for (path, backup) in backups
        .into_values()
        .rev()
        .map(|path| (path, true))
        .chain(live)
    {
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        chain.files.push(ChainFile { path, backup, size });
    }
    Ok(chain)
}

/// The chain of another writer's log, as its caller lists it: `files`,
/// oldest first, every one but the last a backup; held to nothing of this
/// library's naming.
pub(crate) fn given(files: &[PathBuf]) -> Chain {
    let mut chain = Chain::default();
    for (i, path) in files.iter().enumerate() {
        let backup = i + 1 < files.len();
        chain.backups += usize::from(backup);
        chain.gzipped += usize::from(path.extension().is_some_and(|e| e == "gz"));
        let size = std::fs::metadata(path).map_or(0, |m| m.len());
        chain.files.push(ChainFile {
            path: path.clone(),
            backup,
            size,
        });
    }
    chain
}

/// The log's directory and file name.
pub(crate) fn dir_and_name(log: &Path) -> (&Path, String) {
    let dir = match log.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = log.file_name().unwrap_or_default().to_string_lossy();
    (dir, name.into_owned())
}

/// Holds the library's hidden directory beside the log to its lock and
/// state files (of this log; other logs' files are theirs).
pub(crate) fn check_own_dir(dir: &Path, name: &str, problems: &mut Vec<String>) -> io::Result<()> {
    let own = dir.join(OWN_DIR);
    if !own.is_dir() {
        return Ok(());
    }
    let (lock, state) = (format!("{name}.lock"), format!("{name}.state"));
    for entry in list_dir(&own)? {
        let entry_name = entry?.file_name().to_string_lossy().into_owned();
        let ours = entry_name
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'));
        if ours && entry_name != lock && entry_name != state {
            problems.push(format!(
                "unexpected file {}",
                own.join(&entry_name).display()
            ));
        }
    }
    Ok(())
}

/// The entries of `dir`, the error naming it.
pub(crate) fn list_dir(dir: &Path) -> io::Result<std::fs::ReadDir> {
    std::fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot list {}: {e}", dir.display())))
}
