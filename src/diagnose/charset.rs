//! The two charset accidents of a received body, undone: UTF-8 bytes read as Windows-1252
//! (or Latin-1) and encoded again as UTF-8 ("MÃ¼ller"), and UTF-8 text encoded as
//! Windows-1252 (or Latin-1) instead.

/// Windows-1252's characters for bytes 0x80..=0x9F (WHATWG: the five unassigned bytes map to
/// the C1 control of the same value).
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// The character Windows-1252 gives `byte`.
fn cp1252_char(byte: u8) -> char {
    match byte {
        0x80..=0x9f => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// The byte Windows-1252 (or Latin-1) writes `c` as, if any.
fn cp1252_byte(c: char) -> Option<u8> {
    if let Some(i) = CP1252_HIGH.iter().position(|&h| h == c) {
        return Some(0x80 + i as u8);
    }
    u8::try_from(u32::from(c)).ok()
}

/// Undoes a double encoding: `body` is UTF-8 text whose characters are each one byte of the
/// original (it was read as Windows-1252 or Latin-1, then written as UTF-8). `None` when the
/// body is ASCII (nothing to undo) or a character has no single-byte form.
pub(super) fn undo_double_encoding(body: &[u8]) -> Option<Vec<u8>> {
    if body.is_ascii() {
        return None;
    }
    core::str::from_utf8(body)
        .ok()?
        .chars()
        .map(cp1252_byte)
        .collect()
}

/// Undoes a single-byte encoding: `body`'s bytes are Windows-1252 (or Latin-1) text, the
/// original was that text in UTF-8. `None` when the body is ASCII.
pub(super) fn single_byte_to_utf8(body: &[u8]) -> Option<Vec<u8>> {
    if body.is_ascii() {
        return None;
    }
    Some(
        body.iter()
            .map(|&b| cp1252_char(b))
            .collect::<String>()
            .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn both_accidents_are_undone() {
        let original = "Müller – 5 €".as_bytes();
        // Read as Windows-1252, written as UTF-8.
        let doubled: String = original.iter().map(|&b| cp1252_char(b)).collect();
        assert_eq!(doubled, "MÃ¼ller â€“ 5 â‚¬");
        assert_eq!(
            undo_double_encoding(doubled.as_bytes()).as_deref(),
            Some(original)
        );
        // Written as Windows-1252 instead of UTF-8.
        let single: Vec<u8> = "Müller – 5 €"
            .chars()
            .map(|c| cp1252_byte(c).expect("cp1252"))
            .collect();
        assert_eq!(single, b"M\xfcller \x96 5 \x80");
        assert_eq!(single_byte_to_utf8(&single).as_deref(), Some(original));
        assert_eq!(undo_double_encoding(b"ascii"), None);
        assert_eq!(undo_double_encoding("株".as_bytes()), None);
    }
}
