//! JSON written again the way common serialisers write it, for the body diagnosis: a body that
//! a framework parsed and serialised again no longer verifies, and the signed original is often
//! the same JSON in another serialiser's style.
//!
//! A tree built with the crate's scanner ([`crate::json`]; strings kept as UTF-16 code units,
//! numbers as their source text) and a writer per [`Style`] that hashes as it writes (see
//! [`super::work`]). The JavaScript style follows `JSON.stringify(JSON.parse(text))` exactly:
//! integer-like keys first in ascending order, a repeated key keeps its first place and its
//! last value, numbers through an `f64` in ECMAScript's shortest form.
//!
//! Cost: building the tree is linear in the body (repeated keys are found by one sort of each
//! object's members, `O(m log m)`, not by a search per member), and writing is linear in what
//! is written; both are taken from the diagnosis's work limit.

use sha2::Sha256;

use super::work::{heapsort, Sink, Work};
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

    /// Whether the style writes one member or element per line.
    pub(super) const fn is_indented(&self) -> bool {
        !self.indent.is_empty()
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
    /// surrogate escape, for one), nests deeper than [`MAX_DEPTH`], or `work` cannot pay for
    /// it (the body's length).
    pub(super) fn new(text: &[u8], work: &mut Work) -> Option<Self> {
        if !work.take(text.len()) {
            return None;
        }
        let mut scan = Scan::new(text);
        let (_, value) = build(&mut scan, 0, work)?;
        scan.at_end().then_some(Parsed(value))
    }

    /// The hash state of the value written in `style`, or `None` when it cannot be written
    /// faithfully (a number JavaScript would print from its `f64` with more than 15
    /// significant digits) or `work` ran out (then `work.exhausted` is set).
    pub(super) fn write(&self, style: &Style, work: &mut Work) -> Option<Sha256> {
        let mut sink = Sink::new(work);
        if !write_value(&self.0, style, 0, &mut sink) {
            return None;
        }
        sink.finish()
    }

    /// What [`write`](Self::write) hashes, as bytes.
    #[cfg(any(test, feature = "testing"))]
    pub(super) fn write_text(&self, style: &Style) -> Option<Vec<u8>> {
        let mut work = Work::new(usize::MAX);
        let mut sink = Sink::new(&mut work);
        if !write_value(&self.0, style, 0, &mut sink) {
            return None;
        }
        sink.finish_text()
    }
}

/// The value at the scanner, as a tree.
fn build(scan: &mut Scan<'_>, depth: usize, work: &mut Work) -> Option<(Item, Value)> {
    if !work.take(VALUE_COST) {
        return None;
    }
    let mut elements = Vec::new();
    let mut members: Vec<(Vec<u16>, Value)> = Vec::new();
    let item = scan
        .value_with(&mut |key, scan| {
            if depth >= MAX_DEPTH {
                return Err(());
            }
            let (item, value) = build(scan, depth + 1, work).ok_or(())?;
            match key {
                None => elements.push(value),
                Some(key) => members.push((key.text().encode_utf16().collect(), value)),
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
        Kind::Object => Value::Object(without_repeats(members)),
    };
    Some((item, value))
}

/// The members with each repeated key once, in its first place with its last value, as in
/// JavaScript, Python and .NET's JsonNode. One sort of the members' positions by key (ties by
/// position), then one pass over the runs of equal keys: `O(m log m)` comparisons.
fn without_repeats(members: Vec<(Vec<u16>, Value)>) -> Vec<(Vec<u16>, Value)> {
    if members.len() < 2 {
        return members;
    }
    let mut by_key: Vec<usize> = (0..members.len()).collect();
    heapsort(&mut by_key, |&a, &b| {
        (&members[a].0, a) < (&members[b].0, b)
    });
    // For each member: the position whose value it takes (itself, or the last of its run);
    // `usize::MAX` for a repeat that is dropped.
    let mut source: Vec<usize> = (0..members.len()).collect();
    let mut run = 0;
    while run < by_key.len() {
        let mut last = run;
        while last + 1 < by_key.len() && members[by_key[last + 1]].0 == members[by_key[run]].0 {
            last += 1;
        }
        if last > run {
            source[by_key[run]] = by_key[last];
            for &repeat in &by_key[run + 1..=last] {
                source[repeat] = usize::MAX;
            }
        }
        run = last + 1;
    }
    let mut members = members;
    let mut out = Vec::with_capacity(members.len());
    for (i, &from) in source.iter().enumerate() {
        if from != usize::MAX {
            let key = core::mem::take(&mut members[i].0);
            out.push((key, core::mem::replace(&mut members[from].1, Value::Null)));
        }
    }
    out
}

/// What building or writing one value costs beyond its bytes, in bytes of work: a value is
/// an allocation and a few branches, about as much as hashing this many bytes.
const VALUE_COST: usize = 32;

/// Enough indentation for [`MAX_DEPTH`] levels of the widest indent (four spaces).
const SPACES: [u8; 4 * MAX_DEPTH + 4] = [b' '; 4 * MAX_DEPTH + 4];
const TABS: [u8; MAX_DEPTH + 1] = [b'\t'; MAX_DEPTH + 1];

fn newline(style: &Style, depth: usize, out: &mut Sink<'_>) {
    if !style.indent.is_empty() {
        out.push(b'\n');
        let width = style.indent.len() * depth;
        let run = if style.indent == "\t" {
            &TABS[..]
        } else {
            &SPACES[..]
        };
        out.extend(run.get(..width).unwrap_or(run));
    }
}

/// Writes `value`; `false` when it cannot be written faithfully in `style`, or the work limit
/// stopped the sink.
fn write_value(value: &Value, style: &Style, depth: usize, out: &mut Sink<'_>) -> bool {
    out.charge(VALUE_COST);
    match value {
        Value::Null => out.extend(b"null"),
        Value::Bool(b) => out.extend(if *b { b"true" } else { b"false" }),
        Value::Number(text) if style.js_numbers => match js_number(text) {
            Some(js) => out.extend(js.as_bytes()),
            None => return false,
        },
        Value::Number(text) => out.extend(text.as_bytes()),
        Value::String(units) => write_string(units, style.escape, out),
        Value::Array(items) if items.is_empty() => out.extend(b"[]"),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend(style.item_separator.as_bytes());
                }
                newline(style, depth + 1, out);
                if !write_value(item, style, depth + 1, out) {
                    return false;
                }
            }
            newline(style, depth, out);
            out.push(b']');
        }
        Value::Object(members) if members.is_empty() => out.extend(b"{}"),
        Value::Object(members) => {
            let order = if style.js_key_order {
                js_order(members)
            } else {
                members.iter().collect()
            };
            out.push(b'{');
            for (i, (key, item)) in order.into_iter().enumerate() {
                if i > 0 {
                    out.extend(style.item_separator.as_bytes());
                }
                newline(style, depth + 1, out);
                write_string(key, style.escape, out);
                out.extend(style.key_separator.as_bytes());
                if !write_value(item, style, depth + 1, out) {
                    return false;
                }
            }
            newline(style, depth, out);
            out.push(b'}');
        }
    }
    !out.over
}

