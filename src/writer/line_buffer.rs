//! Lines as records through `io::Write`: bytes wait in a per-handle buffer
//! until a newline, then every complete line goes out at once (guarantee:
//! never torn). Shared by [`RotatingFile`](crate::RotatingFile) and
//! [`NonBlocking`](crate::NonBlocking), which differ only in where lines go.
//!
//! `write` keeps the `io::Write` contract: when only some of the lines went
//! in before an error, it returns `Ok` with the number of bytes of `buf`
//! that did, and the caller's retry (`write_all` retries) meets the error
//! again; so a retry never writes a line twice.

use std::io;

use crate::writer::append::AppendError;

/// A handle's partial line.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Takes `buf` in, handing every complete line now buffered to `commit`.
    /// Returns how many bytes of `buf` were taken: all of them, or on an
    /// error part-way those of the lines that went in. On an error before
    /// any line went in, nothing of `buf` is kept, and earlier partial-line
    /// bytes stay buffered for the next attempt.
    pub(crate) fn write(
        &mut self,
        buf: &[u8],
        mut commit: impl FnMut(&[u8]) -> Result<(), AppendError>,
    ) -> io::Result<usize> {
        if self.pending.is_empty() && buf.last() == Some(&b'\n') {
            // The common case, whole lines and nothing pending: no scan, no
            // copy.
            return match commit(buf) {
                Ok(()) => Ok(buf.len()),
                Err(e) => taken(e, 0),
            };
        }
        let Some(last_newline) = memchr::memrchr(b'\n', buf) else {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        let (complete, tail) = buf.split_at(last_newline + 1);
        if self.pending.is_empty() {
            if let Err(e) = commit(complete) {
                return taken(e, 0);
            }
        } else {
            let kept = self.pending.len();
            self.pending.extend_from_slice(complete);
            if let Err(e) = commit(&self.pending) {
                if e.written == 0 {
                    self.pending.truncate(kept);
                } else {
                    // The partial line went in with the first line.
                    self.pending.clear();
                }
                return taken(e, kept);
            }
            self.pending.clear();
        }
        self.pending.extend_from_slice(tail);
        Ok(buf.len())
    }

    /// Hands a pending partial line to `commit`, as a record of its own
    /// (which gets its newline there).
    pub(crate) fn flush(
        &mut self,
        commit: impl FnOnce(&[u8]) -> Result<(), AppendError>,
    ) -> io::Result<()> {
        if !self.pending.is_empty() {
            commit(&self.pending)?;
            self.pending.clear();
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}

/// What `write` returns when `commit` failed: the bytes of `buf` that went
/// in (the committed bytes began with `kept` bytes buffered before), or the
/// error if none did.
fn taken(e: AppendError, kept: usize) -> io::Result<usize> {
    match e.written.checked_sub(kept) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(e.error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(buffer: &mut LineBuffer, out: &mut Vec<Vec<u8>>, buf: &[u8]) {
        buffer
            .write(buf, |lines| {
                out.push(lines.to_vec());
                Ok(())
            })
            .unwrap();
    }

    fn disk_full(written: usize) -> AppendError {
        AppendError::new(written, io::Error::other("disk full"))
    }

    #[test]
    fn lines_go_out_whole_and_partial_ones_wait() {
        let (mut buffer, mut out) = (LineBuffer::default(), Vec::new());
        collect(&mut buffer, &mut out, b"a\nb\n");
        collect(&mut buffer, &mut out, b"hal");
        collect(&mut buffer, &mut out, b"f\nnext");
        assert_eq!(out, [b"a\nb\n".to_vec(), b"half\n".to_vec()]);
        assert_eq!(buffer.len(), 4);
        buffer
            .flush(|rest| {
                out.push(rest.to_vec());
                Ok(())
            })
            .unwrap();
        assert_eq!(out.last().unwrap(), b"next");
    }

    #[test]
    fn a_failed_commit_keeps_the_earlier_partial_line_only() {
        let mut buffer = LineBuffer::default();
        buffer.write(b"part ", |_| Ok(())).unwrap();
        let err = buffer.write(b"one\n", |_| Err(disk_full(0)));
        assert!(err.is_err());
        let mut out = Vec::new();
        buffer
            .write(b"two\n", |lines| {
                out.extend_from_slice(lines);
                Ok(())
            })
            .unwrap();
        assert_eq!(out, b"part two\n");
    }

    #[test]
    fn lines_written_before_an_error_are_reported_written_and_never_retried() {
        // `l2\n` goes in, `l3\n` fails: write says 3 bytes, and write_all's
        // retry of `l3\n` meets the error again.
        let mut buffer = LineBuffer::default();
        let mut attempts = Vec::new();
        let mut commit = |lines: &[u8]| {
            attempts.push(lines.to_vec());
            match lines {
                b"l2\nl3\n" => Err(disk_full(3)),
                _ => Err(disk_full(0)),
            }
        };
        assert_eq!(buffer.write(b"l2\nl3\n", &mut commit).unwrap(), 3);
        assert!(buffer.write(b"l3\n", &mut commit).is_err());
        assert_eq!(attempts, [b"l2\nl3\n".to_vec(), b"l3\n".to_vec()]);
        // With a partial line buffered before: it went in with `l2`.
        let mut buffer = LineBuffer::default();
        buffer.write(b"l", |_| Ok(())).unwrap();
        let n = buffer
            .write(b"2\nl3\n", |lines| {
                assert_eq!(lines, b"l2\nl3\n");
                Err(disk_full(3))
            })
            .unwrap();
        assert_eq!((n, buffer.len()), (2, 0));
    }
}
