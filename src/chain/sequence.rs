//! Restart-proof files: no file is renamed while it may hold unread lines.
//! Each rotation starts the next file of a sequence, `app.000001.log`,
//! `app.000002.log`, ... (the number goes before the log's extension, so
//! `logs/app.*.log` matches every file and no `.gz`), and the live file
//! becomes a backup under the name it already has. A follower that keeps
//! its place per file name finds every file again after a restart, under
//! the same name, with the same content. Six digits at least (numbers
//! sort as text up to 999,999; `ls -v` and the library sort by number).
//!
//! The live file's number is in the shared state (`current`), so a record
//! costs no lookup. A state started afresh learns it from the directory:
//! the next number after every file found, so that no file is written
//! again once a later one exists, and a log written until then under the
//! stable name alone (rename mode, an earlier version) joins the sequence
//! first, under the next number.
//!
//! `app.log`, the stable name for people (`tail -F logs/app.log`), is a
//! second hard link to the live file, replaced at each switch by renaming
//! a new link over it: atomic, and GNU `tail -F` follows it with inotify
//! (it polls, once a second, a name that is a symbolic link). The library
//! never opens a file through it. It is replaced only when what it names
//! is not the only copy of anything: a link to one of the log's files, an
//! empty file, a symbolic link, or the file this process held open.
//!
//! A switch, under the lock, after the caller moved the generation on:
//! `current` becomes N+1, the writer opens (creates) `app.<N+1>.log`, and
//! makes `app.log` a name of it. A process killed after any step leaves
//! nothing the next writer does not finish: it reopens (the generation
//! moved), which creates the file if missing and links it; a temporary
//! link left in the hidden directory is replaced by the next one.
//! Retention lets the oldest files go, never the live one; compression
//! takes backups only (numbered below the live file, a number that never
//! goes down).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::chain::leftovers;
use crate::chain::pending::Pending;
use crate::chain::provenance::{self, Twins};
use crate::chain::retention::{Facts, Retention};
use crate::names::Names;
use crate::own_dir;
use crate::shared::state_file::StateFile;
use crate::sys::dir::At;
use crate::sys::fs::{FileId, Stat, remove_if_present, rename, stat};
use crate::sys::open::FileMode;
use crate::sys::stderr;

/// The files of one restart-proof log.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SequenceChain<'a> {
    pub(crate) names: &'a Names,
    /// Its `count` is how many backups (files before the live one) are
    /// kept at most.
    pub(crate) retention: &'a Retention,
    /// Whether rotations report the plain backups, for the compressor.
    pub(crate) gzip: bool,
    pub(crate) twins: &'a Twins,
    /// Of the library's directory, if the stable name's next link must
    /// recreate it.
    pub(crate) dir_mode: FileMode,
    /// Whether a failure to keep the stable name was reported.
    pub(crate) link_reported: &'a AtomicBool,
}

/// One file of the sequence found in the log's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SequenceFile {
    path: PathBuf,
    /// A plain file of the same number beside this `.gz`, holding other
    /// data (see `provenance`): kept, and let go with it.
    twin: Option<PathBuf>,
    number: u64,
    gz: bool,
}

impl SequenceFile {
    /// Its files: itself, and its twin if it has one.
    fn files(&self) -> impl Iterator<Item = PathBuf> + '_ {
        std::iter::once(self.path.clone()).chain(self.twin.clone())
    }
}

