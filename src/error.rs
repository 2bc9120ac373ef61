//! The error [`Builder::open`](crate::Builder::open) returns: which path, what
//! was being done, and why.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::sys::symlink_code::SYMLINK_REFUSED;

/// What went wrong while opening a [`RotatingFile`](crate::RotatingFile).
///
/// Returned by [`Error::kind`]. New kinds may be added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An option has a value that makes no sense; the message says which.
    InvalidOption,
    /// The log path names a directory, or has no file name at all.
    NotAFile,
    /// A symbolic link sits where the library would create or open a file.
    /// Links in the log directory are never followed (guarantee: no symlink
    /// followed).
    Symlink,
    /// A directory (the log's parent or the lock directory) is missing and
    /// could not be created.
    CreateDirectory,
    /// The lock file could not be opened or locked.
    LockFile,
    /// The shared state file next to the lock file could not be opened or
    /// mapped.
    StateFile,
    /// The log file could not be opened or created.
    LogFile,
    /// A name given to a [`Router`](crate::Router) is not a plain file
    /// name (a path separator, `..`, empty...); the error's path is the
    /// name.
    InvalidName,
}

/// The error of an open refused because the name is a symlink, the same
/// on every system, whatever the system said (`sys::open` tells each
/// system's refusal as this one; guarantee: no symlink followed).
pub(crate) fn symlink_refused() -> io::Error {
    io::Error::from_raw_os_error(SYMLINK_REFUSED)
}

/// Whether `e` is [`symlink_refused`]'s error: a symlink was not followed.
pub(crate) fn is_symlink_refused(e: &io::Error) -> bool {
    e.raw_os_error() == Some(SYMLINK_REFUSED)
}

/// The error returned by [`Builder::open`](crate::Builder::open).
///
/// It names the path concerned and what was being done, and keeps the
/// underlying [`io::Error`], if any, as its [`source`](std::error::Error::source).
/// It converts into an [`io::Error`] with `?` in functions returning
/// `io::Result`.
pub struct Error {
    kind: ErrorKind,
    path: PathBuf,
    doing: &'static str,
    detail: Option<String>,
    source: Option<io::Error>,
}

// === impl Error ===

impl Error {
    pub(crate) fn io(kind: ErrorKind, doing: &'static str, path: &Path, source: io::Error) -> Self {
        // A symlink refused through O_NOFOLLOW: name it.
        let kind = if is_symlink_refused(&source) {
            ErrorKind::Symlink
        } else {
            kind
        };
        Error {
            kind,
            path: path.to_path_buf(),
            doing,
            detail: None,
            source: Some(source),
        }
    }

    pub(crate) fn invalid(
        kind: ErrorKind,
        doing: &'static str,
        path: &Path,
        detail: impl Into<String>,
    ) -> Self {
        Error {
            kind,
            path: path.to_path_buf(),
            doing,
            detail: Some(detail.into()),
            source: None,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The path concerned: the log file, its directory, the lock file or
    /// the state file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}`", self.doing, self.path.display())?;
        match (&self.detail, &self.source) {
            (Some(detail), _) => write!(f, ": {detail}"),
            (None, Some(source)) if self.kind == ErrorKind::Symlink => {
                write!(
                    f,
                    ": it is a symbolic link, which is never followed ({source})"
                )
            }
            (None, Some(source)) => write!(f, ": {source}"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("path", &self.path)
            .field("message", &self.to_string())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match (&err.source, err.kind) {
            (Some(source), _) => source.kind(),
            (None, ErrorKind::InvalidOption | ErrorKind::InvalidName) => {
                io::ErrorKind::InvalidInput
            }
            (None, ErrorKind::NotAFile) => io::ErrorKind::IsADirectory,
            (None, _) => io::ErrorKind::Other,
        };
        io::Error::new(kind, err)
    }
}

/// An [`io::Error`] that says what was being done, and on which path, in
/// front of its cause, whose kind it keeps: ``rotate `logs/app.log`: rename
/// `logs/app.log` -> `logs/app.log.1`: Permission denied (os error 13)``.
/// The cause stays reachable through [`source`](std::error::Error::source).
pub(crate) fn doing(e: io::Error, what: impl fmt::Display) -> io::Error {
    io::Error::new(
        e.kind(),
        Doing {
            what: what.to_string(),
            cause: e,
        },
    )
}

/// The payload of [`doing`]'s errors.
#[derive(Debug)]
struct Doing {
    what: String,
    cause: io::Error,
}

impl fmt::Display for Doing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.cause)
    }
}

impl std::error::Error for Doing {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

/// Turns an [`io::Error`] into an [`Error`] that names the path and what was
/// being done: `open_lock().context(ErrorKind::LockFile, "cannot open lock
/// file", path)?`.
pub(crate) trait Context<T> {
    fn context(self, kind: ErrorKind, doing: &'static str, path: &Path) -> Result<T, Error>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, kind: ErrorKind, doing: &'static str, path: &Path) -> Result<T, Error> {
        self.map_err(|e| Error::io(kind, doing, path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_names_the_path_the_action_and_the_cause() {
        let err = Error::io(
            ErrorKind::LogFile,
            "cannot open log file",
            Path::new("logs/app.log"),
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("cannot open log file `logs/app.log`: "),
            "{msg}"
        );
        assert!(msg.contains("ermission denied"), "{msg}");
        assert_eq!(io::Error::from(err).kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn an_io_error_says_what_was_being_done_and_keeps_its_kind() {
        let cause = io::Error::from(io::ErrorKind::PermissionDenied);
        let err = doing(
            doing(cause, "rename `logs/app.log` -> `logs/app.log.1`"),
            "rotate `logs/app.log`",
        );
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        let msg = err.to_string();
        assert!(
            msg.starts_with("rotate `logs/app.log`: rename `logs/app.log` -> `logs/app.log.1`: "),
            "{msg}"
        );
        assert!(msg.contains("ermission denied"), "{msg}");
    }

    #[test]
    fn a_symlink_refused_is_reported_as_a_symlink() {
        let err = Error::io(
            ErrorKind::LockFile,
            "cannot open lock file",
            Path::new("logs/.__app.lock"),
            symlink_refused(),
        );
        assert_eq!(err.kind(), ErrorKind::Symlink);
        assert!(err.to_string().contains("symbolic link"));
    }
}
