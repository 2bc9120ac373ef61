//! What rotations and killed processes leave beside the chain: backups
//! moved aside to be deleted once unlocked, and unfinished compressions.
//!
//! A backup retention lets go is first renamed to a hidden name under the
//! lock (fast) and deleted after the lock is released (freeing its blocks
//! is slow). A process killed in between leaves it there, and a compressor
//! killed mid-way leaves its temporary file; the next writer that opens the
//! log removes both, unless a live compressor still claims the temporary
//! (guarantee: crash-safe).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::names::Names;
use crate::shared::claim;
use crate::sys::fs::{FileId, remove_if_present, rename};

/// Moves a backup retention let go to a hidden name, to be deleted once
/// the lock is released ([`delete_pruned`]). Called with the lock held.
pub(crate) fn move_aside(names: &Names, backup: &Path) -> io::Result<PathBuf> {
    static PARKED: AtomicU64 = AtomicU64::new(0);
    let aside = names.pruned(std::process::id(), PARKED.fetch_add(1, Ordering::Relaxed));
    rename(backup, &aside)?;
    Ok(aside)
}

/// Deletes a backup moved aside by a rotation, and the unfinished
/// compression of it that a killed compressor may have left (a live one
/// holds its claim and cleans up itself). Called without the lock.
pub(crate) fn delete_pruned(names: &Names, pruned: &Path) -> io::Result<()> {
    let Some(id) = FileId::at(pruned)? else {
        // Another process, starting, removed it as a leftover.
        return Ok(());
    };
    remove_if_present(pruned)?;
    let temp = names.gzip_temp(id.ino());
    if !claim::is_claimed(&temp)? {
        remove_if_present(&temp)?;
    }
    Ok(())
}

/// Removes what killed processes left: backups parked for deletion, and
/// unfinished compressions no live compressor holds. Called with the lock
/// held, when opening.
pub(crate) fn remove(names: &Names) -> io::Result<()> {
    for entry in std::fs::read_dir(names.dir())? {
        let entry = entry?;
        let name = entry.file_name();
        let unfinished = names.is_gzip_temp(&name) && !claim::is_claimed(&entry.path())?;
        if names.is_pruned(&name) || unfinished {
            remove_if_present(&entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_killed_processes_are_removed_but_claimed_temps_kept() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::new(dir.path().join("app.log"), None);
        std::fs::write(dir.path().join(".__app.log.pruned.12345"), "old").unwrap();
        std::fs::write(dir.path().join(".__app.log.77.gz.tmp"), "half a gzip").unwrap();
        let busy = dir.path().join(".__app.log.78.gz.tmp");
        std::fs::write(&busy, "being written").unwrap();
        let holder = std::fs::File::open(&busy).unwrap();
        assert!(claim::claim(&holder).unwrap());
        std::fs::write(names.live(), "live").unwrap();
        remove(&names).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [".__app.log.78.gz.tmp", "app.log"]);
    }
}
