//! What `crf-stress`, `crf` and their tests share: the self-checking lines
//! the stress tool's writer processes write ([`record`]), the verifier that
//! reads a log directory back and checks the library's guarantees against
//! what was written ([`verify`]), the check of what a log shipper sent on
//! from those files ([`shipped`]), the sizes and durations both tools read
//! and print ([`units`]), what both do about signals ([`signals`]), and
//! how they print a line on stderr whole ([`say!`], [`stderr`]).

#![deny(missing_docs)]

pub mod record;
pub mod shipped;
pub mod signals;
pub mod stderr;
pub mod units;
pub mod verify;

/// The writer number a child forked by writer process `id` writes as:
/// `id + FORKED_ID_OFFSET`.
pub const FORKED_ID_OFFSET: u32 = 1_000;
