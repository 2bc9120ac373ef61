//! Reading a file of the chain line by line, gunzipping `.gz` backups on the
//! way, and counting the bytes taken from disk for progress reports.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// A reader that adds what it reads to a shared count.
struct Counting<'a, R> {
    inner: R,
    count: &'a Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Opens `path` for reading lines, decompressed if its name ends in `.gz`;
/// every byte read from disk is added to `count`.
pub(crate) fn open<'a>(path: &Path, count: &'a Cell<u64>) -> io::Result<Box<dyn BufRead + 'a>> {
    let file = File::open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot read {}: {e}", path.display())))?;
    let raw = BufReader::with_capacity(256 * 1024, Counting { inner: file, count });
    if path.extension().is_some_and(|e| e == "gz") {
        let plain = flate2::bufread::GzDecoder::new(raw);
        Ok(Box::new(BufReader::with_capacity(256 * 1024, plain)))
    } else {
        Ok(Box::new(raw))
    }
}