/// The members in JavaScript's property order: array-index keys first, ascending (one sort),
/// then the others in their order. Keys are unique here ([`without_repeats`]).
fn js_order(members: &[(Vec<u16>, Value)]) -> Vec<&(Vec<u16>, Value)> {
    let mut indexed: Vec<(u64, &(Vec<u16>, Value))> = Vec::new();
    let mut others = Vec::new();
    for member in members {
        match array_index(&member.0) {
            Some(i) => indexed.push((i, member)),
            None => others.push(member),
        }
    }
    heapsort(&mut indexed, |a, b| a.0 < b.0);
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

fn write_string(units: &[u16], escape: Escape, out: &mut Sink<'_>) {
    let hex = |out: &mut Sink<'_>, unit: u16, upper: bool| {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        out.extend(b"\\u");
        for shift in [12, 8, 4, 0] {
            out.push(digits[usize::from((unit >> shift) & 0xf)]);
        }
    };
    out.push(b'"');
    let mut i = 0;
    while i < units.len() && !out.over {
        let unit = units[i];
        i += 1;
        match unit {
            0x22 if escape == Escape::DotNet => hex(out, unit, true),
            0x22 => out.extend(b"\\\""),
            0x5c => out.extend(b"\\\\"),
            0x08 => out.extend(b"\\b"),
            0x0c => out.extend(b"\\f"),
            0x0a => out.extend(b"\\n"),
            0x0d => out.extend(b"\\r"),
            0x09 => out.extend(b"\\t"),
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
                        out.extend(c.encode_utf8(&mut buf).as_bytes());
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

    fn parse(text: &str) -> Parsed {
        Parsed::new(text.as_bytes(), &mut Work::new(usize::MAX)).expect("json")
    }

    fn write(text: &str, style: Style) -> String {
        let written = parse(text).write_text(&style);
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
            let parsed = parse(input);
            assert!(
                parsed.write_text(&Style::javascript("")).is_none(),
                "{input}"
            );
            assert!(parsed.write_text(&Style::PYTHON).is_some(), "{input}");
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
    fn repeated_and_integer_keys_in_large_objects() {
        // 6,000 members, keys repeating every 1,000 and integer-like ones among them, in the
        // order JSON.stringify(JSON.parse(text)) gives: integer keys ascending, then the others
        // where they first appeared, each with its last value.
        let n = 6000;
        let key = |i: usize| {
            if i % 3 == 0 {
                format!("{}", 999 - i % 1000)
            } else {
                format!("k{}", i % 1000)
            }
        };
        let text = format!(
            "{{{}}}",
            (0..n)
                .map(|i| format!("\"{}\":{i}", key(i)))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut integers: Vec<(u64, usize)> = Vec::new();
        let mut others: Vec<(String, usize)> = Vec::new();
        for i in 0..n {
            let k = key(i);
            if let Ok(index) = k.parse::<u64>() {
                match integers.iter_mut().find(|(j, _)| *j == index) {
                    Some(slot) => slot.1 = i,
                    None => integers.push((index, i)),
                }
            } else {
                match others.iter_mut().find(|(j, _)| *j == k) {
                    Some(slot) => slot.1 = i,
                    None => others.push((k, i)),
                }
            }
        }
        integers.sort_unstable();
        let expected = format!(
            "{{{}}}",
            integers
                .iter()
                .map(|(k, v)| format!("\"{k}\":{v}"))
                .chain(others.iter().map(|(k, v)| format!("\"{k}\":{v}")))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert_eq!(write(&text, Style::javascript("")), expected);
        // Python keeps the first place of each key too, without moving integer keys.
        let python = write(&text, Style::PYTHON);
        assert!(
            python.starts_with("{\"999\": 3000, \"k1\": 4001, "),
            "{}",
            &python[..40]
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
            assert!(
                Parsed::new(input.as_bytes(), &mut Work::new(usize::MAX)).is_none(),
                "{input:?}"
            );
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(Parsed::new(deep.as_bytes(), &mut Work::new(usize::MAX)).is_none());
        assert!(Parsed::new(&[b'"', 0xff, b'"'], &mut Work::new(usize::MAX)).is_none());
    }
}
