//! What rotations and killed processes leave beside the chain: backups
//! moved aside to be deleted once unlocked, and unfinished compressions.
//!
//! A backup retention lets go is first renamed into the library's hidden
//! directory under the lock (fast) and deleted after the lock is released
//! (freeing its blocks is slow). A process killed in between leaves it
//! there, and a compressor killed mid-way leaves its temporary file; the
//! next writer that opens the log removes both, unless a live compressor
//! still claims the temporary, or the writer's compressor will finish it
//! (guarantee: crash-safe).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::names::Names;
use crate::shared::claim;
use crate::sys::create;
use crate::sys::create::ensure_dir;
use crate::sys::fs::{FileId, dir_of, exists, remove_if_present, rename};
use crate::sys::open::FileMode;

/// Recreates the library's directory if it was removed by hand since the
/// log was opened, for [`move_aside`]. Called with the lock held, before a
/// rotation.
pub(crate) fn ensure_own_dir(names: &Names, dir_mode: FileMode) -> io::Result<()> {
    if !exists(names.own_dir())? {
        ensure_dir(
            names.own_dir(),
            true,
            "cannot recreate the library's directory",
            dir_mode,
        )
        .map_err(io::Error::from)?;
    }
    Ok(())
}

/// Moves a backup retention let go to a hidden name, to be deleted once
/// the lock is released ([`delete_pruned`]). Called with the lock held,
/// after [`ensure_own_dir`].
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

/// Removes what killed processes left: backups parked for deletion,
/// unfinished compressions no live compressor holds, except those of the
/// backups in `finishing` (the plain backups this process will compress,
/// which may reuse them: see `compressor`), in the library's own directory
/// (and those an earlier version left beside the log), and files a process
/// was creating. Called with the lock held, when opening.
pub(crate) fn remove(names: &Names, finishing: &[PathBuf]) -> io::Result<()> {
    let mut kept = Vec::new();
    for backup in finishing {
        if let Some(id) = FileId::at(backup)? {
            kept.push(names.gzip_temp(id.ino()));
        }
    }
    let lock_dir =
        Some(dir_of(names.lock())).filter(|d| ![names.dir(), names.own_dir()].contains(d));
    for dir in [names.dir(), names.own_dir()].into_iter().chain(lock_dir) {
        create::remove_orphans(dir)?;
    }
    for (dir, legacy) in [(names.own_dir(), false), (names.dir(), true)] {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let (parked, temporary) = if legacy {
                let ours = names.is_legacy_temporary(&name);
                (ours && !name.as_encoded_bytes().ends_with(b".gz.tmp"), ours)
            } else {
                (names.is_pruned(&name), names.is_gzip_temp(&name))
            };
            let path = entry.path();
            if parked || (temporary && !kept.contains(&path) && !claim::is_claimed(&path)?) {
                remove_if_present(&path)?;
            }
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
        let names = Names::beside(dir.path().join("app.log"));
        let own = names.own_dir().to_path_buf();
        std::fs::create_dir(&own).unwrap();
        std::fs::write(own.join("app.log.pruned.12345.0"), "old").unwrap();
        std::fs::write(own.join("app.log.77.gz.tmp"), "half a gzip").unwrap();
        // What an earlier version left beside the log.
        std::fs::write(dir.path().join(".__app.log.pruned.12345"), "old").unwrap();
        std::fs::write(dir.path().join(".__app.log.76.gz.tmp"), "half").unwrap();
        let busy = own.join("app.log.78.gz.tmp");
        std::fs::write(&busy, "being written").unwrap();
        let holder = std::fs::File::open(&busy).unwrap();
        assert!(claim::claim(&holder).unwrap());
        std::fs::write(own.join("other.log.79.gz.tmp"), "another log's").unwrap();
        std::fs::write(names.live(), "live").unwrap();
        remove(&names, &[]).unwrap();
        let list = test_support::names;
        assert_eq!(list(dir.path()), [".concurrent-rotating-file", "app.log"]);
        assert_eq!(list(&own), ["app.log.78.gz.tmp", "other.log.79.gz.tmp"]);
    }
}
