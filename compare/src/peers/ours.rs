//! This crate, as its README's first example shows: a `RotatingFile`, one
//! `write_all` per line.

use concurrent_rotating_file::RotatingFile;

use super::{Setup, SetupError, Sink, WriteAll};

pub(super) const SETUP: &str = "`RotatingFile::builder(..).max_bytes(..)`, a `write_all` per line";

pub(super) fn open(args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
    let log = RotatingFile::builder(args.dir.join("app.log"))
        .max_bytes(args.max_bytes)
        .backups(args.backups)
        .open()?;
    Ok(Box::new(WriteAll(log)))
}
