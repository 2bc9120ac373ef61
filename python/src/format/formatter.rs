//! Which `logging.Formatter` the Rust path covers, and knowing, record by
//! record, that the one it compiled has not changed since.
//!
//! Covered: a `logging.Formatter` itself (not a subclass) with a `%`-style
//! format (`PercentStyle`, without `defaults`), its methods and those of
//! its style `logging`'s own, its converter `time.localtime` or
//! `time.gmtime`, and a `datefmt` (or `default_time_format` and
//! `default_msec_format`) that [`TimeFormat`] takes. Everything else is
//! left to Python.
//!
//! Whatever `Formatter.format` reads (the formatter's and its style's
//! attributes, whether set on the instance or on the class: a program may
//! set `logging.Formatter.converter = time.gmtime` at any time) is
//! snapshotted with the compiled format; a record whose formatter differs
//! from the snapshot in any of them has the format compiled again.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};

use crate::format::asctime::TimeFormat;
use crate::format::percent::PercentFormat;

/// A formatter's format, compiled for the Rust path.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) format: PercentFormat,
    /// When the format uses `asctime`.
    pub(crate) time: Option<TimeFormat>,
}

/// The last formatter seen and what was made of it, shared by the
/// threads logging through one handler.
#[derive(Debug, Default)]
pub(crate) struct FormatterCache {
    last: Mutex<Option<Arc<Entry>>>,
}

#[derive(Debug)]
struct Entry {
    snapshot: Snapshot,
    /// `None`: not covered.
    compiled: Option<Arc<Compiled>>,
}

/// What a formatter was when compiled: objects compared by identity.
#[derive(Debug)]
struct Snapshot {
    formatter: Py<PyAny>,
    /// The formatter's `__dict__`, keys and values in turn.
    formatter_items: Vec<Py<PyAny>>,
    style: Option<Py<PyAny>>,
    style_items: Vec<Py<PyAny>>,
    /// The value of each of [`CLASS_ATTRIBUTES`].
    class_values: Vec<Py<PyAny>>,
}

/// `logging`'s and `time`'s own objects, as first seen.
struct Stock {
    formatter: Py<PyType>,
    percent_style: Py<PyType>,
    log_record: Py<PyType>,
    localtime: Py<PyAny>,
    gmtime: Py<PyAny>,
    /// The names of [`CLASS_ATTRIBUTES`], interned: a lookup by an interned
    /// name hits the type's attribute cache, where a new string is hashed
    /// and looked for along the class's bases, every record.
    attribute_names: Vec<Py<PyString>>,
}

static STOCK: PyOnceLock<Stock> = PyOnceLock::new();

/// The class attributes `Formatter.format` reads, by class: what a program
/// may replace on `logging`'s classes themselves.
const CLASS_ATTRIBUTES: [(Class, &str); 12] = [
    (Class::Formatter, "format"),
    (Class::Formatter, "formatMessage"),
    (Class::Formatter, "usesTime"),
    (Class::Formatter, "formatTime"),
    (Class::Formatter, "converter"),
    (Class::Formatter, "default_time_format"),
    (Class::Formatter, "default_msec_format"),
    (Class::PercentStyle, "format"),
    (Class::PercentStyle, "_format"),
    (Class::PercentStyle, "usesTime"),
    (Class::PercentStyle, "asctime_search"),
    (Class::LogRecord, "getMessage"),
];

/// Methods that, set on an instance, replace `logging`'s own.
const FORMATTER_METHODS: [&str; 4] = ["format", "formatMessage", "usesTime", "formatTime"];
const STYLE_METHODS: [&str; 3] = ["format", "_format", "usesTime"];

#[derive(Debug, Clone, Copy)]
enum Class {
    Formatter,
    PercentStyle,
    LogRecord,
}

impl Stock {
    fn get(py: Python<'_>) -> PyResult<&Stock> {
        STOCK.get_or_try_init(py, || {
            let logging = py.import("logging")?;
            let time = py.import("time")?;
            Ok(Stock {
                formatter: logging
                    .getattr("Formatter")?
                    .cast_into::<PyType>()?
                    .unbind(),
                percent_style: logging
                    .getattr("PercentStyle")?
                    .cast_into::<PyType>()?
                    .unbind(),
                log_record: logging
                    .getattr("LogRecord")?
                    .cast_into::<PyType>()?
                    .unbind(),
                localtime: time.getattr("localtime")?.unbind(),
                gmtime: time.getattr("gmtime")?.unbind(),
                attribute_names: CLASS_ATTRIBUTES
                    .iter()
                    .map(|(_, name)| PyString::intern(py, name).unbind())
                    .collect(),
            })
        })
    }

