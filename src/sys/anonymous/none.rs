//! No unnamed files: every temporary has a name (see `gzip::temp`).

use std::fs::File;
use std::io;

use crate::sys::dir::{Access, At};

pub(super) fn create(_: &At<'_>, _: Access, _: u32) -> io::Result<Option<File>> {
    Ok(None)
}

pub(super) fn link(_: &File, _: &At<'_>) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}
