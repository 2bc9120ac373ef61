//! [`PercentFormat`]: a `%`-style format string (`PercentStyle._fmt`)
//! parsed once, and how one record's fields fill it, as Python's `%`
//! operator fills it from the record's `__dict__`.
//!
//! Only the grammar `logging` formats use is taken: text, `%%`, and
//! `%(key)` followed by flags, a width, a precision, a length modifier and
//! a conversion type. Anything else Python's `%` might make sense of
//! (nested parentheses in a key, `*`, a `%` without a key) makes the
//! format one this path does not cover, and Python formats the record.
//! A field with flags, a width, a precision or a type other than plain
//! `s` and `d` is rendered by Python's own `%` on that one value, so that
//! every conversion is Python's, byte for byte.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyString, PyTuple};

/// The format string, parsed.
#[derive(Debug)]
pub(crate) struct PercentFormat {
    pieces: Vec<Piece>,
    /// Whether Python's formatter would compute `asctime` for it: its
    /// test (`PercentStyle.usesTime`) looks for `%(asctime)` anywhere in
    /// the string, even after `%%`.
    pub(crate) uses_time: bool,
}

#[derive(Debug)]
enum Piece {
    Text(Box<[u8]>),
    /// `%(message)s`: the text `Formatter.format` just made.
    Message,
    /// `%(asctime)s`: likewise.
    Asctime,
    Field {
        key: Py<PyString>,
        conversion: Conversion,
    },
}

/// How a field's value becomes text.
#[derive(Debug)]
enum Conversion {
    /// `%(key)s`: `str(value)`.
    Str,
    /// `%(key)d` (or `i`, `u`): the decimal integer; `spec` is `%d`,
    /// for values other than a plain `int`.
    Int { spec: Py<PyString> },
    /// Anything else (`%(levelname)-8s`, `%(msecs)03d`, `%(created)f`):
    /// Python's `spec % (value,)`.
    Python { spec: Py<PyString> },
}

/// What the fields of one record read from: its `__dict__`, and the two
/// values `Formatter.format` adds to it first.
pub(crate) struct Values<'a, 'py> {
    pub(crate) dict: &'a Bound<'py, PyDict>,
    pub(crate) message: &'a str,
    pub(crate) asctime: Option<&'a str>,
}

impl PercentFormat {
    /// Parses `format`; `None` if it is not made only of text, `%%` and
    /// named fields.
    pub(crate) fn parse(py: Python<'_>, format: &str) -> Option<PercentFormat> {
        let bytes = format.as_bytes();
        let mut pieces = Vec::new();
        let mut text = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let Some(offset) = bytes[at..].iter().position(|&b| b == b'%') else {
                text.extend_from_slice(&bytes[at..]);
                break;
            };
            text.extend_from_slice(&bytes[at..at + offset]);
            at += offset + 1;
            match bytes.get(at) {
                Some(b'%') => {
                    text.push(b'%');
                    at += 1;
                }
                Some(b'(') => {
                    let (piece, used) = field(py, &format[at + 1..])?;
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text).into()));
                    }
                    pieces.push(piece);
                    at += 1 + used;
                }
                _ => return None,
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text.into()));
        }
        Some(PercentFormat {
            pieces,
            uses_time: format.contains("%(asctime)"),
        })
    }

    /// Appends the record's line to `out`; `None` if a field is not in
    /// the record (Python raises there), or a value's text is not valid
    /// UTF-8 (a lone surrogate: Python encodes it by the handler's error
    /// policy). Python's exceptions (a value's `__str__` raising) pass
    /// through.
    pub(crate) fn render(
        &self,
        py: Python<'_>,
        values: &Values<'_, '_>,
        out: &mut Vec<u8>,
    ) -> PyResult<Option<()>> {
        for piece in &self.pieces {
            let (key, conversion) = match piece {
                Piece::Text(text) => {
                    out.extend_from_slice(text);
                    continue;
                }
                Piece::Message => {
                    out.extend_from_slice(values.message.as_bytes());
                    continue;
                }
                Piece::Asctime => {
                    out.extend_from_slice(values.asctime.unwrap_or_default().as_bytes());
                    continue;
                }
                Piece::Field { key, conversion } => (key.bind(py), conversion),
            };
            let Some(value) = values.dict.get_item(key)? else {
                return Ok(None);
            };
            let text = match conversion {
                Conversion::Str if value.is_exact_instance_of::<PyString>() => {
                    value.cast_into::<PyString>()?
                }
                Conversion::Str => value.str()?,
                Conversion::Int { spec } => match exact_i64(&value) {
                    Some(n) => {
                        out.extend_from_slice(itoa(n, &mut [0; 20]));
                        continue;
                    }
                    None => percent(spec.bind(py), &value)?,
                },
                Conversion::Python { spec } => percent(spec.bind(py), &value)?,
            };
            match text.to_cow() {
                Ok(text) => out.extend_from_slice(text.as_bytes()),
                Err(_) => return Ok(None),
            }
        }
        Ok(Some(()))
    }
}

/// `spec % (value,)`: Python's conversion of one value.
fn percent<'py>(
    spec: &Bound<'py, PyString>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyString>> {
    let args = PyTuple::new(spec.py(), [value])?;
    Ok(spec.rem(args)?.cast_into::<PyString>()?)
}

/// A plain `int` (not a `bool`, not a subclass) that fits in an `i64`.
fn exact_i64(value: &Bound<'_, PyAny>) -> Option<i64> {
    if !value.is_exact_instance_of::<PyInt>() {
        return None;
    }
    value.extract::<i64>().ok()
}

/// `n` in decimal, in `buf`.
fn itoa(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    &buf[at..]
}

/// The field after `%(` at the start of `spec`, and how many bytes it
/// took; `None` for what this path leaves to Python.
fn field(py: Python<'_>, spec: &str) -> Option<(Piece, usize)> {
    let close = spec.find(')')?;
    let key = &spec[..close];
    // Python pairs nested parentheses in a key; never in a `LogRecord`'s.
    if key.contains('(') {
        return None;
    }
    let bytes = spec.as_bytes();
    let mut at = close + 1;
    let start = at;
    while matches!(bytes.get(at), Some(b'-' | b'+' | b' ' | b'#' | b'0')) {
        at += 1;
    }
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    if matches!(bytes.get(at), Some(b'h' | b'l' | b'L')) {
        at += 1;
    }
    let kind = *bytes.get(at)?;
    if !b"diouxXeEfFgGcrsa".contains(&kind) {
        return None;
    }
    let plain = at == start;
    let used = at + 1;
    match (key, kind) {
        ("message", b's') if plain => return Some((Piece::Message, used)),
        ("asctime", b's') if plain => return Some((Piece::Asctime, used)),
        _ => {}
    }
    let conversion = match kind {
        b's' if plain => Conversion::Str,
        b'd' | b'i' | b'u' if plain => Conversion::Int {
            spec: PyString::intern(py, "%d").unbind(),
        },
        _ => Conversion::Python {
            spec: PyString::new(py, &format!("%{}", &spec[start..=at])).unbind(),
        },
    };
    let key = PyString::intern(py, key).unbind();
    Some((Piece::Field { key, conversion }, used))
}
