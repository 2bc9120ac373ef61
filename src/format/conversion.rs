//! [`Conversion`]: one `%`-conversion of a Python format string (the part
//! after `%(name)`: flags, width, precision, type), and how it renders a
//! string, an integer or a float exactly as Python's `%` operator does.

use std::fmt::{self, Write};

/// What a conversion renders: `s`, `d` (`i`, `u`), `x`, `X`, `o`, `f`
/// (`F`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Str,
    Decimal,
    Hex { upper: bool },
    Octal,
    Float,
}

/// `+` or space before non-negative numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sign {
    OnlyMinus,
    Plus,
    Space,
}

/// One conversion: `%-8s`, `%03d`, `%.3f`...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conversion {
    left: bool,
    zero: bool,
    sign: Sign,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
    pub(crate) kind: Kind,
}

/// A value a conversion may be given.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    /// Text at hand.
    Text(&'a str),
    /// Text that a value writes (a message's arguments).
    Str(&'a dyn fmt::Display),
    Int(i128),
    Float(f64),
}

impl Conversion {
    /// `%s`: the value as it is.
    pub(crate) const PLAIN: Conversion = Conversion {
        left: false,
        zero: false,
        sign: Sign::OnlyMinus,
        alternate: false,
        width: 0,
        precision: None,
        kind: Kind::Str,
    };

    /// Parses what follows `%(name)` at the start of `spec`: flags, width,
    /// precision, an ignored length modifier (`h`, `l`, `L`), the type.
    /// Returns the conversion and how many bytes it took, or what is wrong.
    pub(crate) fn parse(spec: &str) -> Result<(Conversion, usize), String> {
        let bytes = spec.as_bytes();
        let mut at = 0;
        let mut conversion = Conversion::PLAIN;
        while let Some(&flag) = bytes.get(at) {
            match flag {
                b'-' => conversion.left = true,
                b'0' => conversion.zero = true,
                b'+' => conversion.sign = Sign::Plus,
                b' ' if conversion.sign == Sign::OnlyMinus => conversion.sign = Sign::Space,
                b' ' => {}
                b'#' => conversion.alternate = true,
                _ => break,
            }
            at += 1;
        }
        let (width, digits) = number(&bytes[at..])?;
        conversion.width = width;
        at += digits;
        if bytes.get(at) == Some(&b'*') {
            return Err(
                "`*` (a width or precision from the arguments) cannot be used with a named field"
                    .into(),
            );
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if bytes.get(at) == Some(&b'*') {
                return Err("`*` (a width or precision from the arguments) cannot be used with a named field".into());
            }
            let (precision, digits) = number(&bytes[at..])?;
            conversion.precision = Some(precision);
            at += digits;
        }
        if let Some(b'h' | b'l' | b'L') = bytes.get(at) {
            at += 1;
        }
        conversion.kind = match bytes.get(at) {
            Some(b's') => Kind::Str,
            Some(b'd' | b'i' | b'u') => Kind::Decimal,
            Some(b'x') => Kind::Hex { upper: false },
            Some(b'X') => Kind::Hex { upper: true },
            Some(b'o') => Kind::Octal,
            Some(b'f' | b'F') => Kind::Float,
            Some(&other) => {
                let other = spec[at..].chars().next().unwrap_or(other as char);
                return Err(format!(
                    "the conversion type `{other}` is not supported (supported: s, d, i, u, x, X, o, f, F)"
                ));
            }
            None => return Err("the conversion has no type (`s`, `d`, `f`...)".into()),
        };
        Ok((conversion, at + 1))
    }

    /// Renders `value` into `out`, as Python's `%` would.
    pub(crate) fn write(&self, out: &mut dyn Write, value: Value<'_>) -> fmt::Result {
        match (self.kind, value) {
            (Kind::Str, Value::Text(text)) if *self == Conversion::PLAIN => out.write_str(text),
            (Kind::Str, Value::Text(text)) => self.write_text(out, text),
            (Kind::Str, Value::Str(text)) if *self == Conversion::PLAIN => write!(out, "{text}"),
            (Kind::Str, Value::Str(text)) => self.write_text(out, &text.to_string()),
            (Kind::Str, Value::Int(n)) => self.write_text(out, &n.to_string()),
            (Kind::Str, Value::Float(x)) => self.write_text(out, &python_repr(x)),
            (Kind::Float, Value::Int(n)) => self.write_float(out, n as f64),
            (Kind::Float, Value::Float(x)) => self.write_float(out, x),
            // `%d` of a float is of its integer part, as Python's int().
            (_, Value::Float(x)) => self.write_integer(out, x.trunc() as i128),
            (_, Value::Int(n)) => self.write_integer(out, n),
            // Refused when the format is parsed: a string field with a
            // numeric conversion.
            (_, Value::Text(text)) => out.write_str(text),
            (_, Value::Str(text)) => write!(out, "{text}"),
        }
    }

    /// `%s` with a width or a precision: counted in characters, as Python
    /// counts a `str`.
    fn write_text(&self, out: &mut dyn Write, text: &str) -> fmt::Result {
        let text = match self.precision {
            Some(precision) => match text.char_indices().nth(precision) {
                Some((end, _)) => &text[..end],
                None => text,
            },
            None => text,
        };
        self.pad(out, "", text, false)
    }

    fn write_integer(&self, out: &mut dyn Write, n: i128) -> fmt::Result {
        let magnitude = n.unsigned_abs();
        let mut digits = match self.kind {
            Kind::Hex { upper: false } => format!("{magnitude:x}"),
            Kind::Hex { upper: true } => format!("{magnitude:X}"),
            Kind::Octal => format!("{magnitude:o}"),
            _ => magnitude.to_string(),
        };
        if let Some(precision) = self.precision
            && digits.len() < precision
        {
            digits.insert_str(0, &"0".repeat(precision - digits.len()));
        }
        let mut prefix = String::from(self.sign_of(n < 0));
        if self.alternate {
            prefix.push_str(match self.kind {
                Kind::Hex { upper: false } => "0x",
                Kind::Hex { upper: true } => "0X",
                Kind::Octal => "0o",
                _ => "",
            });
        }
        self.pad(out, &prefix, &digits, true)
    }

    fn write_float(&self, out: &mut dyn Write, x: f64) -> fmt::Result {
        if !x.is_finite() {
            let text = if x.is_nan() { "nan" } else { "inf" };
            return self.pad(out, self.sign_of(x < 0.0), text, false);
        }
        let precision = self.precision.unwrap_or(6);
        let mut digits = format!("{:.precision$}", x.abs());
        if self.alternate && precision == 0 {
            digits.push('.');
        }
        // -0.0 keeps its sign, as in Python.
        self.pad(out, self.sign_of(x.is_sign_negative()), &digits, true)
    }

    fn sign_of(&self, negative: bool) -> &'static str {
        match (negative, self.sign) {
            (true, _) => "-",
            (false, Sign::Plus) => "+",
            (false, Sign::Space) => " ",
            (false, Sign::OnlyMinus) => "",
        }
    }

    /// Writes `prefix` and `body` within the width: spaces before (or after,
    /// with `-`), or zeros between the two for numbers with `0`.
    fn pad(&self, out: &mut dyn Write, prefix: &str, body: &str, number: bool) -> fmt::Result {
        let len = prefix.chars().count() + body.chars().count();
        let fill = self.width.saturating_sub(len);
        if self.left {
            out.write_str(prefix)?;
            out.write_str(body)?;
            return spaces(out, fill);
        }
        if self.zero && number {
            out.write_str(prefix)?;
            for _ in 0..fill {
                out.write_char('0')?;
            }
            return out.write_str(body);
        }
        spaces(out, fill)?;
        out.write_str(prefix)?;
        out.write_str(body)
    }
}