impl SequenceChain<'_> {
    /// The live file: numbered as the state says, or, for a state started
    /// afresh, after every file found (which is then recorded). Called
    /// with the lock held.
    pub(crate) fn live_path(&self, state: &StateFile) -> io::Result<PathBuf> {
        Ok(self.names.sequenced(self.current(state)?))
    }

    /// Starts the next file: the live one keeps its name as the newest
    /// backup, and retention lets the oldest go. Called with the lock held,
    /// the generation moved on; the caller opens the new live file.
    pub(crate) fn rotate(&self, state: &StateFile, now: i64) -> io::Result<Pending> {
        let closed = self.current(state)?;
        let live = closed + 1;
        state.set_current(live);
        let backups = self.list(live)?;
        let mut pending = Pending::default();
        // The backup this rotation made holds the newest records: age and
        // size never take it, even after the clock jumped forward.
        let made = backups.last().is_some_and(|b| b.number == closed);
        let keep = if self.retention.needs_facts() {
            let facts = backups.iter().rev().map(|b| Facts::of_files(b.files()));
            self.retention.keep(facts, now)?
        } else {
            backups.len().min(self.retention.count)
        };
        let expired = backups.len().saturating_sub(keep.max(usize::from(made)));
        // Oldest first: a crash in between leaves the newest, in order.
        for backup in &backups[..expired] {
            for path in backup.files() {
                pending
                    .pruned
                    .extend(leftovers::move_aside(self.names, &path)?);
            }
        }
        if self.gzip {
            pending.to_compress = plain(&backups[expired..]);
        }
        Ok(pending)
    }

    /// The plain backups: every plain file numbered below the live one.
    /// Called with the lock held.
    pub(crate) fn plain_backups(&self, state: &StateFile) -> io::Result<Vec<PathBuf>> {
        let live = self.current(state)?;
        Ok(plain(&self.list(live)?))
    }

    /// Whether the backup queued as `queued`, file `id`, is still there: a
    /// file keeps its name, and one queued was numbered below the live file
    /// then, so it is below it still (the number never goes down). Called
    /// with the lock held.
    pub(crate) fn locate(&self, queued: &Path, id: FileId) -> io::Result<Option<PathBuf>> {
        Ok((FileId::at(queued)? == Some(id)).then(|| queued.to_path_buf()))
    }

    /// Makes the stable name (`app.log`) a name of the live file at `live`
    /// (file `live_id`), unless it is one already; `held` is the file this
    /// process held before, whose data may be left under the stable name
    /// alone after its numbered name was deleted by hand. A failure is
    /// reported once on stderr; the next path check tries again. Called
    /// with the lock held.
    pub(crate) fn link(&self, live: &Path, live_id: FileId, held: Option<FileId>) {
        if let Err(e) = self.try_link(live, live_id, held)
            && !self.link_reported.swap(true, Ordering::Relaxed)
        {
            stderr::print(format_args!(
                "cannot make `{}` a name of the live file `{}`: {e} (tried again as the log path is checked; further failures are not printed)",
                self.names.live().display(),
                live.display()
            ));
        }
    }

    fn try_link(&self, live: &Path, live_id: FileId, held: Option<FileId>) -> io::Result<()> {
        let stable = self.names.live();
        match stat(stable) {
            Ok(Some(found)) if found.id == live_id => return Ok(()),
            Ok(Some(found)) if !replaceable(&found, held) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "it is a file of its own, not a name of one of the log's files; once it is moved away, it is replaced",
                ));
            }
            Ok(_) => {}
            Err(e) => return Err(e),
        }
        // Made again if removed by hand since the log was opened.
        let own =
            own_dir::open(self.names, self.dir_mode).map_err(|e| own_dir::failed(self.names, e))?;
        let temp = own.at(self.names.link_temp());
        // A killed writer's, if any.
        temp.remove()?;
        At::path(live).link_to(&temp)?;
        let moved = temp.rename_to(&At::path(stable));
        // rename(2) between two names of one file leaves both.
        temp.remove()?;
        moved
    }

    /// The live file's number, from the state, or for a state started
    /// afresh from the directory (and then recorded).
    fn current(&self, state: &StateFile) -> io::Result<u64> {
        match state.current() {
            0 => {
                let live = self.start_afresh()?;
                state.set_current(live);
                Ok(live)
            }
            live => Ok(live),
        }
    }

    /// The number a state started afresh gives the live file: after every
    /// file found. A file of its own under the stable name (the live file
    /// of a log written until now in rename mode, or by an earlier
    /// version) joins the sequence first, as its newest backup.
    fn start_afresh(&self) -> io::Result<u64> {
        let mut highest = self.highest()?;
        let stable = self.names.live();
        match stat(stable) {
            Ok(Some(found)) if found.meta.is_file() && found.links == 1 && found.meta.len() > 0 => {
                highest += 1;
                rename(stable, &self.names.sequenced(highest))?;
            }
            Ok(_) => {}
            Err(e) => return Err(e),
        }
        Ok(highest + 1)
    }

    /// The highest number of any file of the sequence, plain or gzipped; 0
    /// if there is none.
    fn highest(&self) -> io::Result<u64> {
        let mut highest = 0;
        for entry in std::fs::read_dir(self.names.dir())? {
            if let Some((n, _)) = self.names.sequence_number(&entry?.file_name()) {
                highest = highest.max(n);
            }
        }
        Ok(highest)
    }

    /// The files numbered below `live`, oldest first. A number found both
    /// plain and gzipped is what a compressor killed between its last two
    /// steps leaves if the `.gz` was made from that plain file: the `.gz`
    /// got its name once complete, so the plain file is removed. Otherwise
    /// both are kept.
    fn list(&self, live: u64) -> io::Result<Vec<SequenceFile>> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(self.names.dir())? {
            let name = entry?.file_name();
            match self.names.sequence_number(&name) {
                Some((number, gz)) if number < live => found.push(SequenceFile {
                    path: self.names.live().with_file_name(&name),
                    twin: None,
                    number,
                    gz,
                }),
                _ => {}
            }
        }
        // Gzipped first within a number: a plain file after it is its twin.
        found.sort_by_key(|f| (f.number, !f.gz));
        let mut files: Vec<SequenceFile> = Vec::with_capacity(found.len());
        let (mut pairs, mut first) = (0, None);
        for file in found {
            match files.last_mut() {
                Some(last) if last.number == file.number => {
                    if provenance::made_from(&last.path, &file.path)? {
                        remove_if_present(&file.path)?;
                    } else {
                        pairs += 1;
                        first.get_or_insert_with(|| (file.path.clone(), last.path.clone()));
                        last.twin = Some(file.path);
                    }
                }
                _ => files.push(file),
            }
        }
        self.twins.counted(pairs, first);
        Ok(files)
    }
}

