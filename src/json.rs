//! A JSON scanner that builds no tree: it checks the syntax in one pass, reports the members
//! of the outermost object with where their values are, and decodes the strings asked for.
//! The event checks and the JWK reader use it, so that the WebAssembly module carries no
//! general JSON library.
//!
//! It reads JSON as serde_json does: RFC 8259, UTF-8, no lone surrogate escapes, at most 127
//! nested arrays and objects, numbers within the range of an `f64` (those that underflow read
//! as 0). `event::scan`'s differential test holds it to serde_json.

use std::borrow::Cow;

use crate::error::{Error, ErrorCode};

/// serde_json's nesting limit: the 128th nested array or object is refused.
const MAX_DEPTH: u32 = 127;

/// The kind of a JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A value's kind and where it is: for a string, its content between the quotes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    escaped: bool,
}

impl Item {
    /// Where the value is (for a string: its content between the quotes).
    pub(crate) fn span(&self) -> core::ops::Range<usize> {
        self.start..self.end
    }
}

/// A member name, compared with its escapes decoded. Its bytes are those between the quotes,
/// which the scanner has checked to be UTF-8: a comparison needs no second check.
pub(crate) struct Key<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Key<'a> {
    /// The name, escapes decoded.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        let raw = core::str::from_utf8(self.raw).unwrap_or("");
        if self.escaped {
            Cow::Owned(decode(raw))
        } else {
            Cow::Borrowed(raw)
        }
    }

    /// Whether the name is `name`. (Inlined: it runs for each name a member is looked up
    /// against, and most differ in length.)
    #[inline(always)]
    pub(crate) fn is(&self, name: &str) -> bool {
        if self.escaped {
            self.text() == name
        } else {
            self.raw == name.as_bytes()
        }
    }
}

/// The scanner over some text, and its position.
pub(crate) struct Scan<'a> {
    b: &'a [u8],
    at: usize,
    depth: u32,
}

/// `Err(())`: not JSON.
pub(crate) type Scanned<T> = Result<T, ()>;

impl From<()> for Error {
    fn from((): ()) -> Self {
        ErrorCode::InvalidJson.into()
    }
}

impl<'a> Scan<'a> {
    /// A scanner at the start of `b` (any bytes: strings are checked to be UTF-8, and no other
    /// place of JSON text admits a byte above 0x7F).
    pub(crate) fn new(b: &'a [u8]) -> Self {
        Scan { b, at: 0, depth: 0 }
    }

    /// A scanner at `at` in `b`: to read again a value found before (positions stay those of
    /// `b`).
    pub(crate) fn new_at(b: &'a [u8], at: usize) -> Self {
        Scan { b, at, depth: 0 }
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.at == self.b.len()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.b.get(self.at) == Some(&byte);
        self.at += usize::from(hit);
        hit
    }

