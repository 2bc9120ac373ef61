//! Line formats: [`PythonFormat`](python::PythonFormat), a Python
//! `logging` format string parsed once and rendered for `log` records and
//! `tracing` events alike ([`python`]), with Python's `%`-conversions
//! ([`conversion`]).

pub(crate) mod conversion;
pub(crate) mod python;
