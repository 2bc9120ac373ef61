//! Files and directories that appear at their name with their final mode
//! and group, never otherwise (guarantee: no symlink followed; and what
//! the several-users guide, docs/several-users.md, relies on).
//!
//! `open(2)` filters the mode it is given through the process's umask, so
//! a file created with it and then `fchmod`ed has, for a moment, other
//! permissions: a process of another user opening it then (the lock file,
//! which every process opens before taking the lock; the live file, which
//! a shipper opens as soon as inotify says it exists) would be refused.
//! Creating with mode 0 and `fchmod`ing after has the same window. So a
//! file is made with no name (see `anonymous`) or, where that is not to be
//! had, under a private name in the same directory, given its mode and
//! group through its descriptor, and only then linked to its name
//! (`link(2)`, which never replaces: if another process made the file
//! first, its file is used). A directory is made under a private name and
//! renamed into place.
//!
//! The private name is `.crf-new.<pid>.<n>`, and its maker holds a `flock`
//! on it until it is done; one a killed process left is removed by the
//! next process that repairs a log in that directory ([`remove_orphans`]),
//! once no process of that pid is alive, it is a minute old, and no one
//! holds its `flock`. A pid alone says nothing across pid namespaces
//! (containers sharing a directory), where the maker may be alive under a
//! pid the remover cannot see; the `flock` is the kernel's, whatever the
//! namespace, and the age covers the moment between creating the name and
//! locking it.

use std::fs::File;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rustix::fs::{FileType, OFlags};

use crate::error::doing;
use crate::sys::anonymous;
use crate::sys::dir::{Access, At, Dir, flags};
use crate::sys::fs::dir_of;
use crate::sys::process::is_alive;

use super::Attributes;

/// The prefix of the private names.
const PREFIX: &str = ".crf-new.";

/// The set-group-id bit of a mode, as `MetadataExt::mode` gives it (a
/// `u32` everywhere, where `libc::S_ISGID` is a `mode_t`: `u16` on macOS
/// and FreeBSD).
const SET_GROUP_ID: u32 = 0o2000;

/// How old a private name of a pid no process has must be before it is
/// removed (see the module's documentation).
const ORPHAN_AGE: Duration = Duration::from_secs(60);

/// Every mode and group can be made.
pub(crate) fn refusal(_: &Attributes) -> Option<&'static str> {
    None
}

/// A private name, unique in this process.
fn private_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}{}.{n}", std::process::id())
}

/// Creates the file at `at`, opened with `access` (read and write, perhaps
/// append), holding `attributes` already when it appears at its name.
/// `Err` of kind `AlreadyExists` if another process created it first:
/// open that one.
pub(crate) fn file_in_place(
    at: &At<'_>,
    access: Access,
    attributes: Attributes,
) -> io::Result<File> {
    // No permission at all until it is given its own: no one can use the
    // file before it is named, but there is no reason to allow it.
    let bits = if attributes.exact { 0 } else { attributes.bits };
    if let Some(file) = anonymous::create(&at.parent(), access, bits)? {
        // No name at all until it is complete: nothing to leave behind.
        give(&file, &at.shown(), attributes)?;
        anonymous::link(&file, at)?;
        return Ok(file);
    }
    let private = at.sibling(private_name());
    let file = private
        .open(flags(access) | OFlags::CREATE | OFlags::EXCL, bits)
        .map_err(|e| doing(e, format_args!("create `{}`", private.shown().display())))?;
    // Claimed while it is being made (see the module's documentation); a
    // failure only leaves it to the pid and the age.
    let claimed = file.try_lock().is_ok();
    let made = give(&file, &private.shown(), attributes).and_then(|()| private.link_to(at));
    let removed = private.remove();
    if claimed {
        // The descriptor is the caller's (the lock file's, among others).
        let _ = file.unlock();
    }
    made?;
    removed?;
    Ok(file)
}

/// Gives an open file (or directory) its mode and group.
pub(crate) fn give(file: &File, path: &Path, attributes: Attributes) -> io::Result<()> {
    // The group first: chown(2) may clear the set-group-id bit.
    if let Some(gid) = attributes.group {
        std::os::unix::fs::fchown(file, None, Some(gid))
            .map_err(|e| doing(e, format_args!("give `{}` the group {gid}", path.display())))?;
    }
    if !attributes.exact {
        // Made with the bits less the umask, as asked.
        return Ok(());
    }
    // A directory made in a set-group-id directory inherits the bit, so
    // that what is made in it gets the same group: kept.
    let inherited = file.metadata()?.mode() & SET_GROUP_ID;
    file.set_permissions(std::fs::Permissions::from_mode(attributes.bits | inherited))
        .map_err(|e| {
            doing(
                e,
                format_args!(
                    "set the mode of `{}` to {:o}",
                    path.display(),
                    attributes.bits
                ),
            )
        })
}

