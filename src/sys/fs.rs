//! Small file-system helpers: a file's identity, existence, removal, and the
//! directories the library may create.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::sys::create::{self, Attributes};

/// Device and inode: what a file is, whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    pub(crate) fn of(meta: &std::fs::Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    pub(crate) fn ino(&self) -> u64 {
        self.ino
    }

    /// `(device, inode)`.
    pub(crate) fn pair(&self) -> (u64, u64) {
        (self.dev, self.ino)
    }

    /// The identity of what `path` names now (one `lstat`), if anything.
    pub(crate) fn at(path: &Path) -> io::Result<Option<FileId>> {
        match std::fs::symlink_metadata(path) {
            Ok(meta) => Ok(Some(FileId::of(&meta))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(crate::error::doing(
                e,
                format_args!("stat `{}`", path.display()),
            )),
        }
    }
}

/// Whether `path` names anything, a symlink included (one `lstat`).
pub(crate) fn exists(path: &Path) -> io::Result<bool> {
    Ok(FileId::at(path)?.is_some())
}

/// Removes `path`; a file already gone is no error. The error names the
/// path.
pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(crate::error::doing(
            e,
            format_args!("remove `{}`", path.display()),
        )),
        _ => Ok(()),
    }
}

/// Renames `from` to `to`; the error names both.
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to).map_err(|e| {
        crate::error::doing(
            e,
            format_args!("rename `{}` -> `{}`", from.display(), to.display()),
        )
    })
}

/// The directory holding `path`: `.` for a bare file name.
pub(crate) fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes sure `dir` exists as a directory, creating it (and its missing
/// parents) with `mode` if `create` allows: with the default, `0o755` less
/// the umask; with an exact mode or a group, each directory appears with
/// them (see `create`).
pub(crate) fn ensure_dir(
    dir: &Path,
    create: bool,
    doing: &'static str,
    mode: Attributes,
) -> Result<(), Error> {
    let refuse = |detail| {
        Err(Error::invalid(
            ErrorKind::CreateDirectory,
            doing,
            dir,
            detail,
        ))
    };
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => return refuse("a file of that name is in the way"),
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(Error::io(ErrorKind::CreateDirectory, doing, dir, e));
        }
        Err(_) if !create => return refuse("it does not exist and create_dirs(false) was set"),
        Err(_) => {}
    }
    let made = if mode.is_plain() {
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
            .try_for_each(|d| create::dir_in_place(d, mode))
    };
    made.map_err(|e| Error::io(ErrorKind::CreateDirectory, doing, dir, e))
}