fn spaces(out: &mut dyn Write, count: usize) -> fmt::Result {
    for _ in 0..count {
        out.write_char(' ')?;
    }
    Ok(())
}

/// The decimal number at the start of `bytes` (0 if none), and its length.
fn number(bytes: &[u8]) -> Result<(usize, usize), String> {
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Ok((0, 0));
    }
    let text = std::str::from_utf8(&bytes[..digits]).unwrap_or_default();
    // Python refuses these too ("width too big").
    let n = text
        .parse::<usize>()
        .ok()
        .filter(|&n| n <= 1 << 16)
        .ok_or_else(|| format!("the width or precision {text} is too large"))?;
    Ok((n, digits))
}

/// Python's `str()` of a float: the shortest text that reads back as the
/// same number, with `.0` on integers, and an exponent (`1e+16`, `1.5e-05`)
/// from 1e16 up and below 1e-4.
pub(crate) fn python_repr(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "nan"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        }
        .into();
    }
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        let text = format!("{x:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let (sign, digits) = match exponent.strip_prefix('-') {
            Some(digits) => ('-', digits),
            None => ('+', exponent),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    let mut text = format!("{x}");
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(spec: &str, value: Value<'_>) -> String {
        let (conversion, used) = Conversion::parse(spec).unwrap();
        assert_eq!(used, spec.len(), "{spec}");
        let mut out = String::new();
        conversion.write(&mut out, value).unwrap();
        out
    }

    #[test]
    fn conversions_render_as_pythons_percent_operator() {
        // Each expected text is what Python 3 prints for the same
        // conversion and value.
        assert_eq!(render("08.3d", Value::Int(5)), "00000005");
        assert_eq!(render("-8d", Value::Int(5)), "5       ");
        assert_eq!(render("+05d", Value::Int(5)), "+0005");
        assert_eq!(render(" 5d", Value::Int(-5)), "   -5");
        assert_eq!(render(".0f", Value::Float(0.5)), "0");
        assert_eq!(render(".2f", Value::Float(0.125)), "0.12");
        assert_eq!(render("#.0f", Value::Int(3)), "3.");
        assert_eq!(render("#x", Value::Int(255)), "0xff");
        assert_eq!(render("#5x", Value::Int(255)), " 0xff");
        assert_eq!(render("#o", Value::Int(8)), "0o10");
        assert_eq!(render("5.2s", Value::Text("hello")), "   he");
        assert_eq!(render("05s", Value::Str(&"ab")), "   ab");
        assert_eq!(render("d", Value::Float(12.9)), "12");
        assert_eq!(render("s", Value::Float(123.0)), "123.0");
        assert_eq!(render("s", Value::Float(1e16)), "1e+16");
        assert_eq!(render("s", Value::Float(1.5e-5)), "1.5e-05");
        assert_eq!(render("ld", Value::Int(3)), "3");
        assert_eq!(render("-5s", Value::Text("é")), "é    ");
        assert_eq!(render("+.3f", Value::Float(2.5)), "+2.500");
        assert_eq!(render("010.3f", Value::Float(-2.5)), "-00002.500");
        assert_eq!(render("03d", Value::Float(7.0)), "007");
    }

    #[test]
    fn conversions_python_has_no_use_for_here_are_refused_with_the_reason() {
        for (spec, says) in [
            ("*d", "`*`"),
            (".*f", "`*`"),
            ("r", "`r` is not supported"),
            ("z", "`z` is not supported"),
            ("", "no type"),
            ("-", "no type"),
            ("99999999999999999999d", "too large"),
        ] {
            let error = Conversion::parse(spec).unwrap_err();
            assert!(error.contains(says), "{spec:?}: {error}");
        }
    }
}
