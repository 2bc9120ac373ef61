//! Numbered backups: `app.log.1` the newest, `app.log.N` the oldest, N at
//! most the count kept; with gzip, a backup may also be `app.log.n.gz`,
//! never both (guarantee: an unbroken chain).
//!
//! A rotation, done under the lock, is renames only, after moving the
//! oldest backup aside if the chain is full: `.N-1` -> `.N`, ..., `.1` ->
//! `.2` (each in the form it has), then the live file -> `.1`. No rename
//! replaces an existing file.
//!
//! A process killed between two renames leaves one gap in the numbering and
//! loses nothing (guarantee: crash-safe). The shift therefore moves only
//! the run of backups before the first gap, which fills the gap and leaves
//! the chain whole again after the next rotation. Python's handler shifts
//! the same way. A number found both plain and gzipped is what a compressor
//! killed between its last two steps leaves (the `.gz` only got its name
//! once complete, so the plain file goes) if the `.gz` says it was made
//! from that very file; otherwise an outside tool put one of them there,
//! and both are kept and move along the chain together (see
//! `provenance`).

use std::io;
use std::path::PathBuf;

use crate::chain::leftovers;
use crate::chain::pending::Pending;
use crate::chain::provenance::{self, Twins};
use crate::chain::retention::{Facts, Retention};
use crate::names::{Names, backup_number};
use crate::sys::fs::{FileId, exists, remove_if_present, rename};

/// Above this many backups, the chain is read from one directory listing
/// rather than from two `stat`s per number (measured: about even at 16).
const LIST_ABOVE: usize = 16;

/// The numbered backups of one log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NumberedChain<'a> {
    pub(crate) names: &'a Names,
    /// Its `count` is how many backups the chain holds at most.
    pub(crate) retention: &'a Retention,
    /// Whether rotations report the plain backups, for the compressor.
    pub(crate) gzip: bool,
    pub(crate) twins: &'a Twins,
}

/// A backup's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Plain,
    Gz,
    /// Both, holding different data: kept together.
    Both,
}

