//! The numbered lines the writer processes write, and their exact expected bytes.
//!
//! A line is `<process>-<thread> <seq> <filler>\n`, padded to a fixed size
//! with a filler that depends on all three numbers, so any torn, interleaved
//! or mixed-up line fails to match the line expected for its header.

use std::fmt::Write as _;

/// Who wrote a line: a writer process and one of its threads.
pub type WriterId = (u32, u32);

/// The length of a line's header, `0003-01 0000000042 `: the process in 4
/// digits, the thread in 2, the number in 10, and the separators.
pub const HEADER_LEN: usize = 19;

/// The shortest line: its header and the newline.
pub const MIN_LINE_SIZE: usize = HEADER_LEN + 1;

/// The header holds process numbers below this.
pub const MAX_PROCESSES: u32 = 10_000;

/// The header holds thread numbers below this.
pub const MAX_THREADS: u32 = 100;

/// The header holds line numbers below this.
pub const MAX_LINES: u64 = 10_000_000_000;

/// Writes into `out` (cleared first) the line `writer` writes as number
/// `seq`, `size` bytes long including the newline (longer if `size` is
/// below [`MIN_LINE_SIZE`], which the tools refuse).
pub fn line(out: &mut Vec<u8>, writer: WriterId, seq: u64, size: usize) {
    out.clear();
    let mut header = String::with_capacity(32);
    let _ = write!(header, "{:04}-{:02} {:010} ", writer.0, writer.1, seq);
    out.extend_from_slice(header.as_bytes());
    let start = (seq as usize)
        .wrapping_mul(7)
        .wrapping_add(writer.0 as usize * 3 + writer.1 as usize);
    let filler = size.saturating_sub(out.len() + 1);
    out.extend((0..filler).map(|i| b'a' + ((start + i) % 26) as u8));
    out.push(b'\n');
}

/// Parses a line's header: the writer and the number it claims to be.
pub fn parse_header(line: &[u8]) -> Option<(WriterId, u64)> {
    let text = std::str::from_utf8(line.get(..HEADER_LEN)?).ok()?;
    let (process, rest) = text.split_once('-')?;
    let (thread, rest) = rest.split_once(' ')?;
    let seq = rest.strip_suffix(' ')?;
    Some((
        (process.parse().ok()?, thread.parse().ok()?),
        seq.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_size_asked_and_parses_back() {
        let mut buf = Vec::new();
        line(&mut buf, (3, 1), 42, 120);
        assert_eq!(buf.len(), 120);
        assert_eq!(parse_header(&buf), Some(((3, 1), 42)));
        assert!(buf.ends_with(b"\n"));
    }

    #[test]
    fn the_shortest_line_is_its_header_and_newline() {
        let mut buf = Vec::new();
        let last = (MAX_PROCESSES - 1, MAX_THREADS - 1);
        line(&mut buf, last, MAX_LINES - 1, MIN_LINE_SIZE);
        assert_eq!(buf, b"9999-99 9999999999 \n");
        assert_eq!(parse_header(&buf), Some((last, MAX_LINES - 1)));
    }
}
