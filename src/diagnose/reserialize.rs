//! JSON written again the way common serialisers write it, for the body diagnosis: a body that
//! a framework parsed and serialised again no longer verifies, and the signed original is often
//! the same JSON in another serialiser's style.
//!
//! A tree built with the crate's scanner ([`crate::json`]; strings kept as UTF-16 code units,
//! numbers as their source text) and a writer per [`Style`]. The JavaScript style follows `JSON.stringify(JSON.parse(text))`
//! exactly: integer-like keys first in ascending order, a repeated key keeps its first place
//! and its last value, numbers through an `f64` in ECMAScript's shortest form.

use crate::json::{Item, Kind, Scan};

/// A parsed value. Numbers keep their source text; strings their UTF-16 code units.
enum Value {
    Null,
    Bool(bool),
    Number(String),
    String(Vec<u16>),
    Array(Vec<Value>),
    Object(Vec<(Vec<u16>, Value)>),
}

/// Nesting deeper than this is not re-written (the diagnosis gives up, nothing fails).
const MAX_DEPTH: usize = 64;

/// How non-ASCII and HTML-sensitive characters are escaped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    /// `JSON.stringify`: only `"`, `\` and control characters; lone surrogates as `\udxxx`.
    JavaScript,
    /// Python's `json.dumps` (`ensure_ascii`): every non-ASCII code unit as `\uxxxx`.
    AsciiLower,
    /// .NET's `System.Text.Json` default encoder: non-ASCII and `"&'+<>` and backquote as
    /// `\uXXXX` (upper case).
    DotNet,
}

/// A serialiser's output style.
#[derive(Clone, Copy)]
pub(super) struct Style {
    indent: &'static str,
    item_separator: &'static str,
    key_separator: &'static str,
    escape: Escape,
    /// Numbers as `JSON.stringify` prints the `f64` (else as written).
    js_numbers: bool,
    /// Integer-like keys first, ascending (JavaScript objects).
    js_key_order: bool,
}

impl Style {
    /// `JSON.stringify(JSON.parse(text), null, indent)`.
    pub(super) const fn javascript(indent: &'static str) -> Self {
        Style {
            indent,
            item_separator: ",",
            key_separator: if indent.is_empty() { ":" } else { ": " },
            escape: Escape::JavaScript,
            js_numbers: true,
            js_key_order: true,
        }
    }

    /// `json.dumps(json.loads(text))` in Python: `", "` and `": "`, ASCII only.
    pub(super) const PYTHON: Style = Style {
        indent: "",
        item_separator: ", ",
        key_separator: ": ",
        escape: Escape::AsciiLower,
        js_numbers: false,
        js_key_order: false,
    };

    /// .NET `System.Text.Json` with its default encoder, compact or indented by two spaces.
    pub(super) const fn dotnet(indented: bool) -> Self {
        Style {
            indent: if indented { "  " } else { "" },
            item_separator: ",",
            key_separator: if indented { ": " } else { ":" },
            escape: Escape::DotNet,
            js_numbers: false,
            js_key_order: false,
        }
    }
}

/// Parses `text` as one JSON value (whitespace around it allowed).
pub(super) struct Parsed(Value);

impl Parsed {
    /// The value of `text`, or `None` when it is not JSON as [`crate::json`] reads it (a lone
    /// surrogate escape, for one) or nests deeper than [`MAX_DEPTH`].
    pub(super) fn new(text: &[u8]) -> Option<Self> {
        let mut scan = Scan::new(text);
        let (_, value) = build(&mut scan, 0)?;
        scan.at_end().then_some(Parsed(value))
    }

    /// The value written in `style`, or `None` when it cannot be written faithfully (a
    /// number JavaScript would print from its `f64` with more than 15 significant digits).
    pub(super) fn write(&self, style: &Style) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        write_value(&self.0, style, 0, &mut out).then_some(out)
    }
}

/// The value at the scanner, as a tree.
fn build(scan: &mut Scan<'_>, depth: usize) -> Option<(Item, Value)> {
    let mut elements = Vec::new();
    let mut members: Vec<(Vec<u16>, Value)> = Vec::new();
    let item = scan
        .value_with(&mut |key, scan| {
            if depth >= MAX_DEPTH {
                return Err(());
            }
            let (item, value) = build(scan, depth + 1).ok_or(())?;
            match key {
                None => elements.push(value),
                Some(key) => {
                    let key: Vec<u16> = key.text().encode_utf16().collect();
                    // A repeated key keeps its first place and takes the last value, as in
                    // JavaScript, Python and .NET's JsonNode.
                    match members.iter_mut().find(|(k, _)| *k == key) {
                        Some(member) => member.1 = value,
                        None => members.push((key, value)),
                    }
                }
            }
            Ok(item)
        })
        .ok()?;
    let value = match item.kind {
        Kind::Null => Value::Null,
        Kind::Bool => Value::Bool(scan.raw(item) == "true"),
        Kind::Number => Value::Number(scan.raw(item).to_owned()),
        Kind::String => Value::String(scan.text(item).encode_utf16().collect()),
        Kind::Array => Value::Array(elements),
        Kind::Object => Value::Object(members),
    };
    Some((item, value))
}

