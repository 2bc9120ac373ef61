//! [`LineFormat`]: one `logging.LogRecord` made into the bytes of its line,
//! as `Formatter.format`, the handler's terminator, its newline
//! translation and UTF-8 would make them, or `None` where Python must.
//!
//! `Formatter.format` sets `record.message` (and `record.asctime` when its
//! format shows the time) before filling the format; so does this path,
//! for the filters and handlers that read them afterwards.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyString};

use crate::format::formatter::{FormatterCache, is_log_record};
use crate::format::percent::Values;

/// How one handler's records become lines.
#[derive(Debug)]
pub(crate) struct LineFormat {
    formatters: FormatterCache,
    /// The handler's `terminator`.
    terminator: Box<str>,
    /// What `newline` turns each `\n` of the line into (`\r\n`, `\r`), as
    /// the text stream of concurrent-log-handler does.
    newline: Option<Box<str>>,
}

impl LineFormat {
    /// The format of a handler whose `line_end` is its `terminator` and
    /// its stream's `newline` (`None`: Python formats every record).
    pub(crate) fn for_line_end(line_end: Option<(String, Option<String>)>) -> Option<LineFormat> {
        let (terminator, newline) = line_end?;
        Some(LineFormat {
            formatters: FormatterCache::default(),
            terminator: terminator.into(),
            newline: newline.filter(|n| n != "\n").map(Into::into),
        })
    }

    /// The same for a child after `fork()`, with a cache of its own: the
    /// parent's lock may have been held by a thread the child lacks.
    pub(crate) fn forked(&self) -> LineFormat {
        LineFormat {
            formatters: FormatterCache::default(),
            terminator: self.terminator.clone(),
            newline: self.newline.clone(),
        }
    }

    /// The UTF-8 bytes of `record`'s line as `formatter` formats it, or
    /// `None` if this path does not cover them: another formatter, a
    /// record with an exception or a stack, a field the record lacks, a
    /// text that is not valid UTF-8. Python's exceptions (a message whose
    /// arguments do not fit it) pass through, as `Formatter.format` raises
    /// them.
    pub(crate) fn line(
        &self,
        record: &Bound<'_, PyAny>,
        formatter: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Vec<u8>>> {
        let py = record.py();
        if !is_log_record(record)? {
            return Ok(None);
        }
        let Some(compiled) = self.formatters.compiled(formatter) else {
            return Ok(None);
        };
        let dict = record
            .getattr(pyo3::intern!(py, "__dict__"))?
            .cast_into::<PyDict>()?;
        // A traceback or a stack is Python's to format (`formatException`).
        for name in [
            pyo3::intern!(py, "exc_info"),
            pyo3::intern!(py, "exc_text"),
            pyo3::intern!(py, "stack_info"),
        ] {
            match dict.get_item(name)? {
                Some(value) if !value.is_truthy()? => {}
                _ => return Ok(None),
            }
        }
        let Ok(message) = message(record, &dict)?.cast_into::<PyString>() else {
            return Ok(None);
        };
        dict.set_item(pyo3::intern!(py, "message"), &message)?;
        let mut asctime = String::new();
        if let Some(time) = &compiled.time {
            let (Some(created), Some(msecs)) = (
                number(&dict, pyo3::intern!(py, "created"))?,
                number(&dict, pyo3::intern!(py, "msecs"))?,
            ) else {
                return Ok(None);
            };
            if time.write(created, msecs, &mut asctime).is_none() {
                return Ok(None);
            }
            dict.set_item(pyo3::intern!(py, "asctime"), &asctime)?;
        }
        let Ok(message) = message.to_cow() else {
            return Ok(None);
        };
        let values = Values {
            dict: &dict,
            message: &message,
            asctime: compiled.time.as_ref().map(|_| asctime.as_str()),
        };
        let mut line = Vec::with_capacity(256);
        if compiled.format.render(py, &values, &mut line)?.is_none() {
            return Ok(None);
        }
        line.extend_from_slice(self.terminator.as_bytes());
        Ok(Some(match &self.newline {
            None => line,
            Some(newline) => translate(&line, newline.as_bytes()),
        }))
    }
}

/// `record.getMessage()`, without calling it for the usual record: a
/// message with no arguments is itself.
fn message<'py>(
    record: &Bound<'py, PyAny>,
    dict: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = record.py();
    if let (Some(msg), Some(args)) = (
        dict.get_item(pyo3::intern!(py, "msg"))?,
        dict.get_item(pyo3::intern!(py, "args"))?,
    ) && msg.is_exact_instance_of::<PyString>()
        && !args.is_truthy()?
    {
        return Ok(msg);
    }
    record.call_method0(pyo3::intern!(py, "getMessage"))
}

/// A time of the record's (`created`, `msecs`); `None` if missing or not
/// a `float`, as `LogRecord` makes them (anything else is Python's to
/// convert, as `time.localtime` would).
fn number(dict: &Bound<'_, PyDict>, name: &Bound<'_, PyString>) -> PyResult<Option<f64>> {
    Ok(dict
        .get_item(name)?
        .filter(|v| v.is_exact_instance_of::<PyFloat>())
        .and_then(|v| v.extract::<f64>().ok()))
}

/// `line` with every `\n` replaced by `newline`.
fn translate(line: &[u8], newline: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(at) = memchr::memchr(b'\n', rest) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(newline);
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
    out
}
