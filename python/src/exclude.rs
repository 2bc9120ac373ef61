//! The record filter: records holding any of the given texts are dropped,
//! and counted.
//!
//! It sees the record as it would be written (formatted and encoded), as
//! the engine's own record filter will; once the library's builder takes
//! a filter, this moves into it and its count into the file's statistics.

use std::sync::atomic::{AtomicU64, Ordering};

use memchr::memmem::Finder;

/// Texts whose records are dropped.
#[derive(Debug, Default)]
pub(crate) struct Exclude {
    finders: Vec<Finder<'static>>,
    dropped: AtomicU64,
}

impl Exclude {
    pub(crate) fn new(texts: &[Vec<u8>]) -> Exclude {
        Exclude {
            finders: texts
                .iter()
                .filter(|text| !text.is_empty())
                .map(|text| Finder::new(text).into_owned())
                .collect(),
            dropped: AtomicU64::new(0),
        }
    }

    /// Whether `record` is to be written; a record dropped is counted.
    pub(crate) fn keeps(&self, record: &[u8]) -> bool {
        if self.finders.iter().any(|f| f.find(record).is_some()) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }

    /// Records dropped so far in this process.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}