fn newline(style: &Style, depth: usize, out: &mut Vec<u8>) {
    if !style.indent.is_empty() {
        out.push(b'\n');
        for _ in 0..depth {
            out.extend_from_slice(style.indent.as_bytes());
        }
    }
}

/// Writes `value`; `false` when it cannot be written faithfully in `style`.
fn write_value(value: &Value, style: &Style, depth: usize, out: &mut Vec<u8>) -> bool {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(text) if style.js_numbers => match js_number(text) {
            Some(js) => out.extend_from_slice(js.as_bytes()),
            None => return false,
        },
        Value::Number(text) => out.extend_from_slice(text.as_bytes()),
        Value::String(units) => write_string(units, style.escape, out),
        Value::Array(items) if items.is_empty() => out.extend_from_slice(b"[]"),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(style.item_separator.as_bytes());
                }
                newline(style, depth + 1, out);
                if !write_value(item, style, depth + 1, out) {
                    return false;
                }
            }
            newline(style, depth, out);
            out.push(b']');
        }
        Value::Object(members) if members.is_empty() => out.extend_from_slice(b"{}"),
        Value::Object(members) => {
            let order = if style.js_key_order {
                js_order(members)
            } else {
                members.iter().collect()
            };
            out.push(b'{');
            for (i, (key, item)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(style.item_separator.as_bytes());
                }
                newline(style, depth + 1, out);
                write_string(key, style.escape, out);
                out.extend_from_slice(style.key_separator.as_bytes());
                if !write_value(item, style, depth + 1, out) {
                    return false;
                }
            }
            newline(style, depth, out);
            out.push(b'}');
        }
    }
    true
}

/// The members in JavaScript's property order: array-index keys first, ascending, then the
/// others in their order. (An insertion sort: objects are small, and the standard library's
/// sort would add kilobytes to the module.)
fn js_order(members: &[(Vec<u16>, Value)]) -> Vec<&(Vec<u16>, Value)> {
    let mut indexed: Vec<(u64, &(Vec<u16>, Value))> = Vec::new();
    let mut others = Vec::new();
    for member in members {
        match array_index(&member.0) {
            Some(i) => {
                let at = indexed
                    .iter()
                    .position(|(j, _)| *j > i)
                    .unwrap_or(indexed.len());
                indexed.insert(at, (i, member));
            }
            None => others.push(member),
        }
    }
    indexed.into_iter().map(|(_, m)| m).chain(others).collect()
}

/// The key as an array index (`0` to `2^32 - 2`, canonical digits), if it is one.
fn array_index(key: &[u16]) -> Option<u64> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == u16::from(b'0')) {
        return None;
    }
    let mut n: u64 = 0;
    for &unit in key {
        let digit = u8::try_from(unit).ok().filter(u8::is_ascii_digit)?;
        n = n * 10 + u64::from(digit - b'0');
    }
    (n < u64::from(u32::MAX)).then_some(n)
}