/// Creates `dir` and its missing parents: with `0o755` less the umask by
/// default; with an exact mode or a group, each directory appears with
/// them (see the module's documentation).
pub(crate) fn make_dirs(dir: &Path, mode: Attributes) -> io::Result<()> {
    if mode.is_plain() {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(mode.bits)
            .create(dir)
    } else {
        // The missing ones, from the outermost in.
        let missing: Vec<&Path> = dir
            .ancestors()
            .filter(|d| !d.as_os_str().is_empty())
            .take_while(|d| std::fs::symlink_metadata(d).is_err())
            .collect();
        missing
            .into_iter()
            .rev()
            .try_for_each(|d| dir_in_place(d, mode))
    }
}

/// Creates the directory `dir` (its parent exists) with `attributes`,
/// already holding them when it appears at its name. A directory another
/// process made there first is no error.
pub(crate) fn dir_in_place(dir: &Path, attributes: Attributes) -> io::Result<()> {
    let private = dir_of(dir).join(private_name());
    std::fs::DirBuilder::new()
        .mode(if attributes.exact {
            0o700
        } else {
            attributes.bits
        })
        .create(&private)
        .map_err(|e| doing(e, format_args!("create `{}`", private.display())))?;
    let made = File::open(&private).and_then(|handle| {
        // Claimed while it is being made, until `handle` is dropped.
        let _ = handle.try_lock();
        give(&handle, &private, attributes)?;
        rename_dir(&private, dir)
    });
    match made {
        Ok(true) => Ok(()),
        Ok(false) => std::fs::remove_dir(&private)
            .map_err(|e| doing(e, format_args!("remove `{}`", private.display()))),
        Err(e) => {
            let _ = std::fs::remove_dir(&private);
            Err(e)
        }
    }
}

/// Whether the private name `at` is old enough, and unclaimed, to be a
/// dead maker's; anything but a file or directory there is a stray, to be
/// removed.
fn orphaned(at: &At<'_>) -> io::Result<bool> {
    let Some(meta) = at.stat()? else {
        return Ok(false);
    };
    let young = meta.modified.elapsed().map_or(true, |age| age < ORPHAN_AGE);
    if young {
        return Ok(false);
    }
    if !matches!(meta.kind, FileType::RegularFile | FileType::Directory) {
        return Ok(true);
    }
    let handle = match at.open(OFlags::RDONLY, 0) {
        Ok(handle) => handle,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(doing(e, format_args!("open `{}`", at.shown().display()))),
    };
    // Free now: its maker is gone (the lock goes with this handle).
    Ok(handle.try_lock().is_ok())
}

/// Renames the directory `from` to `to`: `false` if a directory is there
/// already (another process made it first).
fn rename_dir(from: &Path, to: &Path) -> io::Result<bool> {
    match rename_no_replace(from, to) {
        Ok(()) => Ok(true),
        Err(e)
            if matches!(e.raw_os_error(), Some(libc::ENOTEMPTY | libc::EEXIST))
                && std::fs::metadata(to).is_ok_and(|m| m.is_dir()) =>
        {
            Ok(false)
        }
        Err(e) => Err(doing(
            e,
            format_args!("rename `{}` -> `{}`", from.display(), to.display()),
        )),
    }
}

/// `rename(2)` replaces an empty directory: another process that made
/// `to` an instant before, and holds a descriptor of it to make its files
/// in, would then make them in a directory no longer there. Where the
/// system can refuse to replace (Linux, macOS), it is asked to.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        // A file system or kernel without it.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => std::fs::rename(from, to),
        other => other.map_err(io::Error::from),
    }
}

/// Elsewhere an empty directory another process made an instant before is
/// replaced (see the platforms guide).
#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)
}