impl NumberedChain<'_> {
    /// Shifts the chain up by one, the live file becoming `.1`, and lets
    /// retention drop what it must. Called with the lock held; the count
    /// must be at least 1.
    pub(crate) fn rotate(&self, now: i64) -> io::Result<Pending> {
        debug_assert!(self.retention.count >= 1);
        let mut run = self.run()?;
        let mut pending = Pending::default();
        if run.len() == self.retention.count {
            // The chain is full: move the oldest aside first. Renaming onto
            // it instead would make ext4 (auto_da_alloc) flush the renamed
            // file's dirty pages synchronously, and freeing its blocks takes
            // time too, with every writer waiting.
            let oldest = run.pop().expect("count >= 1");
            for path in self.named(self.retention.count, oldest) {
                pending
                    .pruned
                    .push(leftovers::move_aside(self.names, &path)?);
            }
        }
        for (i, &form) in run.iter().enumerate().rev() {
            for (from, to) in self.named(i + 1, form).zip(self.named(i + 2, form)) {
                rename(&from, &to)?;
            }
        }
        let made = match rename(self.names.live(), &self.names.numbered(1)) {
            // Someone removed the live file: nothing to keep.
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            other => {
                other?;
                run.insert(0, Form::Plain);
                true
            }
        };
        if self.retention.needs_facts() {
            let facts = run
                .iter()
                .enumerate()
                .map(|(i, &form)| Facts::of_files(self.named(i + 1, form)));
            // The backup this rotation made holds the newest records: age
            // and size never take it, even after the clock jumped forward.
            let keep = self.retention.keep(facts, now)?.max(usize::from(made));
            // Oldest first: a crash in between leaves a shorter chain, no gap.
            while run.len() > keep {
                let form = run.pop().expect("len > keep");
                for path in self.named(run.len() + 1, form) {
                    pending
                        .pruned
                        .push(leftovers::move_aside(self.names, &path)?);
                }
            }
        }
        if self.gzip {
            pending.to_compress = self.plain_of(&run);
        }
        Ok(pending)
    }

    /// Closes the gap a process killed mid-rotation leaves: the backups
    /// after it move down by one, keeping their order. Called with the lock
    /// held, when opening; a rotation fills the gap itself.
    pub(crate) fn close_gap(&self) -> io::Result<()> {
        let run = self.run()?.len();
        let mut n = run + 2;
        while n <= self.retention.count {
            let Some(form) = self.form(n)? else { break };
            for (from, to) in self.named(n, form).zip(self.named(n - 1, form)) {
                rename(&from, &to)?;
            }
            n += 1;
        }
        Ok(())
    }

    /// The plain backups in the chain. Called with the lock held.
    pub(crate) fn plain_backups(&self) -> io::Result<Vec<PathBuf>> {
        Ok(self.plain_of(&self.run()?))
    }

    /// Where the plain backup that is file `id` is now, if still kept: the
    /// chain may have shifted since it was queued, so it is found by inode.
    /// Called with the lock held.
    pub(crate) fn locate(&self, id: FileId) -> io::Result<Option<PathBuf>> {
        for n in 1..=self.retention.count {
            let path = self.names.numbered(n);
            match FileId::at(&path)? {
                Some(found) if found == id => return Ok(Some(path)),
                Some(_) => {}
                None if !exists(&self.names.numbered_gz(n))? => return Ok(None),
                None => {}
            }
        }
        Ok(None)
    }

    fn plain_of(&self, run: &[Form]) -> Vec<PathBuf> {
        run.iter()
            .enumerate()
            .filter(|(_, f)| **f == Form::Plain)
            .map(|(i, _)| self.names.numbered(i + 1))
            .collect()
    }

    /// The files of backup `n` in `form`: the plain one, then the `.gz`.
    fn named(&self, n: usize, form: Form) -> impl Iterator<Item = PathBuf> {
        let plain = matches!(form, Form::Plain | Form::Both).then(|| self.names.numbered(n));
        let gz = matches!(form, Form::Gz | Form::Both).then(|| self.names.numbered_gz(n));
        plain.into_iter().chain(gz)
    }

    /// Whether backup `n` exists, and gzipped or not.
    fn form(&self, n: usize) -> io::Result<Option<Form>> {
        let gz = exists(&self.names.numbered_gz(n))?;
        let plain = exists(&self.names.numbered(n))?;
        Ok(match (gz, plain) {
            (true, true) => Some(self.resolve_both(n)?),
            (true, false) => Some(Form::Gz),
            (false, true) => Some(Form::Plain),
            (false, false) => None,
        })
    }

    /// Number `n` is both plain and gzipped: the plain file goes only if
    /// the `.gz` was made from it.
    fn resolve_both(&self, n: usize) -> io::Result<Form> {
        let (plain, gz) = (self.names.numbered(n), self.names.numbered_gz(n));
        if provenance::made_from(&gz, &plain)? {
            remove_if_present(&plain)?;
            return Ok(Form::Gz);
        }
        Ok(Form::Both)
    }

    /// The forms of the unbroken run of backups from `.1`.
    fn run(&self) -> io::Result<Vec<Form>> {
        let run = if self.retention.count > LIST_ABOVE {
            self.run_listed()?
        } else {
            let mut run = Vec::new();
            while run.len() < self.retention.count {
                match self.form(run.len() + 1)? {
                    Some(form) => run.push(form),
                    None => break,
                }
            }
            run
        };
        let pairs: Vec<usize> = (1..=run.len())
            .filter(|&n| run[n - 1] == Form::Both)
            .collect();
        let first = pairs
            .first()
            .map(|&n| (self.names.numbered(n), self.names.numbered_gz(n)));
        self.twins.counted(pairs.len(), first);
        Ok(run)
    }

    /// [`run`](NumberedChain::run) from one directory listing rather than
    /// two `stat`s per number: for long chains, where it is several times
    /// cheaper.
    fn run_listed(&self) -> io::Result<Vec<Form>> {
        // (plain, gz) of each number.
        let mut found = vec![(false, false); self.retention.count];
        for entry in std::fs::read_dir(self.names.dir())? {
            let name = entry?.file_name();
            let Some(rest) = self.names.backup_suffix(&name) else {
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
                (true, true) => self.resolve_both(i + 1)?,
                (_, true) => Form::Gz,
                (true, false) => Form::Plain,
                (false, false) => break,
            });
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The log's files in `dir` (not the library's own directory).
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name != crate::names::OWN_DIR)
            .collect();
        names.sort();
        names
    }

    fn kept(count: usize) -> Retention {
        Retention {
            count,
            max_age: None,
            max_total_bytes: None,
        }
    }

    static TWINS: Twins = Twins::new();

    fn chain<'a>(names: &'a Names, retention: &'a Retention) -> NumberedChain<'a> {
        NumberedChain {
            names,
            retention,
            gzip: false,
            twins: &TWINS,
        }
    }

    #[test]
    fn rotation_shifts_the_chain_and_drops_the_oldest() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(2);
        let backups = chain(&names, &retention);
        // Where pruned backups go (`Backups::rotate` makes sure it exists).
        std::fs::create_dir(names.own_dir()).unwrap();
        for content in ["a", "b", "c"] {
            std::fs::write(names.live(), content).unwrap();
            for pruned in backups.rotate(0).unwrap().pruned {
                assert_eq!(std::fs::read_to_string(&pruned).unwrap(), "a");
                std::fs::remove_file(pruned).unwrap();
            }
        }
        assert_eq!(names_in(dir.path()), ["app.log.1", "app.log.2"]);
        assert_eq!(std::fs::read_to_string(names.numbered(1)).unwrap(), "c");
        assert_eq!(std::fs::read_to_string(names.numbered(2)).unwrap(), "b");
    }

    #[test]
    fn plain_and_gzipped_backups_shift_alike() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(4);
        let backups = NumberedChain {
            gzip: true,
            ..chain(&names, &retention)
        };
        std::fs::write(names.numbered_gz(1), "gz1").unwrap();
        std::fs::write(names.numbered(2), "plain2").unwrap();
        std::fs::write(names.live(), "live").unwrap();
        let pending = backups.rotate(0).unwrap();
        assert_eq!(
            names_in(dir.path()),
            ["app.log.1", "app.log.2.gz", "app.log.3"]
        );
        assert_eq!(pending.to_compress, [names.numbered(1), names.numbered(3)]);
    }

    #[test]
    fn a_plain_backup_beside_the_gz_made_from_it_goes() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(4);
        std::fs::write(names.numbered(1), "plain").unwrap();
        let meta = std::fs::metadata(names.numbered(1)).unwrap();
        let gz = std::fs::File::create(names.numbered_gz(1)).unwrap();
        let mut encoder = flate2::GzBuilder::new()
            .comment(provenance::comment(&meta))
            .write(gz, flate2::Compression::fast());
        std::io::Write::write_all(&mut encoder, b"plain").unwrap();
        encoder.finish().unwrap();
        std::fs::write(names.live(), "live").unwrap();
        chain(&names, &retention).rotate(0).unwrap();
        assert_eq!(names_in(dir.path()), ["app.log.1", "app.log.2.gz"]);
    }

    #[test]
    fn a_plain_backup_beside_a_gz_of_other_data_is_kept_and_moves_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(4);
        let twins = Twins::new();
        let backups = NumberedChain {
            twins: &twins,
            ..chain(&names, &retention)
        };
        std::fs::write(names.numbered_gz(1), "an older gz").unwrap();
        std::fs::write(names.numbered(1), "moved here by hand").unwrap();
        std::fs::write(names.live(), "live").unwrap();
        backups.rotate(0).unwrap();
        assert_eq!(
            names_in(dir.path()),
            ["app.log.1", "app.log.2", "app.log.2.gz"]
        );
        assert_eq!(twins.kept(), 1);
        assert_eq!(
            std::fs::read_to_string(names.numbered(2)).unwrap(),
            "moved here by hand"
        );
    }

    #[test]
    fn a_backup_is_found_by_inode_after_the_chain_shifted() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(5);
        let backups = chain(&names, &retention);
        std::fs::write(names.live(), "first").unwrap();
        backups.rotate(0).unwrap();
        let id = FileId::at(&names.numbered(1)).unwrap().unwrap();
        std::fs::write(names.live(), "second").unwrap();
        backups.rotate(0).unwrap();
        assert_eq!(backups.locate(id).unwrap(), Some(names.numbered(2)));
    }

    #[test]
    fn a_gap_left_by_a_crash_is_closed_when_opening() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(6);
        let backups = chain(&names, &retention);
        // A rotation killed after `.3 -> .4` and before `.2 -> .3`; one
        // backup gzipped.
        for (n, content) in [(1, "1"), (2, "2"), (4, "3")] {
            std::fs::write(names.numbered(n), content).unwrap();
        }
        std::fs::write(names.numbered_gz(5), "4").unwrap();
        backups.close_gap().unwrap();
        let whole = ["app.log.1", "app.log.2", "app.log.3", "app.log.4.gz"];
        assert_eq!(names_in(dir.path()), whole);
        assert_eq!(std::fs::read_to_string(names.numbered(3)).unwrap(), "3");
        // A whole chain is left alone.
        backups.close_gap().unwrap();
        assert_eq!(names_in(dir.path()), whole);
    }

    #[test]
    fn a_gap_left_by_a_crash_is_filled_by_the_next_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(5);
        // A rotation killed after `.3 -> .4` and before `.2 -> .3`.
        for (n, content) in [(1, "1"), (2, "2"), (4, "3"), (5, "4")] {
            std::fs::write(names.numbered(n), content).unwrap();
        }
        std::fs::write(names.live(), "live").unwrap();
        chain(&names, &retention).rotate(0).unwrap();
        let chain: Vec<String> = (1..=5)
            .map(|n| std::fs::read_to_string(names.numbered(n)).unwrap())
            .collect();
        assert_eq!(chain, ["live", "1", "2", "3", "4"]);
    }

    #[test]
    fn a_long_chain_is_read_from_a_listing_like_a_short_one() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
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
            let retention = kept(count);
            let run = chain(&names, &retention).run().unwrap();
            assert_eq!(run, [Form::Plain, Form::Gz, Form::Both], "count {count}");
        }
    }
}