fn write_string(units: &[u16], escape: Escape, out: &mut Vec<u8>) {
    let hex = |out: &mut Vec<u8>, unit: u16, upper: bool| {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        out.extend_from_slice(b"\\u");
        for shift in [12, 8, 4, 0] {
            out.push(digits[usize::from((unit >> shift) & 0xf)]);
        }
    };
    out.push(b'"');
    let mut i = 0;
    while i < units.len() {
        let unit = units[i];
        i += 1;
        match unit {
            0x22 if escape == Escape::DotNet => hex(out, unit, true),
            0x22 => out.extend_from_slice(b"\\\""),
            0x5c => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0d => out.extend_from_slice(b"\\r"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x00..=0x1f => hex(out, unit, escape == Escape::DotNet),
            0x26 | 0x27 | 0x2b | 0x3c | 0x3e | 0x60 | 0x7f if escape == Escape::DotNet => {
                hex(out, unit, true);
            }
            0x20..=0x7f => out.push(unit as u8),
            _ if escape == Escape::AsciiLower => hex(out, unit, false),
            _ if escape == Escape::DotNet => hex(out, unit, true),
            _ => {
                // JavaScript: the character itself, or a lone surrogate escaped.
                let pair = units.get(i).copied();
                match char::decode_utf16([unit].into_iter().chain(pair)).next() {
                    Some(Ok(c)) => {
                        i += c.len_utf16() - 1;
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    _ => hex(out, unit, false),
                }
            }
        }
    }
    out.push(b'"');
}

/// The number `literal` as `JSON.stringify(JSON.parse(literal))` writes it (ECMAScript's
/// `Number::toString` of the nearest `f64`), worked out on the decimal text: with at most 15
/// significant digits and a moderate exponent, those digits are exactly the shortest ones
/// that round-trip, which is what ECMAScript prints. `None` for other literals (the diagnosis
/// then skips this style), which keeps float parsing and printing out of the module.
fn js_number(literal: &str) -> Option<String> {
    let (negative, unsigned) = match literal.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, literal),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], unsigned[at + 1..].parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // All the digits, and the decimal exponent of the point after the integer part.
    let all: String = [int, frac].concat();
    let leading = all.bytes().take_while(|&b| b == b'0').count();
    let digits = all[leading..].trim_end_matches('0');
    if digits.is_empty() {
        return Some("0".to_owned()); // 0, -0, 0.000e5
    }
    if digits.len() > 15 {
        return None;
    }
    // `n` as in ECMAScript: value = 0.digits × 10^n.
    let n = exponent + int.len() as i64 - leading as i64;
    // Normal doubles only: below 1e-307 subnormals keep fewer digits; above the largest
    // double (1.7976931348623157e308) a literal overflows to Infinity.
    if !(-306..=309).contains(&n) || n == 309 && !below_max(digits) {
        return None;
    }
    let k = digits.len() as i64;
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    let zeros = |out: &mut String, count: i64| (0..count).for_each(|_| out.push('0'));
    if k <= n && n <= 21 {
        out.push_str(digits);
        zeros(&mut out, n - k);
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        out.extend([int, ".", frac]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        zeros(&mut out, -n);
        out.push_str(digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.extend([".", rest]);
        }
        let e = n - 1;
        out.push_str(if e < 0 { "e-" } else { "e+" });
        push_decimal(&mut out, e.unsigned_abs());
    }
    Some(out)
}

/// Whether `0.digits × 10^309` (at most 15 digits) is below the largest `f64`.
fn below_max(digits: &str) -> bool {
    let mut padded = [b'0'; 15];
    for (slot, d) in padded.iter_mut().zip(digits.bytes()) {
        *slot = d;
    }
    &padded <= b"179769313486231"
}

/// `n` in decimal, without the formatting machinery.
fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(buf[at..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn write(text: &str, style: Style) -> String {
        let written = Parsed::new(text.as_bytes()).expect("json").write(&style);
        String::from_utf8(written.expect("written")).expect("utf8")
    }

    #[test]
    fn numbers_print_as_in_javascript() {
        // Expected values: what `String(x)` gives in Node.
        for (input, expected) in [
            ("0", "0"),
            ("-0", "0"),
            ("1.0", "1"),
            ("1.50", "1.5"),
            ("123456789012345", "123456789012345"),
            ("1234567890123450000000", "1.23456789012345e+21"),
            ("12e2", "1200"),
            ("0.5E-3", "0.0005"),
            ("-0.0", "0"),
            ("100", "100"),
            ("1e+300", "1e+300"),
            ("-1e308", "-1e+308"),
            ("1.79769313486231e308", "1.79769313486231e+308"),
            ("-2.5e-300", "-2.5e-300"),
            ("1e21", "1e+21"),
            ("1.5e21", "1.5e+21"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("1.25e-7", "1.25e-7"),
            ("-42", "-42"),
            ("0.1", "0.1"),
        ] {
            assert_eq!(write(input, Style::javascript("")), expected, "{input}");
        }
        // Beyond 15 significant digits, or below the normal range, the f64 decides: the style
        // is skipped, not guessed. (Numbers beyond the f64 range are not JSON to the scanner.)
        for input in [
            "9007199254740993",
            "0.30000000000000004",
            "[1, 1e-400]",
            "1e-310",
        ] {
            let parsed = Parsed::new(input.as_bytes()).expect("json");
            assert!(parsed.write(&Style::javascript("")).is_none(), "{input}");
            assert!(parsed.write(&Style::PYTHON).is_some(), "{input}");
        }
    }

    #[test]
    fn javascript_style_matches_json_stringify() {
        // Expected values: JSON.stringify(JSON.parse(input)) and with an indent of 2, in Node.
        let input = r#" { "b" : [1, {"x":null}], "10": true, "2": "\u00e9\ud83d\ude00\u0001\/", "b": [] , "e": {} } "#;
        assert_eq!(
            write(input, Style::javascript("")),
            "{\"2\":\"é😀\\u0001/\",\"10\":true,\"b\":[],\"e\":{}}"
        );
        assert_eq!(
            write(r#"{"a":[1,{"b":2}],"c":{}}"#, Style::javascript("  ")),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": 2\n    }\n  ],\n  \"c\": {}\n}"
        );
    }

    #[test]
    fn python_and_dotnet_styles() {
        let input = r#"{"name":"Müller & Søn <x>","n":1.50}"#;
        assert_eq!(
            write(input, Style::PYTHON),
            r#"{"name": "M\u00fcller & S\u00f8n <x>", "n": 1.50}"#
        );
        assert_eq!(
            write(input, Style::dotnet(false)),
            r#"{"name":"M\u00FCller \u0026 S\u00F8n \u003Cx\u003E","n":1.50}"#
        );
    }

    #[test]
    fn what_is_not_json_is_refused() {
        for input in [
            "",
            "{",
            "[1,]",
            "{\"a\"}",
            "01",
            "1.",
            "\"\\x\"",
            "\"\\ud800\"",
            "nul",
            "[1] x",
            "\"\u{1}\"",
        ] {
            assert!(Parsed::new(input.as_bytes()).is_none(), "{input:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(Parsed::new(deep.as_bytes()).is_none());
        assert!(Parsed::new(&[b'"', 0xff, b'"']).is_none());
    }
}
