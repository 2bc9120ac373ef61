//! Claims: a compressor holds a non-blocking lock (`sys::file_lock`) on
//! each file it works on (the backup and its temporary gzip), so two
//! processes never compress the same backup, and the system drops a dead
//! compressor's claim.

use std::fs::File;
use std::io;

use crate::error::doing;
use crate::sys::dir::At;
use crate::sys::file_lock::{self, Span};
use crate::sys::open;

/// Takes the claim on `file`: `true` if this caller now holds it, `false`
/// if a live compressor does.
pub(crate) fn claim(file: &File) -> io::Result<bool> {
    file_lock::try_lock(file, Span::Claim)
}

/// Whether a live compressor holds `path`. A file already gone counts as
/// held (there is nothing to remove); anything but a regular file (a
/// symlink, a FIFO) is no compressor's.
pub(crate) fn is_claimed(at: &At<'_>) -> io::Result<bool> {
    let file = match open::open_for_reading(at) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) if open::is_not_ours(&e) => return Ok(false),
        Err(e) => return Err(doing(e, format_args!("open `{}`", at.shown().display()))),
    };
    claim(&file)
        .map(|claimed| !claimed)
        .map_err(|e| doing(e, format_args!("lock `{}`", at.shown().display())))
}
