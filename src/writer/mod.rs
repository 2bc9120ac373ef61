//! The synchronous writer: [`RotatingFile`], the handle a program writes
//! through ([`handle`]), and the path of one record from it to the file.
//!
//! In the order data flows: a handle's [`line_buffer`] holds a partial line
//! until its newline; the [`open_log`] every clone shares takes the
//! in-process mutex and the `flock`; the [`append`] path, with the lock
//! held, checks (rotated by another process? a record cut short? time to
//! rotate?), splits the bytes only at record boundaries ([`records`]) and
//! appends each run with one `write(2)` to the [`live_file`]. How the
//! descriptors are opened, and the log repaired, is [`open_files`]'s job;
//! the shift a long numbered chain's rotation leaves for after the lock is
//! finished by [`deferred_shift`], in batches, and never cut in two by the
//! process's exit ([`at_exit`]); failures on paths that cannot return an
//! error are counted by [`report`]; the user's record [`filter`] runs
//! before any of it.

pub(crate) mod append;
pub(crate) mod at_exit;
pub(crate) mod deferred_shift;
pub(crate) mod filter;
pub(crate) mod handle;
pub(crate) mod line_buffer;
pub(crate) mod live_file;
pub(crate) mod lock_hold;
pub(crate) mod open_files;
pub(crate) mod open_log;
pub(crate) mod pinned_live;
pub(crate) mod records;
pub(crate) mod report;
pub(crate) mod stats;
