//! The engine's errors as the exceptions Python code expects.

use concurrent_rotating_file::{Error, ErrorKind};
use pyo3::PyErr;
use pyo3::exceptions::PyValueError;

/// An option the engine refused is a `ValueError` (as `logging.config`
/// reports a bad handler argument); a file that cannot be opened is the
/// `OSError` subclass of its cause (`PermissionError`, ...), its message
/// naming the path and the operation.
pub(crate) fn open_error(error: Error) -> PyErr {
    match error.kind() {
        ErrorKind::InvalidOption | ErrorKind::InvalidName => {
            PyValueError::new_err(error.to_string())
        }
        _ => PyErr::from(std::io::Error::from(error)),
    }
}
