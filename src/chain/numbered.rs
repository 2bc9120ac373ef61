//! Numbered backups: `app.log.1` the newest, `app.log.N` the oldest, N at
//! most the count kept; with gzip, a backup may also be `app.log.n.gz`,
//! never both (guarantee: an unbroken chain).
//!
//! A rotation, done under the lock, is renames only, after moving the
//! oldest backup aside if the chain is full: `.N-1` -> `.N`, ..., `.1` ->
//! `.2` (each in the form it has), then the live file -> `.1`. No rename
//! replaces an existing file.
//!
//! Above [`DEFER_ABOVE`] backups those renames would hold every writer up
//! (7 ms at 1,000 on ext4), so a rotation only renames the live file to a
//! name in the library's directory ([`Names::shifting`]) under the lock,
//! which costs the same whatever the chain's length. The shift itself is done after, in batches of a few renames
//! (see `writer::deferred_shift`), each under the lock, the lock released between
//! them so that records go on; the waiting file becomes `.1` last. Between
//! two batches the chain has one gap, just above the run still to move,
//! the very state a rotation killed between two renames leaves; so the
//! shift is carried on from the chain alone, by whoever takes the lock
//! first: the rotating process's next batch, or any rotation (which first
//! finishes the shift left, so that two never mix), or an opening, which
//! finishes it before closing gaps. The waiting file's presence is the
//! only mark that a shift is left; the state counts it as unfinished work
//! until it is done, so that an opening after a kill looks. Python's
//! handler shares no such mark, so with its lock the shift stays whole
//! under the lock.
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
use std::path::{Path, PathBuf};

use crate::chain::leftovers;
use crate::chain::pending::{Pending, Resume, Shift};
use crate::chain::provenance::{self, Twins};
use crate::chain::retention::{Facts, Retention};
use crate::names::{Names, backup_number};
use crate::own_dir;
use crate::sys::dir::At;
use crate::sys::fs::{FileId, exists, remove_if_present, rename};

/// Above this many backups, the chain is read from one directory listing
/// rather than from two `stat`s per number (measured: about even at 16).
const LIST_ABOVE: usize = 16;

