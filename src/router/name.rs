//! The name of an event, and which names are allowed to become files.
//!
//! A [`Router`](crate::Router) hands each name to the user's closure, which
//! usually makes it part of a path (`logs/{name}.log`). A name taken from
//! an event (its target, or a field) is therefore checked before it gets
//! there: only a plain, short file name may pass, so that no event can make
//! the router write outside the log directory, into a hidden file (the
//! library's own `.__` files included) or into a path with separators. Any
//! other name is replaced by the router's fallback name.

use std::hash::{Hash, Hasher};

/// The longest name accepted, in bytes.
pub(crate) const MAX_NAME: usize = 64;

/// How a [`Router`](crate::Router) names an event, that is, which file it
/// goes to.
///
/// ```
/// use concurrent_rotating_file::{Naming, RotatingFile, Router};
/// # let dir = tempfile::tempdir()?;
/// # let dir = dir.path().to_path_buf();
///
/// // `web::views` goes to `web.views.log` rather than `web.log`.
/// let router = Router::new(move |name: &str| RotatingFile::builder(dir.join(format!("{name}.log"))))
///     .naming(Naming::Target);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Naming {
    /// The first segment of the target: `web::views` is named `web`. The
    /// default: every module of a crate goes to the crate's file.
    #[default]
    TargetRoot,
    /// The whole target, with `::` written `.` (as Python's logger names
    /// are): `web::views` is named `web.views`.
    Target,
    /// The value of this field of a `tracing` event (`logger = "web"`), as
    /// Python's `getLogger(name)` chooses a logger. The field is read by the
    /// event formatter [`Router::field_format`](crate::Router::field_format)
    /// wraps, which the fmt layer must use; an event without the field, and
    /// a `log` record, is named by its target's first segment.
    Field(&'static str),
}

/// A name as it travels with an event: either a checked name, copied inline
/// (no allocation per event), or the fallback.
#[derive(Clone, Copy)]
pub(crate) struct LogName {
    /// 0: the fallback.
    len: u8,
    bytes: [u8; MAX_NAME],
}

impl LogName {
    /// The fallback: an event with no usable name.
    pub(crate) const FALLBACK: LogName = LogName {
        len: 0,
        bytes: [0; MAX_NAME],
    };

    /// `name` if it is a sane file name (see [`is_valid`]), else `None`.
    pub(crate) fn new(name: &str) -> Option<LogName> {
        is_valid(name).then(|| {
            let mut bytes = [0; MAX_NAME];
            bytes[..name.len()].copy_from_slice(name.as_bytes());
            LogName {
                len: name.len() as u8,
                bytes,
            }
        })
    }

    /// The name `naming` gives an event of `target`, if it is valid.
    /// [`Naming::Field`] falls back to the target's first segment.
    pub(crate) fn of_target(target: &str, naming: Naming) -> Option<LogName> {
        match naming {
            Naming::TargetRoot | Naming::Field(_) => LogName::new(first_segment(target)?),
            Naming::Target => {
                // `::` becomes `.`, written into the inline bytes directly.
                let mut bytes = [0; MAX_NAME];
                let mut len = 0;
                for (i, part) in target.split("::").enumerate() {
                    let dot = usize::from(i > 0);
                    let end = len + dot + part.len();
                    if end > MAX_NAME {
                        return None;
                    }
                    if dot == 1 {
                        bytes[len] = b'.';
                    }
                    bytes[len + dot..end].copy_from_slice(part.as_bytes());
                    len = end;
                }
                let name = LogName {
                    len: len as u8,
                    bytes,
                };
                is_valid(name.get()?).then_some(name)
            }
        }
    }

    /// The name, or `None` for the fallback.
    pub(crate) fn get(&self) -> Option<&str> {
        match self.len {
            0 => None,
            // Copied from a `&str` whole, or built of whole `&str` parts and
            // ASCII dots: valid UTF-8.
            len => std::str::from_utf8(&self.bytes[..usize::from(len)]).ok(),
        }
    }
}

