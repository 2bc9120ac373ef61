//! Lines as records through `io::Write`: bytes wait in a per-handle buffer
//! until a newline, then every complete line goes out at once (guarantee:
//! never torn). Shared by [`RotatingFile`](crate::RotatingFile) and
//! [`NonBlocking`](crate::NonBlocking), which differ only in where lines go.

use std::io;

/// A handle's partial line.
#[derive(Debug, Default)]
pub(crate) struct LineBuffer {
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Takes `buf` in, handing every complete line now buffered to `commit`.
    /// On an error nothing of `buf` is kept, and earlier partial-line bytes
    /// stay buffered for the next attempt.
    pub(crate) fn write(
        &mut self,
        buf: &[u8],
        mut commit: impl FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<usize> {
        if self.pending.is_empty() && buf.last() == Some(&b'\n') {
            // The common case, whole lines and nothing pending: no scan, no
            // copy.
            commit(buf)?;
            return Ok(buf.len());
        }
        let Some(last_newline) = memchr::memrchr(b'\n', buf) else {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        let (complete, tail) = buf.split_at(last_newline + 1);
        if self.pending.is_empty() {
            commit(complete)?;
        } else {
            let kept = self.pending.len();
            self.pending.extend_from_slice(complete);
            if let Err(e) = commit(&self.pending) {
                self.pending.truncate(kept);
                return Err(e);
            }
            self.pending.clear();
        }
        self.pending.extend_from_slice(tail);
        Ok(buf.len())
    }

    /// Hands a pending partial line to `commit`, as a record of its own.
    pub(crate) fn flush(&mut self, commit: impl FnOnce(&[u8]) -> io::Result<()>) -> io::Result<()> {
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
        let err = buffer.write(b"one\n", |_| Err(io::Error::other("disk full")));
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
}