    fn class<'py>(&self, py: Python<'py>, class: Class) -> &Bound<'py, PyType> {
        match class {
            Class::Formatter => self.formatter.bind(py),
            Class::PercentStyle => self.percent_style.bind(py),
            Class::LogRecord => self.log_record.bind(py),
        }
    }

    /// The value of each of [`CLASS_ATTRIBUTES`] now, in turn.
    fn class_values<'py>(
        &self,
        py: Python<'py>,
    ) -> impl Iterator<Item = PyResult<Bound<'py, PyAny>>> {
        CLASS_ATTRIBUTES
            .iter()
            .zip(&self.attribute_names)
            .map(move |((class, _), name)| self.class(py, *class).getattr(name.bind(py)))
    }

    /// Whether `record` is a `logging.LogRecord` itself.
    pub(crate) fn is_log_record(py: Python<'_>, record: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(record.get_type().is(Stock::get(py)?.log_record.bind(py)))
    }
}

/// Whether `record` is a `logging.LogRecord` itself (not a subclass,
/// whose `getMessage` may differ).
pub(crate) fn is_log_record(record: &Bound<'_, PyAny>) -> PyResult<bool> {
    Stock::is_log_record(record.py(), record)
}

impl FormatterCache {
    /// `formatter` compiled, or `None` if the Rust path does not cover it.
    /// A formatter that cannot be looked at as `logging`'s own (an
    /// attribute missing in this Python, or raising) is not covered:
    /// Python's own formatting then does what it does with it.
    pub(crate) fn compiled(&self, formatter: &Bound<'_, PyAny>) -> Option<Arc<Compiled>> {
        self.look_up(formatter).ok().flatten()
    }

    fn look_up(&self, formatter: &Bound<'_, PyAny>) -> PyResult<Option<Arc<Compiled>>> {
        let py = formatter.py();
        let stock = Stock::get(py)?;
        // No lock is held while Python runs: an attribute read may log.
        let last = self
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(entry) = last
            && entry.snapshot.matches(stock, formatter)?
        {
            return Ok(entry.compiled.clone());
        }
        let snapshot = Snapshot::take(stock, formatter)?;
        let compiled = compile(stock, formatter)?.map(Arc::new);
        let entry = Arc::new(Entry {
            snapshot,
            compiled: compiled.clone(),
        });
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(entry);
        Ok(compiled)
    }
}

impl Snapshot {
    fn take(stock: &Stock, formatter: &Bound<'_, PyAny>) -> PyResult<Snapshot> {
        let py = formatter.py();
        let style = formatter.getattr(pyo3::intern!(py, "_style")).ok();
        Ok(Snapshot {
            formatter: formatter.clone().unbind(),
            formatter_items: items(formatter)?,
            style_items: match &style {
                Some(style) => items(style)?,
                None => Vec::new(),
            },
            style: style.map(Bound::unbind),
            class_values: class_values(stock, py)?,
        })
    }

