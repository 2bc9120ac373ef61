//! Glue to the logging frameworks: `tracing-subscriber`'s `MakeWriter` for
//! single files and their background writers ([`tracing`], feature
//! `tracing`) and for routers (`tracing_router`, with the event copy
//! without its naming field that `event_copy` makes), `PythonFormat` as
//! an event formatter (`tracing_format`), and the `log` crate's `Log`
//! ([`log`], with the line format of `crate::log_line`, feature `log`).

#[cfg(feature = "tracing")]
pub(crate) mod event_copy;
#[cfg(feature = "log")]
pub(crate) mod log;
#[cfg(feature = "tracing")]
pub(crate) mod tracing;
#[cfg(feature = "tracing")]
pub(crate) mod tracing_format;
#[cfg(feature = "tracing")]
pub(crate) mod tracing_router;
