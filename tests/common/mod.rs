//! Test helpers shared by the library's integration tests: where the
//! library keeps its own files, and the helpers every test package shares.

#![allow(dead_code)] // each test binary uses some of the helpers

use std::path::{Path, PathBuf};

#[allow(unused_imports)] // each test binary uses some of them
pub use test_support::{HeldLock, Immutable, mkfifo, unlock, within};

/// The library's own file `name` (lock, state, temporaries) for a log in
/// `dir`: in the hidden directory beside the log.
pub fn own_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(".concurrent-rotating-file").join(name)
}

/// The text a `.gz` file holds.
pub fn gunzip(path: &Path) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap()),
        &mut text,
    )
    .unwrap();
    text
}
