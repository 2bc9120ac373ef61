//! The native half of the `concurrent_rotating_file` Python package: a thin
//! PyO3 layer over the Rust library, which knows nothing of Python.
//!
//! A `logging` record is formatted here when its formatter is a plain
//! `logging.Formatter` with a `%`-style format (`format`: byte for byte
//! Python's), and by Python otherwise; this layer hands the bytes to the
//! engine as one record (never torn, even a traceback of many lines), with
//! the GIL released while the record is written or queued, and turns the
//! engine's errors into the exceptions `logging` expects (`OSError` and its
//! subclasses, `ValueError` for options). The handlers themselves
//! (`logging.Handler` subclasses) are Python, in `concurrent_rotating_file/`.

mod errors;
mod exclude;
mod file;
mod format;
mod options;
mod router;

use pyo3::prelude::*;

/// `concurrent_rotating_file._native`: the engine's handles, for the
/// handlers in the Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<options::Options>()?;
    m.add_class::<file::LogFile>()?;
    m.add_class::<router::LogRouter>()?;
    Ok(())
}
