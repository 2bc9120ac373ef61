//! What `crf-stress`, `crf` and their tests share: the self-checking lines
//! the stress tool's writer processes write ([`record`]), and the verifier
//! that reads a log directory back and checks the library's guarantees
//! against what was written ([`verify`]).

#![deny(missing_docs)]

pub mod record;
pub mod verify;

/// The writer number a child forked by writer process `id` writes as:
/// `id + FORKED_ID_OFFSET`.
pub const FORKED_ID_OFFSET: u32 = 1_000;
