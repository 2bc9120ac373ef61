//! [`RouterStats`]: counters of a router's activity.

/// Counters of a [`Router`](crate::Router)'s activity in this process,
/// from [`Router::stats`](crate::Router::stats). Records that a file could
/// not take (disk full) are counted by that file
/// ([`RotatingFile::write_errors`](crate::RotatingFile::write_errors), on
/// the handle [`Router::file`](crate::Router::file) returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RouterStats {
    /// Files open now (at most the router's `max_open`).
    pub open_files: usize,
    /// Files opened, reopenings after a close included.
    pub opened: u64,
    /// Files closed to stay within `max_open`.
    pub closed: u64,
    /// Failed attempts to open a name's file (the closure's builder
    /// returned an error); the first is printed on stderr.
    pub open_failures: u64,
    /// Events whose name was not a valid file name (a path separator,
    /// `..`, empty, too long...); they went to the fallback file.
    pub invalid_names: u64,
    /// Events written to the fallback file because their name was invalid
    /// or their file could not be opened.
    pub to_fallback: u64,
    /// Events written nowhere: the fallback file itself could not be
    /// opened. The first is reported on stderr.
    pub lost: u64,
    /// Records the [`filter`](crate::Builder::filter)s of the router's
    /// files dropped, in all (each file's own count is in its
    /// [`Stats::filtered`](crate::Stats::filtered)).
    pub filtered: u64,
}