    /// Whether `formatter` is, in everything `Formatter.format` reads,
    /// still what it was.
    fn matches(&self, stock: &Stock, formatter: &Bound<'_, PyAny>) -> PyResult<bool> {
        let py = formatter.py();
        if !formatter.is(&self.formatter) || !same_items(formatter, &self.formatter_items)? {
            return Ok(false);
        }
        if let Some(style) = &self.style
            && !same_items(style.bind(py), &self.style_items)?
        {
            return Ok(false);
        }
        for (now, then) in stock.class_values(py).zip(&self.class_values) {
            if !now?.is(then) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// An object's `__dict__`, keys and values in turn (none if it has no
/// `__dict__`).
fn items(object: &Bound<'_, PyAny>) -> PyResult<Vec<Py<PyAny>>> {
    let Some(dict) = instance_dict(object) else {
        return Ok(Vec::new());
    };
    Ok(dict
        .iter()
        .flat_map(|(key, value)| [key.unbind(), value.unbind()])
        .collect())
}

/// Whether `object`'s `__dict__` holds the very keys and values of
/// `items`, in the same order.
fn same_items(object: &Bound<'_, PyAny>, items: &[Py<PyAny>]) -> PyResult<bool> {
    let Some(dict) = instance_dict(object) else {
        return Ok(items.is_empty());
    };
    if dict.len() * 2 != items.len() {
        return Ok(false);
    }
    Ok(dict
        .iter()
        .zip(items.chunks_exact(2))
        .all(|((key, value), pair)| key.is(&pair[0]) && value.is(&pair[1])))
}

fn instance_dict<'py>(object: &Bound<'py, PyAny>) -> Option<Bound<'py, PyDict>> {
    let dict = object
        .getattr(pyo3::intern!(object.py(), "__dict__"))
        .ok()?;
    dict.cast_into::<PyDict>().ok()
}

fn class_values(stock: &Stock, py: Python<'_>) -> PyResult<Vec<Py<PyAny>>> {
    stock
        .class_values(py)
        .map(|value| Ok(value?.unbind()))
        .collect()
}

/// `formatter` compiled, if the Rust path covers it (see the module's
/// documentation); `None` if not.
fn compile(stock: &Stock, formatter: &Bound<'_, PyAny>) -> PyResult<Option<Compiled>> {
    let py = formatter.py();
    if !formatter.get_type().is(stock.formatter.bind(py)) {
        return Ok(None);
    }
    for ((class, name), value) in CLASS_ATTRIBUTES.into_iter().zip(stock.class_values(py)) {
        let value = value?;
        let stock_value = match name {
            "converter" => value.is(&stock.localtime) || value.is(&stock.gmtime),
            "default_time_format" | "default_msec_format" => true,
            "asctime_search" => value.extract::<String>().is_ok_and(|s| s == "%(asctime)"),
            _ => is_logging_function(&value, class, name),
        };
        if !stock_value {
            return Ok(None);
        }
    }
    let style = formatter.getattr(pyo3::intern!(py, "_style"))?;
    if !style.get_type().is(stock.percent_style.bind(py))
        || overrides(formatter, &FORMATTER_METHODS)
        || overrides(&style, &STYLE_METHODS)
    {
        return Ok(None);
    }
    // `defaults` (3.10 and later): fields the record may lack.
    if let Ok(defaults) = style.getattr(pyo3::intern!(py, "_defaults"))
        && defaults.is_truthy()?
    {
        return Ok(None);
    }
    let Ok(fmt) = style
        .getattr(pyo3::intern!(py, "_fmt"))?
        .cast_into::<PyString>()
    else {
        return Ok(None);
    };
    let Ok(fmt) = fmt.to_cow() else {
        return Ok(None);
    };
    let Some(format) = PercentFormat::parse(py, &fmt) else {
        return Ok(None);
    };
    let time = match format.uses_time {
        false => None,
        true => match time_format(stock, formatter)? {
            Some(time) => Some(time),
            None => return Ok(None),
        },
    };
    Ok(Some(Compiled { format, time }))
}

/// `formatTime`'s format, read as `formatTime` reads it.
fn time_format(stock: &Stock, formatter: &Bound<'_, PyAny>) -> PyResult<Option<TimeFormat>> {
    let py = formatter.py();
    let converter = formatter.getattr(pyo3::intern!(py, "converter"))?;
    let utc = match () {
        _ if converter.is(&stock.localtime) => false,
        _ if converter.is(&stock.gmtime) => true,
        _ => return Ok(None),
    };
    let text = |name: &Bound<'_, PyString>| -> PyResult<Option<Option<String>>> {
        let value = formatter.getattr(name)?;
        if value.is_none() {
            return Ok(Some(None));
        }
        Ok(value.extract::<String>().ok().map(Some))
    };
    let (Some(datefmt), Some(Some(default)), Some(msec)) = (
        text(pyo3::intern!(py, "datefmt"))?,
        text(pyo3::intern!(py, "default_time_format"))?,
        text(pyo3::intern!(py, "default_msec_format"))?,
    ) else {
        return Ok(None);
    };
    // Before 3.10, `formatTime` applies `default_msec_format` even when
    // it is empty or `None` (and raises): Python's to do.
    if datefmt.as_deref().is_none_or(str::is_empty)
        && msec.as_deref().is_none_or(str::is_empty)
        && py.version_info() < (3, 10)
    {
        return Ok(None);
    }
    Ok(TimeFormat::new(
        utc,
        datefmt.as_deref(),
        &default,
        msec.as_deref(),
    ))
}

/// Whether `value` is the function `logging` defines as `class.name`.
fn is_logging_function(value: &Bound<'_, PyAny>, class: Class, name: &str) -> bool {
    let class = match class {
        Class::Formatter => "Formatter",
        Class::PercentStyle => "PercentStyle",
        Class::LogRecord => "LogRecord",
    };
    let text = |attribute: &str| {
        value
            .getattr(attribute)
            .and_then(|v| v.extract::<String>())
            .ok()
    };
    text("__module__").as_deref() == Some("logging")
        && text("__qualname__") == Some(format!("{class}.{name}"))
}

/// Whether `object` has one of `methods` set on itself.
fn overrides(object: &Bound<'_, PyAny>, methods: &[&str]) -> bool {
    instance_dict(object).is_some_and(|dict| {
        methods
            .iter()
            .any(|name| dict.contains(*name).unwrap_or(true))
    })
}
