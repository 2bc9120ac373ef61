//! The chain of backups and the rotation that shifts it.
//!
//! `app.log` is the live file, `app.log.1` the newest backup and `app.log.N`
//! the oldest, N at most `backups` (SPEC invariant 3); with gzip, a backup
//! may also be `app.log.n.gz`, never both. Rotation, done under the lock, is
//! renames only, after moving the oldest backup aside if the chain is full:
//! `.N-1` -> `.N`, ..., `.1` -> `.2` (each in the form it has), then the live
//! file -> `.1`. No rename replaces an existing file.
//!
//! Crash safety (SPEC invariant 5): a process killed between two renames
//! leaves one gap in the numbering and loses nothing. The shift therefore
//! moves only the run of backups before the first gap, which fills the gap
//! and leaves the chain whole again after the next rotation. Python's handler
//! shifts the same way. A number found both plain and gzipped is what a
//! compressor killed between its last two steps leaves: the `.gz` only got
//! its name once complete, so the plain file goes.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::Compression;
use crate::builder::Config;
use crate::live_file::FileId;
use crate::retention::{Facts, Retention};
use crate::schedule::Schedule;
use crate::timed_names;

/// The backups of one log file.
#[derive(Debug, Clone)]
pub(crate) struct Backups {
    live: PathBuf,
    /// Its `count` is how many backups the chain holds at most.
    retention: Retention,
    /// `Some` for time-based names (see `timed_names`), `None` for numbers.
    timed: Option<Schedule>,
    /// Whether rotations report the plain backups, for the compressor.
    gzip: bool,
}

/// What a rotation leaves to do once the lock is released.
#[derive(Debug, Default)]
pub(crate) struct Shifted {
    /// Backups retention let go, moved aside to be deleted.
    pub(crate) pruned: Vec<PathBuf>,
    /// Plain backups now in the chain, by their names after the rotation.
    pub(crate) plain: Vec<PathBuf>,
}

// === impl Backups ===

impl Backups {
    /// Numbered backups, kept by count only.
    pub(crate) fn new(live: &Path, count: usize) -> Backups {
        Backups {
            live: live.to_path_buf(),
            retention: Retention {
                count,
                max_age: None,
                max_total_bytes: None,
            },
            timed: None,
            gzip: false,
        }
    }

    /// The backups an open log's options describe: named by period with
    /// time-based rotation, else numbered; kept as its retention says.
    pub(crate) fn of(config: &Config) -> Backups {
        Backups {
            retention: config.retention,
            timed: config.schedule,
            gzip: config.compression == Compression::Gzip,
            ..Backups::new(&config.path, config.backups)
        }
    }

    /// `app.log.n`.
    pub(crate) fn path(&self, n: usize) -> PathBuf {
        self.with_suffix(&format!(".{n}"))
    }

    /// `app.log.n.gz`.
    pub(crate) fn gz_path(&self, n: usize) -> PathBuf {
        self.with_suffix(&format!(".{n}.gz"))
    }

    fn with_suffix(&self, suffix: &str) -> PathBuf {
        let mut name = OsString::from(self.live.as_os_str());
        name.push(suffix);
        PathBuf::from(name)
    }

    /// A hidden name in the log's directory: `.__app.log<suffix>`.
    pub(crate) fn hidden_path(&self, suffix: &str) -> PathBuf {
        let mut name = OsString::from(".__");
        name.push(self.live.file_name().unwrap_or_default());
        name.push(suffix);
        self.live.with_file_name(name)
    }

    /// Whether backup `n` exists, and gzipped or not. Repairs a number that
    /// exists in both forms.
    fn form(&self, n: usize) -> io::Result<Option<Form>> {
        let gz = exists(&self.gz_path(n))?;
        let plain = exists(&self.path(n))?;
        if gz && plain {
            remove_if_present(&self.path(n))?;
        }
        Ok(match (gz, plain) {
            (true, _) => Some(Form::Gz),
            (false, true) => Some(Form::Plain),
            (false, false) => None,
        })
    }