    /// The source text of `item` (a literal, a number; a string's content, escapes as written).
    pub(crate) fn raw(&self, item: Item) -> &'a str {
        core::str::from_utf8(&self.b[item.start..item.end]).unwrap_or("")
    }

    /// The bytes of the string `item` holds, escapes decoded (no UTF-8 check when it has
    /// none: the scanner has checked the bytes of every string).
    pub(crate) fn bytes(&self, item: Item) -> Cow<'a, [u8]> {
        if item.escaped {
            Cow::Owned(self.text(item).into_owned().into_bytes())
        } else {
            Cow::Borrowed(&self.b[item.start..item.end])
        }
    }

    /// The string `item` holds, escapes decoded.
    pub(crate) fn text(&self, item: Item) -> Cow<'a, str> {
        let raw = core::str::from_utf8(&self.b[item.start..item.end]).unwrap_or("");
        if item.escaped {
            Cow::Owned(decode(raw))
        } else {
            Cow::Borrowed(raw)
        }
    }

    /// One value, of any kind.
    pub(crate) fn value(&mut self) -> Scanned<Item> {
        self.value_with(&mut |_, scan| scan.value())
    }

    /// One value; when it is an object or an array, `inner(key, scan)` scans each member's
    /// value (`key` its name) or each element (`key` `None`) itself, with
    /// [`value`](Self::value) or `value_with` to go further in, and returns its item.
    pub(crate) fn value_with(
        &mut self,
        inner: &mut dyn FnMut(Option<Key<'a>>, &mut Self) -> Scanned<Item>,
    ) -> Scanned<Item> {
        self.skip_whitespace();
        let start = self.at;
        let kind = match *self.b.get(self.at).ok_or(())? {
            b'{' => {
                self.enter()?;
                self.skip_whitespace();
                if !self.eat(b'}') {
                    loop {
                        self.skip_whitespace();
                        let key = self.string()?;
                        self.skip_whitespace();
                        if !self.eat(b':') {
                            return Err(());
                        }
                        inner(
                            Some(Key {
                                raw: &self.b[key.span()],
                                escaped: key.escaped,
                            }),
                            self,
                        )?;
                        self.skip_whitespace();
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(());
                        }
                    }
                }
                self.depth -= 1;
                Kind::Object
            }
            b'[' => {
                self.enter()?;
                self.skip_whitespace();
                if !self.eat(b']') {
                    loop {
                        inner(None, self)?;
                        self.skip_whitespace();
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return Err(());
                        }
                    }
                }
                self.depth -= 1;
                Kind::Array
            }
            b'"' => return self.string(),
            b'n' => self.literal(b"null", Kind::Null)?,
            b't' => self.literal(b"true", Kind::Bool)?,
            b'f' => self.literal(b"false", Kind::Bool)?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return Err(()),
        };
        Ok(Item {
            kind,
            start,
            end: self.at,
            escaped: false,
        })
    }

    fn enter(&mut self) -> Scanned<()> {
        self.at += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(());
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Scanned<Kind> {
        if self.b.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(kind)
        } else {
            Err(())
        }
    }

    /// A number, refused when it is outside the range of an `f64` (serde_json's "number out
    /// of range"); those that underflow read as 0 and are accepted.
    fn number(&mut self) -> Scanned<Kind> {
        self.eat(b'-');
        let int_start = self.at;
        if !self.eat(b'0') {
            if !matches!(self.b.get(self.at), Some(b'1'..=b'9')) {
                return Err(());
            }
            self.digits();
        }
        let int_end = self.at;
        let mut frac = (self.at, self.at);
        if self.eat(b'.') {
            let from = self.at;
            if self.digits() == 0 {
                return Err(());
            }
            frac = (from, self.at);
        }
        let mut exponent: i64 = 0;
        if self.eat(b'e') || self.eat(b'E') {
            let negative = !self.eat(b'+') && self.eat(b'-');
            let from = self.at;
            if self.digits() == 0 {
                return Err(());
            }
            for &d in &self.b[from..self.at] {
                exponent = (exponent * 10 + i64::from(d - b'0')).min(1 << 40);
            }
            if negative {
                exponent = -exponent;
            }
        }
        let int = &self.b[int_start..int_end];
        let frac = &self.b[frac.0..frac.1];
        if too_large(int, frac, exponent) {
            return Err(());
        }
        Ok(Kind::Number)
    }

    fn digits(&mut self) -> usize {
        let from = self.at;
        while self.b.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        self.at - from
    }

    /// A string: checks escapes (surrogates paired) and control characters; the text is UTF-8
    /// already.
    fn string(&mut self) -> Scanned<Item> {
        if !self.eat(b'"') {
            return Err(());
        }
        let start = self.at;
        let mut escaped = false;
        let mut high = false;
        loop {
            let (end, run_high) = plain_run_end(self.b, self.at);
            self.at = end;
            high |= run_high;
            match *self.b.get(self.at).ok_or(())? {
                b'"' => {
                    let end = self.at;
                    // The only place bytes above 0x7F may be: they must be UTF-8.
                    if high && core::str::from_utf8(&self.b[start..end]).is_err() {
                        return Err(());
                    }
                    self.at += 1;
                    return Ok(Item {
                        kind: Kind::String,
                        start,
                        end,
                        escaped,
                    });
                }
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match *self.b.get(self.at).ok_or(())? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(());
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                // A high surrogate must be followed by a low one.
                                if !(self.eat(b'\\') && self.b.get(self.at) == Some(&b'u')) {
                                    return Err(());
                                }
                                if !(0xDC00..0xE000).contains(&self.hex4()?) {
                                    return Err(());
                                }
                            }
                        }
                        _ => return Err(()),
                    }
                }
                0x00..=0x1f => return Err(()),
                _ => self.at += 1,
            }
        }
    }

    /// `uXXXX` at the cursor: the code unit.
    fn hex4(&mut self) -> Scanned<u32> {
        let digits = self.b.get(self.at + 1..self.at + 5).ok_or(())?;
        let mut unit = 0;
        for &d in digits {
            unit = unit * 16 + char::from(d).to_digit(16).ok_or(())?;
        }
        self.at += 5;
        Ok(unit)
    }
}

