//! Where a buffer may be split between files: its record boundaries.
//!
//! A buffer handed to the writer holds one or more whole records
//! (guarantee: never torn). When they do not all fit under `max_bytes`, the writer
//! writes the longest run of whole records that fits, rotates, and goes on;
//! it never cuts inside a record.

/// How a buffer divides into records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Records<'a> {
    /// Each line is a record (through `io::Write`); a partial line at the
    /// end is a record of its own.
    Lines,
    /// The whole buffer is one record: a `tracing` event, or what
    /// `write_record` is given, even on several lines.
    One,
    /// Records end at these offsets, ascending, the last at the buffer's
    /// end: a batch of the background writer.
    Ends(&'a [usize]),
}

impl Records<'_> {
    /// The furthest record end in `start + 1 ..= start + room`, if any.
    pub(crate) fn last_end_within(&self, bytes: &[u8], start: usize, room: u64) -> Option<usize> {
        let limit = start.saturating_add(usize::try_from(room).unwrap_or(usize::MAX));
        if limit >= bytes.len() {
            return Some(bytes.len());
        }
        match self {
            Records::Lines => memchr::memrchr(b'\n', &bytes[start..limit]).map(|i| start + i + 1),
            Records::One => None,
            Records::Ends(ends) => {
                let below = ends.partition_point(|&end| end <= limit);
                below
                    .checked_sub(1)
                    .map(|i| ends[i])
                    .filter(|&end| end > start)
            }
        }
    }

    /// The end of the record that starts at `start`.
    pub(crate) fn first_end_after(&self, bytes: &[u8], start: usize) -> usize {
        match self {
            Records::Lines => {
                memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1)
            }
            Records::One => bytes.len(),
            Records::Ends(ends) => {
                let i = ends.partition_point(|&end| end <= start);
                ends.get(i).copied().unwrap_or(bytes.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BYTES: &[u8] = b"ab\ncd\nef\n";

    #[test]
    fn lines_split_after_the_last_newline_that_fits() {
        assert_eq!(Records::Lines.last_end_within(BYTES, 0, 7), Some(6));
        assert_eq!(Records::Lines.last_end_within(BYTES, 0, 6), Some(6));
        assert_eq!(Records::Lines.last_end_within(BYTES, 0, 2), None);
        assert_eq!(Records::Lines.last_end_within(BYTES, 3, 4), Some(6));
        assert_eq!(Records::Lines.last_end_within(BYTES, 0, 100), Some(9));
        assert_eq!(Records::Lines.first_end_after(BYTES, 3), 6);
        assert_eq!(Records::Lines.first_end_after(b"ab\ncd", 3), 5);
    }

    #[test]
    fn one_record_is_never_split() {
        assert_eq!(Records::One.last_end_within(BYTES, 0, 8), None);
        assert_eq!(Records::One.last_end_within(BYTES, 0, 9), Some(9));
        assert_eq!(Records::One.first_end_after(BYTES, 0), 9);
    }

    #[test]
    fn explicit_ends_keep_multi_line_records_whole() {
        // Two records: "ab\ncd\n" (one event on two lines) and "ef\n".
        let records = Records::Ends(&[6, 9]);
        assert_eq!(records.last_end_within(BYTES, 0, 5), None);
        assert_eq!(records.last_end_within(BYTES, 0, 8), Some(6));
        assert_eq!(records.last_end_within(BYTES, 6, 2), None);
        assert_eq!(records.last_end_within(BYTES, 6, 3), Some(9));
        assert_eq!(records.first_end_after(BYTES, 0), 6);
        assert_eq!(records.first_end_after(BYTES, 6), 9);
    }
}
