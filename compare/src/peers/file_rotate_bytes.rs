//! file-rotate, as its crate documentation's "Rotating by Bytes" shows: a
//! `FileRotate` with `ContentLimit::Bytes` and `AppendCount`, one
//! `write_all` per line.

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};

use super::{Setup, SetupError, Sink, WriteAll};

pub(super) const SETUP: &str =
    "`FileRotate`, `ContentLimit::Bytes`, `AppendCount`, a `write_all` per line";

pub(super) fn open(args: &Setup) -> Result<Box<dyn Sink>, SetupError> {
    let limit = usize::try_from(args.max_bytes)?;
    let log = FileRotate::new(
        args.dir.join("app.log"),
        AppendCount::new(args.backups),
        ContentLimit::Bytes(limit),
        Compression::None,
        None,
    );
    Ok(Box::new(WriteAll(log)))
}