/// Where the run of plain string bytes from `at` ends: at the next quote, backslash or control
/// character (or the end); and whether the run has a byte above 0x7F (only then must the
/// string be checked for UTF-8). Eight bytes at a time while it can (SWAR: in `(x - n) & !x`,
/// with `n` in every byte, the high bit of a byte is set where a byte of `x` is below `n`, and
/// perhaps in bytes above such a byte, through the borrow, but never below the first: so
/// `x ^ pattern` below 1 finds the pattern, and the lowest flagged byte is the first special
/// one). The three tests share one mask; the high bits of the plain bytes are gathered on the
/// way. The last few bytes of the input, fewer than eight, are read one at a time.
fn plain_run_end(b: &[u8], mut at: usize) -> (usize, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let specials = |x: u64| {
        let quote = x ^ (ONES * 0x22);
        let backslash = x ^ (ONES * 0x5c);
        (x.wrapping_sub(ONES * 0x20) & !x
            | quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash)
            & HIGHS
    };
    let mut high = 0u64;
    while let Some(chunk) = b.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        let found = specials(word);
        if found != 0 {
            // The bytes below the first special one (little-endian: the low ones).
            let plain = found.trailing_zeros() / 8;
            high |= word & ((1u64 << (plain * 8)) - 1);
            return (at + plain as usize, high & HIGHS != 0);
        }
        high |= word;
        at += 8;
    }
    while let Some(&c) = b.get(at) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        high |= u64::from(c);
        at += 1;
    }
    (at, high & HIGHS != 0)
}

/// The largest `f64` is 1.797...e308: a number at or above the midpoint to the next power of
/// two, 1.7976931348623158079...e308, overflows (compared on 20 significant digits).
fn too_large(int: &[u8], frac: &[u8], exponent: i64) -> bool {
    const LIMIT: [u8; 20] = *b"17976931348623158079";
    let leading = int.iter().chain(frac).take_while(|&&d| d == b'0').count();
    if leading == int.len() + frac.len() {
        return false; // zero, whatever the exponent
    }
    // value = 0.significant × 10^n
    let n = int.len() as i64 - leading as i64 + exponent;
    if n != 309 {
        return n > 309;
    }
    let mut head = [b'0'; 20];
    for (slot, &d) in head.iter_mut().zip(int.iter().chain(frac).skip(leading)) {
        *slot = d;
    }
    head >= LIMIT
}

/// The text of a string's content with its escapes decoded (the content is valid).
fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let unit = match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD)
            }
            Some('b') => 0x08,
            Some('f') => 0x0c,
            Some('n') => 0x0a,
            Some('r') => 0x0d,
            Some('t') => 0x09,
            Some(other) => u32::from(other),
            None => break,
        };
        match (pending_high.take(), unit) {
            (None, 0xD800..=0xDBFF) => pending_high = Some(unit),
            (Some(high), 0xDC00..=0xDFFF) => {
                let code = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            (_, unit) => out.push(char::from_u32(unit).unwrap_or('\u{FFFD}')),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_plain_run_stops_at_the_first_special_byte_wherever_it_is() {
        for special in [b'"', b'\\', 0x00, 0x1f] {
            for len in 0..40 {
                for at in 0..=len {
                    let mut b = vec![b'a'; len];
                    // bytes just around the bounds must not stop it
                    for (i, c) in b.iter_mut().enumerate() {
                        *c = [b'a', 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0x80, 0xff][i % 9];
                    }
                    if at < len {
                        b[at] = special;
                    }
                    for start in 0..=at {
                        assert_eq!(
                            plain_run_end(&b, start),
                            (at, b[start..at].iter().any(|&c| c >= 0x80)),
                            "{special} at {at} of {len}, from {start}"
                        );
                    }
                    // a second special byte after the first does not move the stop
                    if at + 1 < len {
                        b[len - 1] = b'"';
                        assert_eq!(
                            plain_run_end(&b, 0).0,
                            at,
                            "{special} at {at} of {len}, another after"
                        );
                    }
                }
            }
        }
    }
}
