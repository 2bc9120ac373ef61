//! The library's hidden directory beside the log,
//! `.concurrent-rotating-file/`: opened only as a directory of its own,
//! never through a symlink (`O_NOFOLLOW | O_DIRECTORY`), and every file in
//! it reached through that descriptor (guarantee: no symlink followed). A
//! symlink, or anything but a directory, at its name is refused, never
//! followed nor moved aside: it may be someone's, and what it points at
//! certainly is.
//!
//! It holds the lock and state files, temporaries and backups waiting to be
//! deleted; never the only copy of a record (guarantee: an unbroken chain),
//! so removing it loses nothing. It is made when missing: at `open()`, and
//! when a rotation finds it removed.

use std::io;

use crate::error::doing;
use crate::names::Names;
use crate::sys::create::ensure_dir;
use crate::sys::dir::Dir;
use crate::sys::open::FileMode;

/// Opens the directory, making it (and the log's directory, if missing)
/// with `dir_mode` first if it is not there. A symlink at its name fails
/// with the error of a symlink refused (`error::symlink_refused`),
/// anything else but a directory with `ENOTDIR`, unnamed: the caller says
/// what it was doing.
pub(crate) fn open(names: &Names, dir_mode: FileMode) -> io::Result<Dir> {
    let path = names.own_dir();
    // Twice at most: made, then opened; someone removing it in between
    // every time would make this fail rather than loop.
    let mut made = false;
    loop {
        match Dir::open_nofollow(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && !made => {
                ensure_dir(path, true, "cannot make the library's directory", dir_mode)
                    .map_err(io::Error::from)?;
                made = true;
            }
            other => return other,
        }
    }
}

/// Names the directory in an error of [`open`] or [`open_existing`].
pub(crate) fn failed(names: &Names, e: io::Error) -> io::Error {
    doing(
        e,
        format_args!(
            "open the library's directory `{}`",
            names.own_dir().display()
        ),
    )
}

/// Opens the directory if it is there (`None` if not): for what is in it
/// already, such as backups waiting to be deleted, which went with it if
/// it was removed.
pub(crate) fn open_existing(names: &Names) -> io::Result<Option<Dir>> {
    match Dir::open_nofollow(names.own_dir()) {
        Ok(dir) => Ok(Some(dir)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_symlink_at_the_librarys_directory_is_refused_and_nothing_made_where_it_points() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("logs/app.log"));
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::create_dir_all(dir.path().join("logs")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, names.own_dir()).unwrap();
        let refused = open(&names, FileMode::DIR_DEFAULT).unwrap_err();
        assert!(crate::error::is_symlink_refused(&refused), "{refused}");
        assert!(open_existing(&names).is_err());
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
        // A file in the way: refused too.
        std::fs::remove_file(names.own_dir()).unwrap();
        std::fs::write(names.own_dir(), "").unwrap();
        let refused = open(&names, FileMode::DIR_DEFAULT).unwrap_err();
        assert_eq!(refused.raw_os_error(), Some(libc::ENOTDIR), "{refused}");
    }

    #[test]
    fn the_librarys_directory_is_made_when_missing_with_the_logs() {
        let dir = tempfile::tempdir().unwrap();
        let names = Names::beside(dir.path().join("logs/app.log"));
        assert!(open_existing(&names).unwrap().is_none());
        let own = open(&names, FileMode::DIR_DEFAULT).unwrap();
        assert_eq!(own.at("x").shown(), names.own_dir().join("x"));
        assert!(names.own_dir().is_dir());
        assert!(open_existing(&names).unwrap().is_some());
    }
}
