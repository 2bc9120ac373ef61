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

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::names::Names;
use crate::own_dir;
use crate::shared::claim;
use crate::sys::create;
use crate::sys::dir::{At, Dir};
use crate::sys::fs::{FileId, dir_of};
use crate::sys::open::FileMode;

/// Makes the library's directory again if it was removed by hand since the
/// log was opened, for [`move_aside`]. Called with the lock held, before a
/// rotation.
pub(crate) fn ensure_own_dir(names: &Names, dir_mode: FileMode) -> io::Result<()> {
    own_dir::open(names, dir_mode)
        .map(drop)
        .map_err(|e| own_dir::failed(names, e))
}

/// Moves a backup retention let go to a hidden name, to be deleted once
/// the lock is released ([`delete_pruned`]); returns that name. If the
/// library's directory is gone (removed again since [`ensure_own_dir`]),
/// the backup is deleted at once instead, and `None` returned: freeing its
/// blocks holds the lock a little longer, and nothing is left to do.
/// Called with the lock held.
pub(crate) fn move_aside(names: &Names, backup: &Path) -> io::Result<Option<OsString>> {
    static PARKED: AtomicU64 = AtomicU64::new(0);
    let name = names.pruned(std::process::id(), PARKED.fetch_add(1, Ordering::Relaxed));
    let from = At::path(backup);
    if let Some(own) = own_dir::open_existing(names).ok().flatten() {
        match from.rename_to(&own.at(&name)) {
            Ok(()) => return Ok(Some(name)),
            // The directory removed since it was opened, if the backup is
            // still there.
            Err(e) if from.id()?.is_none() => return Err(e),
            Err(_) => {}
        }
    }
    from.remove()?;
    Ok(None)
}

/// Deletes a backup moved aside by a rotation (`name`, in the library's
/// directory), and the unfinished compression of it that a killed
/// compressor may have left (a live one holds its claim and cleans up
/// itself). Called without the lock.
pub(crate) fn delete_pruned(names: &Names, name: &OsString) -> io::Result<()> {
    // Gone with the directory if it was removed.
    let Some(own) = own_dir::open_existing(names).map_err(|e| own_dir::failed(names, e))? else {
        return Ok(());
    };
    let pruned = own.at(name);
    let Some(id) = pruned.id()? else {
        // Another process, starting, removed it as a leftover.
        return Ok(());
    };
    pruned.remove()?;
    let temp = own.at(names.gzip_temp(id.ino()));
    if !claim::is_claimed(&temp)? {
        temp.remove()?;
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
    let log_dir = Dir::open(names.dir())?;
    let own = own_dir::open_existing(names).map_err(|e| own_dir::failed(names, e))?;
    create::remove_orphans(&log_dir)?;
    if let Some(own) = &own {
        create::remove_orphans(own)?;
        for name in own.names()? {
            let at = own.at(&name);
            let temporary = names.is_gzip_temp(&name) && !kept.contains(&name);
            if names.is_pruned(&name) || (temporary && !claim::is_claimed(&at)?) {
                at.remove()?;
            }
        }
    }
    let lock_dir = dir_of(names.lock());
    if ![names.dir(), names.own_dir()].contains(&lock_dir) {
        create::remove_orphans(&Dir::open(lock_dir)?)?;
    }
    for name in log_dir.names()? {
        if names.is_legacy_temporary(&name) {
            let at = log_dir.at(&name);
            let temporary = name.as_encoded_bytes().ends_with(b".gz.tmp");
            if !temporary || !claim::is_claimed(&at)? {
                at.remove()?;
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
        // One that a starting writer's compressor will finish is kept.
        std::fs::write(names.numbered(1), "a backup").unwrap();
        let ino = crate::sys::fs::FileId::at(&names.numbered(1))
            .unwrap()
            .unwrap()
            .ino();
        std::fs::write(own.join(names.gzip_temp(ino)), "to finish").unwrap();
        remove(&names, &[names.numbered(1)]).unwrap();
        assert!(own.join(names.gzip_temp(ino)).exists());
        std::fs::remove_file(own.join(names.gzip_temp(ino))).unwrap();
        std::fs::remove_file(names.numbered(1)).unwrap();
        let list = test_support::names;
        assert_eq!(list(dir.path()), [".concurrent-rotating-file", "app.log"]);
        assert_eq!(list(&own), ["app.log.78.gz.tmp", "other.log.79.gz.tmp"]);
    }
}