    /// The forms of the unbroken run of backups from `.1`.
    fn run(&self) -> io::Result<Vec<Form>> {
        if self.retention.count > LIST_ABOVE {
            return self.run_listed();
        }
        let mut run = Vec::new();
        while run.len() < self.retention.count {
            match self.form(run.len() + 1)? {
                Some(form) => run.push(form),
                None => break,
            }
        }
        Ok(run)
    }

    /// [`run`](Backups::run) from one directory listing rather than two
    /// `stat`s per number: for long chains, where it is several times
    /// cheaper.
    fn run_listed(&self) -> io::Result<Vec<Form>> {
        let mut prefix = name_bytes(&self.live);
        prefix.push(b'.');
        // (plain, gz) of each number.
        let mut found = vec![(false, false); self.retention.count];
        for entry in std::fs::read_dir(dir_of(&self.live))? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(rest) = name.as_encoded_bytes().strip_prefix(prefix.as_slice()) else {
                continue;
            };
            let (digits, gz) = match rest.strip_suffix(b".gz") {
                Some(digits) => (digits, true),
                None => (rest, false),
            };
            let n = backup_number(digits).and_then(|n| usize::try_from(n).ok());
            if let Some(slot) = n.and_then(|n| found.get_mut(n - 1)) {
                if gz {
                    slot.1 = true;
                } else {
                    slot.0 = true;
                }
            }
        }
        let mut run = Vec::new();
        for (i, &(plain, gz)) in found.iter().enumerate() {
            run.push(match (plain, gz) {
                (true, true) => {
                    remove_if_present(&self.path(i + 1))?;
                    Form::Gz
                }
                (_, true) => Form::Gz,
                (true, false) => Form::Plain,
                (false, false) => break,
            });
        }
        Ok(run)
    }

    /// Renames the live file to a backup and lets retention drop what it
    /// must. Numbered: shifts the chain up by one, the live file becoming
    /// `.1`. Timed: the live file, whose records are from the period
    /// `label`, becomes that period's next backup. Called with the lock
    /// held; `count` must be at least 1.
    pub(crate) fn rotate(&self, label: &str, now: i64) -> io::Result<Shifted> {
        debug_assert!(self.retention.count >= 1);
        match &self.timed {
            Some(schedule) => self.rotate_timed(schedule, label, now),
            None => self.rotate_numbered(now),
        }
    }

    fn rotate_numbered(&self, now: i64) -> io::Result<Shifted> {
        let mut run = self.run()?;
        let mut shifted = Shifted::default();
        if run.len() == self.retention.count {
            // The chain is full: move the oldest aside first. Renaming onto
            // it instead would make ext4 (auto_da_alloc) flush the renamed
            // file's dirty pages synchronously, and freeing its blocks takes
            // time too, with every writer waiting.
            let oldest = run.pop().expect("count >= 1");
            shifted
                .pruned
                .push(self.move_aside(&self.named(self.retention.count, oldest))?);
        }
        for (i, &form) in run.iter().enumerate().rev() {
            std::fs::rename(self.named(i + 1, form), self.named(i + 2, form))?;
        }
        match std::fs::rename(&self.live, self.path(1)) {
            // Someone removed the live file: nothing to keep.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => {
                other?;
                run.insert(0, Form::Plain);
            }
        }
        if self.retention.needs_facts() {
            let facts = run
                .iter()
                .enumerate()
                .map(|(i, &form)| facts_of(&self.named(i + 1, form)));
            let keep = self.retention.keep(facts, now)?;
            // Oldest first: a crash in between leaves a shorter chain, no gap.
            while run.len() > keep {
                let form = run.pop().expect("len > keep");
                shifted
                    .pruned
                    .push(self.move_aside(&self.named(run.len() + 1, form))?);
            }
        }
        if self.gzip {
            shifted.plain.extend(
                run.iter()
                    .enumerate()
                    .filter(|(_, f)| **f == Form::Plain)
                    .map(|(i, _)| self.path(i + 1)),
            );
        }
        Ok(shifted)
    }

    fn rotate_timed(&self, schedule: &Schedule, label: &str, now: i64) -> io::Result<Shifted> {
        let mut backups = timed_names::list(&self.live, schedule)?;
        let mut shifted = Shifted::default();
        let target = timed_names::next_name(&self.live, &backups, label);
        match std::fs::rename(&self.live, &target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => {
                other?;
                backups.extend(timed_names::list_one(&self.live, &target, schedule));
                if self.gzip {
                    shifted.plain.push(target);
                }
            }
        }
        let facts = backups.iter().rev().map(|backup| {
            let bytes = match self.retention.max_total_bytes {
                Some(_) => std::fs::symlink_metadata(&backup.path)?.len(),
                None => 0,
            };
            Ok(Facts {
                last_written: backup.period_end,
                bytes,
            })
        });
        let keep = self.retention.keep(facts, now)?;
        let expired = backups.len() - keep;
        for backup in &backups[..expired] {
            shifted.pruned.push(self.move_aside(&backup.path)?);
        }
        Ok(shifted)
    }

    /// Moves a backup retention let go to a hidden name, to be deleted once
    /// the lock is released.
    fn move_aside(&self, backup: &Path) -> io::Result<PathBuf> {
        static PARKED: AtomicU64 = AtomicU64::new(0);
        let aside = self.hidden_path(&format!(
            ".pruned.{}.{}",
            std::process::id(),
            PARKED.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::rename(backup, &aside)?;
        Ok(aside)
    }

    fn named(&self, n: usize, form: Form) -> PathBuf {
        match form {
            Form::Plain => self.path(n),
            Form::Gz => self.gz_path(n),
        }
    }

    /// Closes the gap a process killed mid-rotation leaves (invariant 3):
    /// the backups after it move down by one, keeping their order. Called
    /// with the lock held, when opening; a rotation fills the gap itself.
    pub(crate) fn close_gap(&self) -> io::Result<()> {
        if self.timed.is_some() {
            return Ok(());
        }
        let run = self.run()?.len();
        let mut n = run + 2;
        while n <= self.retention.count {
            let Some(form) = self.form(n)? else { break };
            std::fs::rename(self.named(n, form), self.named(n - 1, form))?;
            n += 1;
        }
        Ok(())
    }

    /// The plain backups in the chain (for compressing what a killed
    /// compressor left). Called with the lock held.
    pub(crate) fn plain_backups(&self) -> io::Result<Vec<PathBuf>> {
        if let Some(schedule) = &self.timed {
            let backups = timed_names::list(&self.live, schedule)?;
            return Ok(backups
                .into_iter()
                .filter(|b| !b.gz)
                .map(|b| b.path)
                .collect());
        }
        let run = self.run()?;
        Ok(run
            .iter()
            .enumerate()
            .filter(|(_, f)| **f == Form::Plain)
            .map(|(i, _)| self.path(i + 1))
            .collect())
    }

    /// Where the plain backup that was queued as `queued` and is file `id`
    /// is now, if still kept. A numbered chain may have shifted since (so
    /// it is found by inode); a timed backup keeps its name. Called with
    /// the lock held.
    pub(crate) fn locate(&self, queued: &Path, id: FileId) -> io::Result<Option<PathBuf>> {
        if self.timed.is_some() {
            return match std::fs::symlink_metadata(queued) {
                Ok(meta) if FileId::of(&meta) == id => Ok(Some(queued.to_path_buf())),
                Ok(_) => Ok(None),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            };
        }
        for n in 1..=self.retention.count {
            match std::fs::symlink_metadata(self.path(n)) {
                Ok(meta) if FileId::of(&meta) == id => return Ok(Some(self.path(n))),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    if !exists(&self.gz_path(n))? {
                        return Ok(None);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Removes what killed processes left: backups parked for deletion, and
    /// unfinished compressions no live compressor holds (SPEC invariant 5).
    pub(crate) fn remove_leftovers(&self) -> io::Result<()> {
        let pruned = self.hidden_path(".pruned.");
        let hidden = self.hidden_path(".");
        let (pruned, hidden) = (name_bytes(&pruned), name_bytes(&hidden));
        for entry in std::fs::read_dir(dir_of(&self.live))? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.as_encoded_bytes();
            let parked = name.starts_with(&pruned);
            let unfinished = name.starts_with(&hidden) && name.ends_with(b".gz.tmp");
            if parked || (unfinished && !is_claimed(&entry.path())?) {
                remove_if_present(&entry.path())?;
            }
        }
        Ok(())
    }
}

impl Backups {
    /// Deletes a backup moved aside by a rotation, and the unfinished
    /// compression of it that a killed compressor may have left (a live one
    /// holds its claim and cleans up itself). Called without the lock.
    pub(crate) fn delete_pruned(&self, pruned: &Path) -> io::Result<()> {
        let ino = match std::fs::symlink_metadata(pruned) {
            Ok(meta) => FileId::of(&meta).ino(),
            // Another process, starting, removed it as a leftover.
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        remove_if_present(pruned)?;
        let temp = self.hidden_path(&format!(".{ino}.gz.tmp"));
        if !is_claimed(&temp)? {
            remove_if_present(&temp)?;
        }
        Ok(())
    }
}

/// Above this many backups, the chain is read from one directory listing
/// rather than from two `stat`s per number (measured: about even at 16).
const LIST_ABOVE: usize = 16;

/// Backup forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Gz,
}

/// The `n` of a backup name's `.n`: digits, at least 1, without a leading
/// zero (`app.log.01` is no backup).
pub(crate) fn backup_number(digits: &[u8]) -> Option<u64> {
    let canonical =
        digits.first().is_some_and(|&d| d != b'0') && digits.iter().all(u8::is_ascii_digit);
    canonical.then(|| std::str::from_utf8(digits).ok()?.parse().ok())?
}

/// The directory holding `path`: `.` for a bare file name.
pub(crate) fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A backup's size and the time of its last record (its modification
/// time, which compression keeps).
fn facts_of(path: &Path) -> io::Result<Facts> {
    let meta = std::fs::symlink_metadata(path)?;
    Ok(Facts {
        last_written: crate::clock::unix_secs(meta.modified()?),
        bytes: meta.len(),
    })
}

fn name_bytes(path: &Path) -> Vec<u8> {
    path.file_name()
        .unwrap_or_default()
        .as_encoded_bytes()
        .to_vec()
}

fn exists(path: &Path) -> io::Result<bool> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether a live compressor holds `path` (it keeps an `flock` on the files
/// it works on; the kernel drops it when the compressor dies).
fn is_claimed(path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        // A symlink planted at a temporary name: no compressor's, removed.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(false),
        Err(e) => return Err(e),
    };
    claim(&file).map(|claimed| !claimed)
}

/// Takes the compressor's claim on `file`: `true` if this caller now holds
/// it, `false` if a live compressor does.
pub(crate) fn claim(file: &File) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
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
            for pruned in backups.rotate("", 0).unwrap().pruned {
                assert_eq!(std::fs::read_to_string(&pruned).unwrap(), "a");
                std::fs::remove_file(pruned).unwrap();
            }
        }
        assert_eq!(names(dir.path()), ["app.log.1", "app.log.2"]);
        assert_eq!(std::fs::read_to_string(backups.path(1)).unwrap(), "c");
        assert_eq!(std::fs::read_to_string(backups.path(2)).unwrap(), "b");
    }

    #[test]
    fn plain_and_gzipped_backups_shift_alike() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups {
            gzip: true,
            ..Backups::new(&live, 4)
        };
        std::fs::write(backups.gz_path(1), "gz1").unwrap();
        std::fs::write(backups.path(2), "plain2").unwrap();
        std::fs::write(&live, "live").unwrap();
        let shifted = backups.rotate("", 0).unwrap();
        assert_eq!(
            names(dir.path()),
            ["app.log.1", "app.log.2.gz", "app.log.3"]
        );
        assert_eq!(shifted.plain, [backups.path(1), backups.path(3)]);
    }

    #[test]
    fn a_number_both_plain_and_gzipped_keeps_the_gz() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 4);
        std::fs::write(backups.gz_path(1), "complete gz").unwrap();
        std::fs::write(backups.path(1), "plain").unwrap();
        std::fs::write(&live, "live").unwrap();
        backups.rotate("", 0).unwrap();
        assert_eq!(names(dir.path()), ["app.log.1", "app.log.2.gz"]);
    }

    #[test]
    fn a_backup_is_found_by_inode_after_the_chain_shifted() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 5);
        std::fs::write(&live, "first").unwrap();
        backups.rotate("", 0).unwrap();
        let id = FileId::of(&std::fs::metadata(backups.path(1)).unwrap());
        std::fs::write(&live, "second").unwrap();
        backups.rotate("", 0).unwrap();
        let queued = backups.path(1);
        assert_eq!(backups.locate(&queued, id).unwrap(), Some(backups.path(2)));
    }

    #[test]
    fn leftovers_of_killed_processes_are_removed_but_claimed_temps_kept() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 3);
        std::fs::write(dir.path().join(".__app.log.pruned.12345"), "old").unwrap();
        std::fs::write(dir.path().join(".__app.log.77.gz.tmp"), "half a gzip").unwrap();
        let busy = dir.path().join(".__app.log.78.gz.tmp");
        std::fs::write(&busy, "being written").unwrap();
        let holder = File::open(&busy).unwrap();
        assert!(claim(&holder).unwrap());
        std::fs::write(&live, "live").unwrap();
        backups.remove_leftovers().unwrap();
        assert_eq!(names(dir.path()), [".__app.log.78.gz.tmp", "app.log"]);
    }

    #[test]
    fn a_gap_left_by_a_crash_is_closed_when_opening() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        let backups = Backups::new(&live, 6);
        // A rotation killed after `.3 -> .4` and before `.2 -> .3`; one
        // backup gzipped.
        for (n, content) in [(1, "1"), (2, "2"), (4, "3")] {
            std::fs::write(backups.path(n), content).unwrap();
        }
        std::fs::write(backups.gz_path(5), "4").unwrap();
        backups.close_gap().unwrap();
        assert_eq!(
            names(dir.path()),
            ["app.log.1", "app.log.2", "app.log.3", "app.log.4.gz"]
        );
        assert_eq!(std::fs::read_to_string(backups.path(3)).unwrap(), "3");
        // A whole chain is left alone.
        backups.close_gap().unwrap();
        assert_eq!(
            names(dir.path()),
            ["app.log.1", "app.log.2", "app.log.3", "app.log.4.gz"]
        );
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
        backups.rotate("", 0).unwrap();
        let chain: Vec<String> = (1..=5)
            .map(|n| std::fs::read_to_string(backups.path(n)).unwrap())
            .collect();
        assert_eq!(chain, ["live", "1", "2", "3", "4"]);
    }

    #[test]
    fn a_long_chain_is_read_from_a_listing_like_a_short_one() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("app.log");
        for count in [LIST_ABOVE, LIST_ABOVE + 1] {
            for name in [
                "app.log.1",
                "app.log.2.gz",
                "app.log.3",
                "app.log.3.gz",
                "app.log.5",
                "app.log.04",
                "app.log.x",
            ] {
                std::fs::write(dir.path().join(name), name).unwrap();
            }
            let run = Backups::new(&live, count).run().unwrap();
            assert_eq!(run, [Form::Plain, Form::Gz, Form::Gz], "count {count}");
            assert!(!dir.path().join("app.log.3").exists());
        }
    }
}
