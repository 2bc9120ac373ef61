//! Glue to the logging frameworks: `tracing-subscriber`'s `MakeWriter`
//! ([`tracing`], feature `tracing`).

#[cfg(feature = "tracing")]
pub(crate) mod tracing;
