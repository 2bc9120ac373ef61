//! Plain files and directories: Windows has no Unix mode bits nor groups,
//! so `open()` refuses them ([`refusal`]) and what is made is made as the
//! directory's access control lists say. The only private names here are
//! those of files renamed aside to be deleted (see `fs`), which a process
//! killed between the two steps may leave: removed once a minute old.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::Duration;

use crate::sys::dir::Dir;
use crate::sys::fs::ASIDE_PREFIX;

use super::Attributes;

/// How old a name renamed aside must be before it is taken for a dead
/// process's: the rename and the delete follow each other at once.
const ORPHAN_AGE: Duration = Duration::from_secs(60);

/// Refused: there is nothing to make them with.
pub(crate) fn refusal(attributes: &Attributes) -> Option<&'static str> {
    (!attributes.is_plain()).then_some(
        "Windows has no Unix permission bits or groups (files take their access control lists from their directory); leave the option unset",
    )
}

/// Nothing to give: the attributes are plain (see [`refusal`]).
pub(crate) fn give(_: &File, _: &Path, _: Attributes) -> io::Result<()> {
    Ok(())
}

pub(crate) fn make_dirs(dir: &Path, _: Attributes) -> io::Result<()> {
    std::fs::DirBuilder::new().recursive(true).create(dir)
}

/// Removes what processes killed between renaming a file aside and
/// deleting it left in `dir`.
pub(crate) fn remove_orphans(dir: &Dir) -> io::Result<()> {
    for name in dir.names()? {
        if !name
            .to_str()
            .is_some_and(|name| name.starts_with(ASIDE_PREFIX))
        {
            continue;
        }
        let at = dir.at(&name);
        let old = std::fs::symlink_metadata(at.shown())
            .and_then(|meta| meta.modified())
            .is_ok_and(|at| at.elapsed().is_ok_and(|age| age >= ORPHAN_AGE));
        if old {
            at.remove()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{ErrorKind, RotatingFile};

    #[test]
    fn mode_dir_mode_and_group_are_refused_at_open_naming_the_option() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.log");
        let refused = [
            ("mode", RotatingFile::builder(&path).mode(0o640).open()),
            (
                "dir_mode",
                RotatingFile::builder(&path).dir_mode(0o750).open(),
            ),
            ("group", RotatingFile::builder(&path).group_id(100).open()),
        ];
        for (option, opened) in refused {
            let err = opened.expect_err(option);
            assert_eq!(err.kind(), ErrorKind::InvalidOption, "{err}");
            assert!(err.to_string().contains(option), "{err}");
        }
        assert!(!path.exists(), "nothing is created for a refused option");
        RotatingFile::builder(&path).open().unwrap();
    }
}