impl LogName {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl PartialEq for LogName {
    fn eq(&self, other: &LogName) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for LogName {}

impl Hash for LogName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl std::fmt::Debug for LogName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.get() {
            Some(name) => write!(f, "{name:?}"),
            None => f.write_str("<fallback>"),
        }
    }
}

/// Whether `name` may become a file name: 1 to [`MAX_NAME`] bytes of ASCII
/// letters, digits, `_`, `-` and `.`, starting with a letter, a digit or
/// `_` (so never hidden, never an option-like `-x`), with no `..`. So no
/// path separator, no `..` component, nothing empty, no control or
/// whitespace character, and nothing that is not the same file name on
/// every system.
pub(crate) fn is_valid(name: &str) -> bool {
    let bytes = name.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // One pass, by hand: a substring search for `..` would cost more than
    // the rest on this per-event path.
    let mut previous = 0;
    bytes.len() <= MAX_NAME
        && (first.is_ascii_alphanumeric() || first == b'_')
        && bytes.iter().all(|&b| {
            let ok = b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'-')
                || (b == b'.' && previous != b'.');
            previous = b;
            ok
        })
}

/// The first segment of `target`, if it is a valid name: the name
/// [`Naming::TargetRoot`] gives, borrowed (no copy per event).
pub(crate) fn valid_root(target: &str) -> Option<&str> {
    first_segment(target).filter(|name| is_valid(name))
}

/// What precedes the first `::` of `target` (all of it if none); `None` if
/// it holds a lone `:`, which no name may hold anyway. By hand rather than
/// `split("::")`, whose searcher costs more than the rest on this per-event
/// path.
fn first_segment(target: &str) -> Option<&str> {
    match memchr::memchr(b':', target.as_bytes()) {
        None => Some(target),
        Some(at) if target.as_bytes().get(at + 1) == Some(&b':') => Some(&target[..at]),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_valid() {
        for name in ["web", "db_pool", "web.views", "worker-2", "_private", "A1"] {
            assert!(is_valid(name), "{name}");
        }
    }

    #[test]
    fn a_name_that_could_leave_the_directory_or_hide_is_invalid() {
        for name in [
            "",
            ".",
            "..",
            "../etc",
            "a/b",
            "/abs",
            "a\\b",
            "web..log",
            ".__web.lock",
            ".hidden",
            "-rf",
            "web log",
            "web\n",
            "nul\0",
            "é",
            "web::views",
            &"x".repeat(MAX_NAME + 1),
        ] {
            assert!(!is_valid(name), "{name:?}");
        }
        assert!(is_valid(&"x".repeat(MAX_NAME)));
    }

    #[test]
    fn the_target_root_is_the_first_segment() {
        let name =
            |t| LogName::of_target(t, Naming::TargetRoot).map(|n| n.get().unwrap().to_owned());
        assert_eq!(name("web::views::detail").as_deref(), Some("web"));
        assert_eq!(name("web").as_deref(), Some("web"));
        assert_eq!(name("../x::y"), None);
        assert_eq!(name("a:b::c"), None);
        assert_eq!(name("::web"), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn the_whole_target_has_dots_for_colons() {
        let name = |t| LogName::of_target(t, Naming::Target).map(|n| n.get().unwrap().to_owned());
        assert_eq!(
            name("web::views::detail").as_deref(),
            Some("web.views.detail")
        );
        assert_eq!(name("web").as_deref(), Some("web"));
        assert_eq!(name("web::..::x"), None);
        assert_eq!(name("a:b"), None);
        assert_eq!(name(&"x::".repeat(40)), None);
    }

    #[test]
    fn names_compare_and_hash_by_their_text() {
        use std::collections::HashSet;
        let a = LogName::new("web").unwrap();
        let b = LogName::of_target("web::x", Naming::TargetRoot).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, LogName::FALLBACK);
        let set: HashSet<LogName> = [a, b, LogName::FALLBACK].into_iter().collect();
        assert_eq!(set.len(), 2);
    }
}
