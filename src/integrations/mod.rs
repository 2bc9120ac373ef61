//! Glue to the logging frameworks: `tracing-subscriber`'s `MakeWriter` for
//! single files and their background writers ([`tracing`], feature
//! `tracing`) and for routers (`tracing_router`), and the `log` crate's
//! `Log` ([`log`], with the line format of `crate::log_line`, feature
//! `log`).

#[cfg(feature = "log")]
pub(crate) mod log;
#[cfg(feature = "tracing")]
pub(crate) mod tracing;
#[cfg(feature = "tracing")]
pub(crate) mod tracing_router;
