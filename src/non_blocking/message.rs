//! [`Message`]: what travels from the callers to the background thread.

use crossbeam_channel::Sender;

use crate::writer::records::Records;

/// Records up to this size travel inside the message: the bounded channel
/// preallocates its slots, so such a record costs no allocation.
pub(crate) const INLINE: usize = 238;

/// A record (complete lines from `io::Write`, or one `tracing` event) or a
/// request. Small records are inline on purpose (the size difference clippy
/// warns of): the bounded channel's preallocated slots then carry them with
/// no allocation.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Message {
    Inline {
        len: u8,
        /// The bytes are one record ([`Records::One`]), not lines.
        one: bool,
        bytes: [u8; INLINE],
    },
    Heap {
        one: bool,
        bytes: Vec<u8>,
    },
    /// Answer once everything queued before this is written.
    Flush(Sender<()>),
    /// Write everything queued, then stop.
    Shutdown,
}

impl Message {
    /// A message carrying `bytes`, which divide into records as `records`
    /// says: [`Records::Lines`] or [`Records::One`].
    pub(crate) fn record(bytes: &[u8], records: Records<'static>) -> Message {
        let one = records == Records::One;
        if bytes.len() <= INLINE {
            let mut inline = [0; INLINE];
            inline[..bytes.len()].copy_from_slice(bytes);
            Message::Inline {
                len: bytes.len() as u8,
                one,
                bytes: inline,
            }
        } else {
            Message::Heap {
                one,
                bytes: bytes.to_vec(),
            }
        }
    }

    pub(crate) fn payload(&self) -> Option<(&[u8], Records<'static>)> {
        let records = |one: bool| if one { Records::One } else { Records::Lines };
        match self {
            Message::Inline { len, one, bytes } => {
                Some((&bytes[..usize::from(*len)], records(*one)))
            }
            Message::Heap { one, bytes } => Some((bytes, records(*one))),
            Message::Flush(_) | Message::Shutdown => None,
        }
    }

    /// How many records the message holds (for the drop and error counts).
    pub(crate) fn records(&self) -> u64 {
        match self.payload() {
            Some((bytes, Records::Lines)) => {
                let lines = memchr::memchr_iter(b'\n', bytes).count() as u64;
                lines + u64::from(bytes.last() != Some(&b'\n'))
            }
            Some(_) => 1,
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_records_travel_inline_and_large_ones_on_the_heap() {
        assert!(matches!(
            Message::record(&[b'x'; INLINE], Records::One),
            Message::Inline { .. }
        ));
        assert!(matches!(
            Message::record(&[b'x'; INLINE + 1], Records::One),
            Message::Heap { .. }
        ));
        assert!(
            std::mem::size_of::<Message>() <= 256,
            "{}",
            std::mem::size_of::<Message>()
        );
    }
}