/// Above this many backups, a rotation renames only the live file under
/// the lock and leaves the shift for after it (at 16, the whole shift
/// under the lock takes about 100 µs).
pub(crate) const DEFER_ABOVE: usize = 16;

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
    /// retention drop what it must; a shift an earlier rotation left
    /// unfinished is finished first. Above [`DEFER_ABOVE`] backups (unless
    /// Python's handler shares the lock), only the live file is renamed,
    /// to [`Names::shifting`], and the shift is left to
    /// [`finish_shift`](NumberedChain::finish_shift): `shift_left`. Called
    /// with the lock held; the count must be at least 1.
    pub(crate) fn rotate(&self, now: i64) -> io::Result<Pending> {
        debug_assert!(self.retention.count >= 1);
        let mut pending = Pending::default();
        if self.finish_shift(now, usize::MAX, None, &mut pending)? == Shift::Finished {
            pending.shifts_finished += 1;
        }
        if self.defers() {
            match rename(self.names.live(), &self.names.shifting()) {
                // Someone removed the live file: nothing to keep.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                other => {
                    other?;
                    pending.shift_left = true;
                }
            }
            return Ok(pending);
        }
        self.shift_into(self.names.live(), now, usize::MAX, None, &mut pending)?;
        Ok(pending)
    }

    /// Whether rotations leave the shift for after the lock: with a chain
    /// long enough for the renames to cost more than about 100 µs, and
    /// never with Python's handler on the lock, which shifts the chain
    /// itself and must never find it mid-shift.
    fn defers(&self) -> bool {
        self.retention.count > DEFER_ABOVE && !self.names.is_python_lock()
    }

    /// Does at most `limit` renames of the shift a rotation left (the
    /// rotated file waits at [`Names::shifting`]), from where the last
    /// batch said it left it (`from`), if that still holds, adding to `pending` what retention let
    /// go and, once finished, the plain backups to compress. Called with
    /// the lock held, by whoever takes it first: the rotating process in
    /// batches once it released the lock, the next rotation, the next
    /// opening.
    pub(crate) fn finish_shift(
        &self,
        now: i64,
        limit: usize,
        from: Option<Resume>,
        pending: &mut Pending,
    ) -> io::Result<Shift> {
        let waiting = self.names.shifting();
        let Some(id) = FileId::at(&waiting)? else {
            return Ok(Shift::None);
        };
        // The hint of another shift (finished since, and a new one begun)
        // says nothing of this one.
        let from = from.filter(|r| r.waiting == id).map(|r| r.next);
        Ok(
            match self.shift_into(&waiting, now, limit, from, pending)? {
                Some(next) => Shift::Unfinished(Resume { waiting: id, next }),
                None => Shift::Finished,
            },
        )
    }

    /// The shift of a rotation: the run of backups before the first gap
    /// moves up by one, top-down, after the oldest moved aside if the chain
    /// is full (`.N-1` -> `.N`, ..., `.1` -> `.2`, each in the form it
    /// has), then `newest` becomes `.1`, and retention drops what it must.
    /// Stops, `newest` left where it is, once `limit` renames are done with
    /// backups still to move, and returns the number of the next one: the
    /// chain is then left with one gap, just above the run still to move,
    /// which is where the next call, finding the run before the first gap,
    /// carries on; `from`, that number as the last call of the same shift
    /// returned it, spares it listing the chain, if the chain agrees.
    /// Returns `None` once finished. No rename replaces an existing file.
    fn shift_into(
        &self,
        newest: &Path,
        now: i64,
        limit: usize,
        from: Option<usize>,
        pending: &mut Pending,
    ) -> io::Result<Option<usize>> {
        if let Some(top) = from
            && let Some(next) = self.carry_on(top, limit)?
        {
            if next > 0 {
                return Ok(Some(next));
            }
            self.place_newest(newest, now, Vec::new(), pending)?;
            return Ok(None);
        }
        let mut run = self.run()?;
        let mut left = limit;
        if run.len() == self.retention.count {
            // The chain is full: move the oldest aside first. Renaming onto
            // it instead would make ext4 (auto_da_alloc) flush the renamed
            // file's dirty pages synchronously, and freeing its blocks takes
            // time too, with every writer waiting.
            let oldest = run.pop().expect("count >= 1");
            for path in self.named(self.retention.count, oldest) {
                pending
                    .pruned
                    .extend(leftovers::move_aside(self.names, &path)?);
                left = left.saturating_sub(1);
            }
        }
        for (i, &form) in run.iter().enumerate().rev() {
            if left == 0 {
                return Ok(Some(i + 1));
            }
            self.move_up(i + 1, form, &mut left)?;
        }
        self.place_newest(newest, now, run, pending)?;
        Ok(None)
    }

    /// Carries a shift on from backup `top` down, at most `limit` renames,
    /// without listing the chain. Returns the number of the next backup to
    /// move (0: none left), or `None` if the chain does not look as the
    /// last batch left it (`.top` there, nothing at `.top+1`): then it must
    /// be listed.
    fn carry_on(&self, top: usize, limit: usize) -> io::Result<Option<usize>> {
        if top == 0 || top >= self.retention.count || self.form(top + 1)?.is_some() {
            return Ok(None);
        }
        let (mut n, mut left) = (top, limit);
        while n >= 1 {
            if left == 0 {
                return Ok(Some(n));
            }
            let Some(form) = self.form(n)? else {
                // A gap made by hand meanwhile: the next batch lists.
                return Ok((n < top).then_some(n));
            };
            self.move_up(n, form, &mut left)?;
            n -= 1;
        }
        Ok(Some(0))
    }

    /// Moves backup `n` (each file of it, in `form`) to `n + 1`, counting
    /// the renames off `left`.
    fn move_up(&self, n: usize, form: Form, left: &mut usize) -> io::Result<()> {
        for (from, to) in self.named(n, form).zip(self.named(n + 1, form)) {
            rename(&from, &to)?;
            *left = left.saturating_sub(1);
        }
        Ok(())
    }

    /// The end of a shift, every backup of the run (`run`, their forms)
    /// moved up: `newest` becomes `.1`, retention drops what it must, and
    /// `pending` gets the plain backups to compress.
    fn place_newest(
        &self,
        newest: &Path,
        now: i64,
        mut run: Vec<Form>,
        pending: &mut Pending,
    ) -> io::Result<()> {
        let made = match rename(newest, &self.names.numbered(1)) {
            // Someone removed the file: nothing to keep.
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            other => {
                other?;
                run.insert(0, Form::Plain);
                true
            }
        };
        if newest != self.names.live() {
            // A shift in batches: the backups earlier batches moved were
            // past the gap when this one listed the chain.
            run = self.run()?;
        }
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
                        .extend(leftovers::move_aside(self.names, &path)?);
                }
            }
        }
        if self.gzip {
            pending.to_compress = self.plain_of(&run);
        }
        Ok(())
    }

    /// Moves a rotated file an earlier version left waiting for its shift in
    /// the library's directory ([`Names::legacy_shifting`]) to where it
    /// waits now, beside the log, so that the shift carries on. Called with
    /// the lock held, when opening.
    pub(crate) fn adopt_legacy_shift(&self) -> io::Result<()> {
        let Some(own) =
            own_dir::open_existing(self.names).map_err(|e| own_dir::failed(self.names, e))?
        else {
            return Ok(());
        };
        let legacy = own.at(self.names.legacy_shifting());
        if legacy.id()?.is_none() {
            return Ok(());
        }
        match legacy.link_to(&At::path(&self.names.shifting())) {
            // Never over another rotated file: both stay, the legacy one
            // for an operator to look at.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            other => {
                other?;
                legacy.remove()
            }
        }
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
        // A chain has at most one gap (a shift under way, or a rotation
        // killed mid-way): the backup may be past it.
        let mut gaps = 0;
        for n in 1..=self.retention.count {
            let path = self.names.numbered(n);
            match FileId::at(&path)? {
                Some(found) if found == id => return Ok(Some(path)),
                Some(_) => {}
                None if !exists(&self.names.numbered_gz(n))? => {
                    gaps += 1;
                    if gaps == 2 {
                        return Ok(None);
                    }
                }
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
                let pruned = names.own_dir().join(pruned);
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
        let found = crate::sys::fs::stat(&names.numbered(1)).unwrap().unwrap();
        let gz = std::fs::File::create(names.numbered_gz(1)).unwrap();
        let mut encoder = flate2::GzBuilder::new()
            .comment(provenance::comment(&found))
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

    /// Backups `.1` to `.count`, holding `backup n`, and a live file.
    fn full_chain(names: &Names, count: usize) {
        std::fs::create_dir_all(names.own_dir()).unwrap();
        for n in 1..=count {
            std::fs::write(names.numbered(n), format!("backup {n}")).unwrap();
        }
        std::fs::write(names.live(), "live").unwrap();
    }

    /// The numbers of the backups in the chain, in order, and what each
    /// holds.
    fn contents(names: &Names, count: usize) -> Vec<(usize, String)> {
        (1..=count + 1)
            .filter_map(|n| {
                let text = std::fs::read_to_string(names.numbered(n)).ok()?;
                Some((n, text))
            })
            .collect()
    }

    /// What the backups of the chain hold, in order.
    fn texts(names: &Names, count: usize) -> Vec<String> {
        contents(names, count).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn a_long_chain_rotates_with_one_rename_and_shifts_after_in_batches() {
        // Guarantees: an unbroken chain (once shifted), crash-safe (between
        // two batches, the chain is what a kill between two renames leaves).
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let count = DEFER_ABOVE + 24;
        let retention = kept(count);
        let backups = NumberedChain {
            gzip: true,
            ..chain(&names, &retention)
        };
        full_chain(&names, count);
        let before = contents(&names, count);
        let pending = backups.rotate(0).unwrap();
        assert!(pending.shift_left, "the shift is left for after the lock");
        assert!(pending.pruned.is_empty() && !names.live().exists());
        assert_eq!(
            contents(&names, count),
            before,
            "no backup moved under the lock"
        );
        assert_eq!(std::fs::read_to_string(names.shifting()).unwrap(), "live");
        let mut batches = 0;
        let mut pruned = Vec::new();
        let mut from = None;
        loop {
            let mut pending = Pending::default();
            let shift = backups.finish_shift(0, 5, from, &mut pending).unwrap();
            pruned.extend(pending.pruned);
            batches += 1;
            if shift == Shift::Finished {
                // Every plain backup, also those earlier batches moved.
                let all: Vec<PathBuf> = (1..=count).map(|n| names.numbered(n)).collect();
                assert_eq!(pending.to_compress, all);
                break;
            }
            assert!(pending.to_compress.is_empty());
            let Shift::Unfinished(next) = shift else {
                panic!("{shift:?}")
            };
            assert_eq!(
                next.waiting,
                FileId::at(&names.shifting()).unwrap().unwrap()
            );
            // Every other batch lists the chain: the hint is only a hint.
            from = (batches % 2 == 0).then_some(next);
            // One gap at most, every backup in order.
            let now = contents(&names, count);
            let gaps = now.windows(2).filter(|w| w[1].0 != w[0].0 + 1).count();
            assert!(gaps + usize::from(now[0].0 != 1) <= 1, "{now:?}");
            let held: Vec<&str> = now.iter().map(|(_, t)| t.as_str()).collect();
            let mut sorted = held.clone();
            sorted.sort_by_key(|t| t[7..].parse::<usize>().unwrap());
            assert_eq!(held, sorted, "backups out of order mid-shift");
        }
        // The oldest moved aside and the others shifted: `count` renames.
        assert_eq!(batches, count.div_ceil(5));
        assert!(!names.shifting().exists());
        let after = texts(&names, count);
        let mut expected = vec!["live".to_string()];
        expected.extend((1..count).map(|n| format!("backup {n}")));
        assert_eq!(after, expected);
        assert_eq!(pruned.len(), 1);
        assert_eq!(
            std::fs::read_to_string(names.own_dir().join(&pruned[0])).unwrap(),
            format!("backup {count}")
        );
        // Nothing left: the next call has nothing to do.
        let mut pending = Pending::default();
        assert_eq!(
            backups.finish_shift(0, 5, None, &mut pending).unwrap(),
            Shift::None
        );
    }

    #[test]
    fn a_rotation_finishes_the_shift_left_before_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let count = DEFER_ABOVE + 4;
        let retention = kept(count);
        let backups = chain(&names, &retention);
        full_chain(&names, count);
        assert!(backups.rotate(0).unwrap().shift_left);
        // A few renames done, then the shifting process was killed.
        let mut pending = Pending::default();
        assert_eq!(
            backups.finish_shift(0, 3, None, &mut pending).unwrap(),
            Shift::Unfinished(Resume {
                waiting: FileId::at(&names.shifting()).unwrap().unwrap(),
                next: count - 3
            })
        );
        std::fs::write(names.live(), "second").unwrap();
        let pending = backups.rotate(0).unwrap();
        assert_eq!((pending.shifts_finished, pending.shift_left), (1, true));
        let mut pending = Pending::default();
        let shift = backups
            .finish_shift(0, usize::MAX, None, &mut pending)
            .unwrap();
        assert_eq!(shift, Shift::Finished);
        let after = texts(&names, count);
        let mut expected = vec!["second".to_string(), "live".to_string()];
        expected.extend((1..count - 1).map(|n| format!("backup {n}")));
        assert_eq!(after, expected);
    }

    #[test]
    fn a_short_chain_or_pythons_lock_shifts_whole_under_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let retention = kept(DEFER_ABOVE);
        full_chain(&names, DEFER_ABOVE);
        let pending = chain(&names, &retention).rotate(0).unwrap();
        assert!(!pending.shift_left && !names.shifting().exists());
        assert_eq!(std::fs::read_to_string(names.numbered(1)).unwrap(), "live");
    }

    #[test]
    fn a_backup_past_the_gap_of_a_shift_under_way_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let count = DEFER_ABOVE + 4;
        let retention = kept(count);
        let backups = chain(&names, &retention);
        full_chain(&names, count);
        let below = FileId::at(&names.numbered(2)).unwrap().unwrap();
        let above = FileId::at(&names.numbered(count - 3)).unwrap().unwrap();
        backups.rotate(0).unwrap();
        let mut pending = Pending::default();
        backups.finish_shift(0, 4, None, &mut pending).unwrap();
        assert_eq!(backups.locate(below).unwrap(), Some(names.numbered(2)));
        assert_eq!(
            backups.locate(above).unwrap(),
            Some(names.numbered(count - 2))
        );
    }

    #[test]
    fn a_hint_the_chain_disagrees_with_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        let count = DEFER_ABOVE + 20;
        let retention = kept(count);
        let backups = chain(&names, &retention);
        full_chain(&names, count);
        backups.rotate(0).unwrap();
        let mut pending = Pending::default();
        let Shift::Unfinished(resume) = backups.finish_shift(0, 6, None, &mut pending).unwrap()
        else {
            panic!("finished in one batch")
        };
        // Someone else did a batch meanwhile: the hint is stale.
        let mut other = Pending::default();
        backups.finish_shift(0, 4, None, &mut other).unwrap();
        let shift = backups
            .finish_shift(0, usize::MAX, Some(resume), &mut pending)
            .unwrap();
        assert_eq!(shift, Shift::Finished);
        let after = texts(&names, count);
        let mut expected = vec!["live".to_string()];
        expected.extend((1..count).map(|n| format!("backup {n}")));
        assert_eq!(after, expected);
    }
}