/// The plain files among `files`.
fn plain(files: &[SequenceFile]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|f| !f.gz)
        .map(|f| f.path.clone())
        .collect()
}

/// Whether the stable name may be replaced, naming what `meta` describes:
/// never when it holds the only copy of data (except the file this
/// process held, whose numbered name was deleted by hand: let go, as
/// rename mode lets a deleted live file go).
fn replaceable(found: &Stat, held: Option<FileId>) -> bool {
    let file_type = found.meta.file_type();
    file_type.is_symlink()
        || (file_type.is_file()
            && (found.links > 1 || found.meta.len() == 0 || held == Some(found.id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::open::FileMode;

    const KEEP: Retention = Retention {
        count: 3,
        max_age: None,
        max_total_bytes: None,
    };

    static TWINS: Twins = Twins::new();
    static REPORTED: AtomicBool = AtomicBool::new(false);

    fn chain<'a>(names: &'a Names, retention: &'a Retention) -> SequenceChain<'a> {
        SequenceChain {
            names,
            retention,
            gzip: true,
            twins: &TWINS,
            dir_mode: FileMode::DEFAULT,
            link_reported: &REPORTED,
        }
    }

    /// The log's directory and a state of its own, started afresh.
    fn setup() -> (tempfile::TempDir, Names, StateFile) {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("app.log"));
        std::fs::create_dir(names.own_dir()).unwrap();
        let state = StateFile::open(&At::path(names.state()), FileMode::DEFAULT).unwrap();
        state.validate(1);
        (dir, names, state)
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name != crate::names::OWN_DIR)
            .collect();
        names.sort();
        names
    }

    /// Writes the live file and makes the stable name a link to it, as a
    /// writer's reopen does.
    fn write_live(chain: &SequenceChain<'_>, state: &StateFile, content: &str) -> PathBuf {
        let live = chain.live_path(state).unwrap();
        std::fs::write(&live, content).unwrap();
        let id = FileId::at(&live).unwrap().unwrap();
        chain.link(&live, id, None);
        live
    }

    #[test]
    fn a_rotation_starts_the_next_number_and_renames_nothing() {
        let (dir, names, state) = setup();
        let chain = chain(&names, &KEEP);
        let first = write_live(&chain, &state, "one\n");
        assert_eq!(first, names.sequenced(1));
        let id = FileId::at(&first).unwrap();
        let pending = chain.rotate(&state, 0).unwrap();
        assert_eq!(state.current(), 2);
        assert_eq!(pending.to_compress, std::slice::from_ref(&first));
        // The closed file keeps its name and its inode.
        assert_eq!(FileId::at(&first).unwrap(), id);
        write_live(&chain, &state, "two\n");
        assert_eq!(
            file_names(dir.path()),
            ["app.000001.log", "app.000002.log", "app.log"]
        );
        assert_eq!(std::fs::read_to_string(names.live()).unwrap(), "two\n");
        assert_eq!(
            FileId::at(names.live()).unwrap(),
            FileId::at(&names.sequenced(2)).unwrap()
        );
    }

    #[test]
    fn retention_lets_the_oldest_go_and_never_the_live_file() {
        let (dir, names, state) = setup();
        let retention = Retention { count: 2, ..KEEP };
        let chain = chain(&names, &retention);
        for n in 1..=5 {
            write_live(&chain, &state, &format!("{n}\n"));
            for pruned in chain.rotate(&state, 0).unwrap().pruned {
                leftovers::delete_pruned(&names, &pruned).unwrap();
            }
        }
        write_live(&chain, &state, "6\n");
        assert_eq!(
            file_names(dir.path()),
            [
                "app.000004.log",
                "app.000005.log",
                "app.000006.log",
                "app.log"
            ]
        );
    }

    #[test]
    fn a_state_started_afresh_continues_after_the_highest_file() {
        let (_dir, names, state) = setup();
        std::fs::write(names.sequenced(7), "seven\n").unwrap();
        std::fs::write(gz(&names.sequenced(8)), "not really gzip").unwrap();
        let chain = chain(&names, &KEEP);
        assert_eq!(chain.live_path(&state).unwrap(), names.sequenced(9));
        assert_eq!(state.current(), 9);
        // The files before it are backups, the gzipped one aside.
        assert_eq!(chain.plain_backups(&state).unwrap(), [names.sequenced(7)]);
    }

    #[test]
    fn a_log_written_in_rename_mode_joins_the_sequence_first() {
        let (dir, names, state) = setup();
        std::fs::write(names.live(), "from rename mode\n").unwrap();
        std::fs::write(names.numbered(1), "an older backup\n").unwrap();
        let chain = chain(&names, &KEEP);
        write_live(&chain, &state, "");
        assert_eq!(
            std::fs::read_to_string(names.sequenced(1)).unwrap(),
            "from rename mode\n"
        );
        assert_eq!(state.current(), 2);
        // Backups of the other naming are left alone.
        assert_eq!(
            file_names(dir.path()),
            ["app.000001.log", "app.000002.log", "app.log", "app.log.1"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_stable_name_is_never_the_only_copy_of_data_it_replaces() {
        let (_dir, names, state) = setup();
        let chain = chain(&names, &KEEP);
        let live = chain.live_path(&state).unwrap();
        std::fs::write(&live, "live\n").unwrap();
        let id = FileId::at(&live).unwrap().unwrap();
        // A file of its own, put there by someone else: kept.
        std::fs::write(names.live(), "someone's\n").unwrap();
        chain.link(&live, id, None);
        assert_eq!(
            std::fs::read_to_string(names.live()).unwrap(),
            "someone's\n"
        );
        assert!(REPORTED.load(Ordering::Relaxed));
        // The file this process held, its numbered name deleted by hand:
        // let go, as the live file deleted in rename mode is.
        let held = FileId::at(names.live()).unwrap();
        chain.link(&live, id, held);
        assert_eq!(std::fs::read_to_string(names.live()).unwrap(), "live\n");
        // A symbolic link, a link to an older file, a leftover temporary
        // link: replaced.
        std::fs::remove_file(names.live()).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", names.live()).unwrap();
        let temp = names.own_dir().join(names.link_temp());
        std::fs::write(&temp, "a killed writer's").unwrap();
        chain.link(&live, id, None);
        assert_eq!(FileId::at(names.live()).unwrap(), Some(id));
        assert!(!temp.exists());
    }

    #[test]
    fn a_plain_file_beside_the_gz_made_from_it_goes_and_a_stranger_stays() {
        let (dir, names, state) = setup();
        state.set_current(4);
        let made = names.sequenced(1);
        std::fs::write(&made, "data\n").unwrap();
        let found = stat(&made).unwrap().unwrap();
        let encoder = flate2::GzBuilder::new()
            .comment(provenance::comment(&found))
            .write(
                std::fs::File::create(gz(&made)).unwrap(),
                flate2::Compression::fast(),
            );
        encoder.finish().unwrap();
        std::fs::write(names.sequenced(2), "other\n").unwrap();
        std::fs::write(gz(&names.sequenced(2)), "an outside tool's").unwrap();
        let chain = chain(&names, &KEEP);
        assert!(chain.plain_backups(&state).unwrap().is_empty());
        assert_eq!(
            file_names(dir.path()),
            ["app.000001.log.gz", "app.000002.log", "app.000002.log.gz"]
        );
    }

    fn gz(path: &Path) -> PathBuf {
        crate::names::gz_of(path)
    }
}
