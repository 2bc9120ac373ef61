//! Which plain backup a `.gz` was made from, so that a plain backup beside
//! a `.gz` of the same number is deleted only when the `.gz` is proven to
//! hold its data.
//!
//! The compressor writes the source's identity (device, inode, size and
//! modification time) into the gzip header's comment, and names the `.gz`
//! only once it is complete. The time tells apart two files that had the
//! same inode one after the other (a compressed backup's inode is freed and
//! soon given to a new file, often of the same size): a temporary left by a
//! killed compressor must never pass for the gzip of the next file.
//! A compressor killed between naming the `.gz` and removing the plain file
//! leaves both, the plain one with the identity the comment names: it goes.
//! Any other pair (an outside tool moved a file to that name, as logrotate
//! or an operator's `mv` may) holds different data: both are kept, and the
//! pair is counted and reported (see [`Twins`]).

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::error::doing;
use crate::sys::dir::At;
use crate::sys::fs::{Stat, stat};
use crate::sys::{open, stderr};

/// The gzip header comment that names the plain file a `.gz` was made from.
pub(crate) fn comment(source: &Stat) -> String {
    // Renames keep the modification time (a numbered chain renames every
    // backup); the change time they move on.
    let (dev, ino) = source.id.pair();
    let modified = source
        .meta
        .modified()
        .ok()
        .and_then(|at| at.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    format!(
        "concurrent-rotating-file source {dev}:{ino}:{}:{}.{:09}",
        source.meta.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    )
}

/// Whether the `.gz` at `gz` was made from the plain file at `plain`, as
/// its header says; `false` for a `.gz` without that header or unreadable.
pub(crate) fn made_from(gz: &Path, plain: &Path) -> io::Result<bool> {
    let plain = match stat(plain) {
        Ok(Some(found)) if found.meta.is_file() => found,
        Ok(_) => return Ok(false),
        Err(e) => return Err(doing(e, format_args!("stat `{}`", plain.display()))),
    };
    let file = match open::open_for_reading(&At::path(gz)) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound || open::is_not_ours(&e) => {
            return Ok(false);
        }
        Err(e) => return Err(doing(e, format_args!("open `{}`", gz.display()))),
    };
    let mut decoder = flate2::read::GzDecoder::new(file);
    // The header is read with the first bytes of data.
    if decoder.read(&mut [0; 1]).is_err() {
        return Ok(false);
    }
    let expected = comment(&plain);
    Ok(decoder
        .header()
        .and_then(|header| header.comment())
        .is_some_and(|found| found == expected.as_bytes()))
}

/// The backup numbers (or time-named backups) found both plain and
/// gzipped with different data, both kept: as last counted, and whether
/// the first was reported.
#[derive(Debug)]
pub(crate) struct Twins {
    kept: AtomicU64,
    reported: AtomicBool,
}

impl Twins {
    pub(crate) const fn new() -> Twins {
        Twins {
            kept: AtomicU64::new(0),
            reported: AtomicBool::new(false),
        }
    }

    /// How many pairs the last listing of the chain found.
    pub(crate) fn kept(&self) -> u64 {
        self.kept.load(Ordering::Relaxed)
    }

    /// Records what a listing found; the first pair ever found is reported
    /// on stderr, naming both files.
    pub(crate) fn counted(&self, pairs: usize, first: Option<(PathBuf, PathBuf)>) {
        self.kept.store(pairs as u64, Ordering::Relaxed);
        if let Some((plain, gz)) = first
            && !self.reported.swap(true, Ordering::Relaxed)
        {
            stderr::print(format_args!(
                "`{}` and `{}` hold different data (the .gz was not made from that file); both are kept",
                plain.display(),
                gz.display()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip_with_comment(path: &Path, comment: &str) {
        let file = std::fs::File::create(path).unwrap();
        let mut encoder = flate2::GzBuilder::new()
            .comment(comment)
            .write(file, flate2::Compression::fast());
        encoder.write_all(b"data\n").unwrap();
        encoder.finish().unwrap();
    }

    #[test]
    fn a_gz_names_the_file_it_was_made_from_and_no_other() {
        let dir = tempfile::tempdir().unwrap();
        let (plain, gz) = (
            dir.path().join("app.log.1"),
            dir.path().join("app.log.1.gz"),
        );
        std::fs::write(&plain, "data\n").unwrap();
        let found = stat(&plain).unwrap().unwrap();
        gzip_with_comment(&gz, &comment(&found));
        assert!(made_from(&gz, &plain).unwrap());
        // Another file moved to the plain name.
        let other = dir.path().join("other");
        std::fs::write(&other, "data\n").unwrap();
        std::fs::rename(&other, &plain).unwrap();
        assert!(!made_from(&gz, &plain).unwrap());
        // A .gz from elsewhere, without the comment.
        gzip_with_comment(&gz, "logrotate");
        assert!(!made_from(&gz, &plain).unwrap());
        std::fs::write(&gz, "not gzip at all").unwrap();
        assert!(!made_from(&gz, &plain).unwrap());
    }
}
