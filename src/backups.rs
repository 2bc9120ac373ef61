//! The chain of backups and the rotation that shifts it.
//!
//! `app.log` is the live file, `app.log.1` the newest backup and `app.log.N`
//! the oldest, N at most `backups` (SPEC invariant 3). Rotation, done under
//! the lock, is renames only, after removing the oldest backup if the chain
//! is full: `.N-1` -> `.N`, ..., `.1` -> `.2`, then the live file -> `.1`.
//! No rename replaces an existing file.
//!
//! Crash safety (SPEC invariant 5): a process killed between two renames
//! leaves one gap in the numbering and loses nothing. The shift therefore
//! moves only the run of backups before the first gap, which fills the gap
//! and leaves the chain whole again after the next rotation. Python's handler
//! shifts the same way.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// The backup names of one log file.
#[derive(Debug, Clone)]
pub(crate) struct Backups {
    live: PathBuf,
    count: usize,
}

// === impl Backups ===

impl Backups {
    pub(crate) fn new(live: &Path, count: usize) -> Backups {
        Backups {
            live: live.to_path_buf(),
            count,
        }
    }

    /// `app.log.n`.
    pub(crate) fn path(&self, n: usize) -> PathBuf {
        let mut name = OsString::from(self.live.as_os_str());
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// How many backups stand in an unbroken run from `.1`.
    fn run_length(&self) -> io::Result<usize> {
        let mut n = 0;
        while n < self.count {
            match std::fs::symlink_metadata(self.path(n + 1)) {
                Ok(_) => n += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// Where this process parks the oldest backup until it deletes it,
    /// outside the lock: `.__app.log.pruned.<pid>`.
    fn pruned_path(&self) -> PathBuf {
        let mut name = OsString::from(".__");
        name.push(self.live.file_name().unwrap_or_default());
        name.push(format!(".pruned.{}", std::process::id()));
        self.live.with_file_name(name)
    }

    /// Removes backups parked for deletion by processes killed before they
    /// could delete them (SPEC invariant 5: leftovers are repaired).
    pub(crate) fn remove_leftovers(&self) -> io::Result<()> {
        let dir = match self.live.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut prefix = OsString::from(".__");
        prefix.push(self.live.file_name().unwrap_or_default());
        prefix.push(".pruned.");
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry
                .file_name()
                .as_encoded_bytes()
                .starts_with(prefix.as_encoded_bytes())
            {
                match std::fs::remove_file(entry.path()) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Shifts the chain up by one and renames the live file to `.1`.
    /// Called with the lock held; `count` must be at least 1. Returns the
    /// path of the oldest backup if it fell off the chain: the caller
    /// deletes it once the lock is released.
    pub(crate) fn rotate(&self) -> io::Result<Option<PathBuf>> {
        debug_assert!(self.count >= 1);
        let run = self.run_length()?;
        let mut pruned = None;
        if run == self.count {
            // The chain is full: move the oldest aside first. Renaming onto
            // it instead would make ext4 (auto_da_alloc) flush the renamed
            // file's dirty pages synchronously, and freeing its blocks takes
            // time too, with every writer waiting.
            let aside = self.pruned_path();
            std::fs::rename(self.path(self.count), &aside)?;
            pruned = Some(aside);
        }
        let top = run.min(self.count - 1);
        for n in (1..=top).rev() {
            std::fs::rename(self.path(n), self.path(n + 1))?;
        }
        match std::fs::rename(&self.live, self.path(1)) {
            // Someone removed the live file: nothing to keep.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn rotation_shifts_the_chain_and_drops_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 2);
        for content in ["a", "b", "c"] {
            std::fs::write(&live, content).unwrap();
            if let Some(pruned) = backups.rotate().unwrap() {
                assert_eq!(std::fs::read_to_string(&pruned).unwrap(), "a");
                std::fs::remove_file(pruned).unwrap();
            }
        }
        assert_eq!(names(dir.path()), ["app.log.1", "app.log.2"]);
        assert_eq!(std::fs::read_to_string(backups.path(1)).unwrap(), "c");
        assert_eq!(std::fs::read_to_string(backups.path(2)).unwrap(), "b");
    }

    #[test]
    fn leftovers_of_a_killed_pruner_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        std::fs::write(dir.path().join(".__app.log.pruned.12345"), "old").unwrap();
        std::fs::write(&live, "live").unwrap();
        Backups::new(&live, 3).remove_leftovers().unwrap();
        assert_eq!(names(dir.path()), ["app.log"]);
    }

    #[test]
    fn a_gap_left_by_a_crash_is_filled_by_the_next_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 5);
        // A rotation killed after `.3 -> .4` and before `.2 -> .3`.
        for (n, content) in [(1, "1"), (2, "2"), (4, "3"), (5, "4")] {
            std::fs::write(backups.path(n), content).unwrap();
        }
        std::fs::write(&live, "live").unwrap();
        backups.rotate().unwrap();
        let chain: Vec<String> = (1..=5)
            .map(|n| std::fs::read_to_string(backups.path(n)).unwrap())
            .collect();
        assert_eq!(chain, ["live", "1", "2", "3", "4"]);
    }
}