/// Removes the private names that processes killed while creating left in
/// `dir`: those of a pid no process has now, a minute old at least, whose
/// `flock` no one holds.
pub(crate) fn remove_orphans(dir: &Dir) -> io::Result<()> {
    for name in dir.names()? {
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('.'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let at = dir.at(&name);
        if is_alive(pid) || !orphaned(&at)? {
            continue;
        }
        match is_a_directory(&at) {
            true => at.remove_dir()?,
            false => at.remove()?,
        }
    }
    Ok(())
}

/// Whether `at` names a directory (unlinking one fails).
fn is_a_directory(at: &At<'_>) -> bool {
    at.stat()
        .ok()
        .flatten()
        .is_some_and(|meta| meta.kind == FileType::Directory)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode_of(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().mode() & 0o7777
    }

    #[test]
    fn a_file_appears_with_its_mode_whatever_the_umask_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let attributes = Attributes {
            bits: 0o666,
            exact: true,
            group: None,
        };
        // With no name until complete where the system offers it, and
        // under a private name where it does not.
        for (log, named) in [("app.log", false), ("named.log", true)] {
            let path = dir.path().join(log);
            let at = At::path(&path);
            let access = Access::Append;
            let make = || match named {
                true => anonymous::without(|| file_in_place(&at, access, attributes)),
                false => file_in_place(&at, access, attributes),
            };
            let file = make().unwrap();
            assert_eq!(mode_of(&path), 0o666);
            assert_eq!(
                file.metadata().unwrap().ino(),
                std::fs::metadata(&path).unwrap().ino()
            );
            let err = make().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        }
        let names = test_support::names(dir.path());
        assert_eq!(names, ["app.log", "named.log"]);
    }

    #[test]
    fn a_directory_appears_with_its_mode_and_keeps_an_inherited_setgid_bit() {
        let dir = tempfile::tempdir().unwrap();
        let parent = dir.path().join("logs");
        std::fs::create_dir(&parent).unwrap();
        std::fs::set_permissions(&parent, std::fs::Permissions::from_mode(0o2775)).unwrap();
        let attributes = Attributes {
            bits: 0o770,
            exact: true,
            group: None,
        };
        let own = parent.join(".concurrent-rotating-file");
        dir_in_place(&own, attributes).unwrap();
        assert_eq!(mode_of(&own), 0o2770);
        // Made by someone else meanwhile, with something in it: theirs stays.
        std::fs::write(own.join("lock"), "").unwrap();
        dir_in_place(&own, attributes).unwrap();
        assert!(own.join("lock").exists());
        assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 1);
    }

    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    #[test]
    fn an_empty_directory_another_process_just_made_is_kept_not_replaced() {
        // Another process made the directory an instant before and holds
        // it to make its files in: they must land in the one at the name.
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join(".concurrent-rotating-file");
        std::fs::create_dir(&own).unwrap();
        let theirs = File::open(&own).unwrap();
        let attributes = Attributes {
            bits: 0o770,
            exact: true,
            group: None,
        };
        dir_in_place(&own, attributes).unwrap();
        let at_the_name = std::fs::metadata(&own).unwrap();
        let held = theirs.metadata().unwrap();
        assert_eq!(
            (held.dev(), held.ino()),
            (at_the_name.dev(), at_the_name.ino())
        );
        assert_eq!(held.nlink(), 2, "the directory they hold is still linked");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn only_the_private_names_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join(format!("{PREFIX}{}.0", std::process::id()));
        // No process has pid 0x7ffffff0 (beyond pid_max).
        let dead = dir.path().join(format!("{PREFIX}{}.3", 0x7fff_fff0));
        let dead_dir = dir.path().join(format!("{PREFIX}{}.4", 0x7fff_fff0));
        let other = dir.path().join(".crf-newer");
        // Of a pid this process cannot see, but young (its maker may be
        // between creating and claiming it), or claimed (its maker is alive
        // under a pid of another namespace).
        let young = dir.path().join(format!("{PREFIX}{}.5", 0x7fff_fff0));
        let claimed = dir.path().join(format!("{PREFIX}{}.6", 0x7fff_fff0));
        for path in [&mine, &dead, &other, &young, &claimed] {
            std::fs::write(path, "").unwrap();
        }
        std::fs::create_dir(&dead_dir).unwrap();
        let long_ago = std::time::SystemTime::now() - 2 * ORPHAN_AGE;
        for path in [&mine, &dead, &other, &claimed, &dead_dir] {
            File::open(path).unwrap().set_modified(long_ago).unwrap();
        }
        let maker = File::open(&claimed).unwrap();
        maker.lock().unwrap();
        let opened = Dir::open(dir.path()).unwrap();
        remove_orphans(&opened).unwrap();
        assert!(mine.exists() && other.exists());
        assert!(young.exists() && claimed.exists());
        assert!(!dead.exists() && !dead_dir.exists());
        drop(maker);
        remove_orphans(&opened).unwrap();
        assert!(!claimed.exists());
    }
}
