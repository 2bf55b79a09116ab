//! Why a signature did not verify: RSA lets the verifier recover what was signed.
//!
//! `s^e mod n` is the PKCS#1 v1.5 block the signer built. When it is well formed (padding and
//! the SHA-256 `DigestInfo`) but its digest is not the body's, the key is right and the body
//! changed ([`Mismatch::Body`]); the usual transformations of a received body are then tried,
//! and the one whose digest is the signed one is named ([`BodyChange`]). When the block is not
//! well formed, another key made the signature, or it was damaged ([`Mismatch::Key`]).
//!
//! Diagnostic only: it runs after a verification failed and can never turn a refusal into an
//! acceptance. Its cost is bounded, because anyone holding one genuine signature can send it
//! with any body: the mismatch costs nothing beyond the modular exponentiation verification
//! already does; the search for the change hashes candidate bodies (and parses the body once
//! into a tree) within a work limit set by [`Diagnosis`]: by default at most
//! [`BOUNDED_WORK_PER_BYTE`] bytes per body byte plus [`BOUNDED_WORK_BASE`], which keeps a
//! refusal within a small constant factor of an acceptance of the same body; in full (asked
//! for by the caller) at most [`FULL_WORK_PER_BYTE`] per byte plus [`FULL_WORK_BASE`]. Past
//! the limit the search stops and the hint says the body was not fully searched. Bodies over
//! [`MAX_DIAGNOSED_BODY_BYTES`] are not searched.

mod charset;
mod reserialize;
mod work;

use sha2::Sha256;

use reserialize::{Parsed, Style};
use work::Work;
pub(crate) use work::{sha256_finish, sha256_of, sha256_update};

pub(crate) use crate::error::{BodyChange, Mismatch};

/// Bodies longer than this get the mismatch but no search for the change (Zentitle's events
/// are a few kilobytes).
pub const MAX_DIAGNOSED_BODY_BYTES: usize = 64 * 1024;

/// How much a failed verification may spend on finding the change to the body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Diagnosis {
    /// The mismatch only (`body` or `key`, which costs nothing more), no search for the change:
    /// for callers that do not report it (a boolean check).
    Off,
    /// The search within [`BOUNDED_WORK_PER_BYTE`] bytes of work per body byte plus
    /// [`BOUNDED_WORK_BASE`]: a refusal costs a small constant factor of an acceptance of the
    /// same body, whatever its shape. Enough for every change in Zentitle-sized events; past
    /// the limit the hint says the body was not fully searched.
    #[default]
    Bounded,
    /// The search within [`FULL_WORK_PER_BYTE`] bytes per body byte plus [`FULL_WORK_BASE`]:
    /// linear in the body, for a developer who asks why (the CLI, the test kit).
    Full,
}

/// Bytes of work (hashed or parsed) per body byte a [`Diagnosis::Bounded`] search may spend.
pub const BOUNDED_WORK_PER_BYTE: usize = 3;
/// Bytes of work a [`Diagnosis::Bounded`] search may spend whatever the body's length (a
/// modular exponentiation costs about as much as hashing 20 KB).
pub const BOUNDED_WORK_BASE: usize = 32 * 1024;
/// Bytes of work per body byte a [`Diagnosis::Full`] search may spend.
pub const FULL_WORK_PER_BYTE: usize = 64;
/// Bytes of work a [`Diagnosis::Full`] search may spend whatever the body's length.
pub const FULL_WORK_BASE: usize = 1024 * 1024;

impl Diagnosis {
    /// The bytes of work (hashed or parsed) the search may spend on a body of `body_len` bytes.
    pub const fn work_limit(self, body_len: usize) -> usize {
        let (per_byte, base) = match self {
            Diagnosis::Off => return 0,
            Diagnosis::Bounded => (BOUNDED_WORK_PER_BYTE, BOUNDED_WORK_BASE),
            Diagnosis::Full => (FULL_WORK_PER_BYTE, FULL_WORK_BASE),
        };
        body_len.saturating_mul(per_byte).saturating_add(base)
    }

    /// `0` off, `1` bounded, `2` full: the number the WebAssembly exports take.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) const fn from_level(level: u32) -> Self {
        match level {
            0 => Diagnosis::Off,
            1 => Diagnosis::Bounded,
            _ => Diagnosis::Full,
        }
    }
}

/// What the search for the change found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// Undoing this change gives the signed bytes.
    Found(BodyChange, &'static str),
    /// No change tried explains the body, and every one was tried.
    NotFound,
    /// The work limit stopped the search before every change was tried.
    Stopped,
}

/// The hint when the key is right and no known change explains the body.
pub(crate) const BODY_HINT: &str = "The key made this signature, but over other bytes: the body changed between Zentitle and the verifier. Pass the raw request body, byte for byte, before any parsing or decoding.";

/// The hint when the key is right and the search stopped at its work limit.
pub(crate) const BODY_NOT_SEARCHED_HINT: &str = "The key made this signature, but over other bytes: the body changed between Zentitle and the verifier (not diagnosed further: the search for the usual changes stopped at its work limit for this body; the CLI's verify searches in full). Pass the raw request body, byte for byte, before any parsing or decoding.";

/// The hint when the signature is not one of this key's.
pub(crate) const KEY_HINT: &str = "The signature was not made with this key: check that the key is this Zentitle account's and environment's (another tenant's key, or the test and production keys swapped), or the signature was damaged on the way.";

/// The hint with several keys.
pub(crate) const KEYS_HINT: &str = "The signature was not made with any of these keys: check that they are this Zentitle account's and environment's (another tenant's key, or the test and production keys swapped), or the signature was damaged on the way.";

/// The change to `body` whose undoing gives bytes with `signed_digest`, with its hint, and
/// the work spent looking. `head` is the hash state of `body` without its last two bytes (what
/// verification hashed first), so that the trailing-newline candidates cost nothing.
///
/// Candidates are hashed as they are made, most common accidents first, each taken from the
/// work limit of `diagnosis`; none is held whole beyond a body-sized copy.
pub(crate) fn find_body_change(
    body: &[u8],
    head: &Sha256,
    signed_digest: &[u8],
    diagnosis: Diagnosis,
) -> (Search, usize) {
    if body.len() > MAX_DIAGNOSED_BODY_BYTES || diagnosis == Diagnosis::Off {
        return (Search::Stopped, 0);
    }
    let mut work = Work::new(diagnosis.work_limit(body.len()));
    let search = search(body, head, signed_digest, &mut work);
    let search = match search {
        None if work.exhausted => Search::Stopped,
        None => Search::NotFound,
        Some((change, hint)) => Search::Found(change, hint),
    };
    (search, work.spent())
}

fn search(
    body: &[u8],
    head: &Sha256,
    signed_digest: &[u8],
    work: &mut Work,
) -> Option<(BodyChange, &'static str)> {
    use BodyChange::*;
    let signed = |hasher: Sha256| sha256_finish(hasher) == signed_digest;
    // A candidate held as bytes (at most a few times the body): paid for, then hashed.
    let matches = |work: &mut Work, bytes: Option<Vec<u8>>| {
        bytes.is_some_and(|bytes| work.take(bytes.len()) && signed(sha256_of(&bytes)))
    };
    let tail = &body[body.len().saturating_sub(2)..];
    let with = |extra: &[u8]| {
        let mut hasher = head.clone();
        sha256_update(&mut hasher, extra);
        hasher
    };
    let stripped = if tail == b"\r\n" {
        Some(with(b""))
    } else {
        tail.strip_suffix(b"\n").map(with)
    };
    if stripped.is_some_and(signed) {
        return Some((TrailingNewline, "A line break was added at the end of the body (a file, a here-document, a proxy or logger): the signed bytes end without it. Pass the body exactly as received."));
    }
    if signed(with(&[tail, b"\n"].concat())) {
        return Some((TrailingNewline, "The body lost the line break it ended with (a `.trim()` or a line-based reader): the signed bytes end with a newline. Pass the body exactly as received."));
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        if matches(work, Some(replace(body, b"\r\n", b"\n"))) {
            return Some((LineEndings, "The body's line endings were converted to CRLF (a Windows tool, a git checkout, a text-mode transfer): the signed bytes have LF. Pass the body exactly as received."));
        }
    } else if body.contains(&b'\n') && matches(work, Some(replace(body, b"\n", b"\r\n"))) {
        return Some((LineEndings, "The body's CRLF line endings were converted to LF (a text-mode read or copy): the signed bytes have CRLF. Pass the body exactly as received."));
    }
    const BOM: &[u8] = b"\xef\xbb\xbf";
    if let Some(rest) = body.strip_prefix(BOM) {
        if work.take(rest.len()) && signed(sha256_of(rest)) {
            return Some((ByteOrderMark, "A byte-order mark (BOM) was added in front of the body, which Zentitle does not send. Pass the body exactly as received."));
        }
    }
    if !body.is_ascii() && work.affords(3 * body.len()) {
        if matches(work, charset::undo_double_encoding(body)) {
            return Some((Charset, "The body was decoded as Latin-1 or Windows-1252 and encoded again as UTF-8 (text like \"MÃ¼ller\"): Zentitle sends UTF-8. Read the body as bytes, not as text in another charset."));
        }
        if matches(work, charset::single_byte_to_utf8(body)) {
            return Some((Charset, "The body was re-encoded from UTF-8 to Latin-1 or Windows-1252: Zentitle sends UTF-8. Read the body as bytes, not as text in another charset."));
        }
    }
    if let Some(parsed) = Parsed::new(body, work) {
        for style in [
            Style::javascript(""),
            Style::javascript("  "),
            Style::dotnet(false),
            Style::javascript("    "),
            Style::javascript("\t"),
            Style::dotnet(true),
            Style::PYTHON,
        ] {
            let Some(written) = parsed.write(&style, work) else {
                if work.exhausted {
                    break;
                }
                continue;
            };
            // Pretty-printed files usually end with a newline: the same hash state, one byte on.
            let mut with_newline = style.is_indented().then(|| written.clone());
            if signed(written)
                || with_newline.take().is_some_and(|mut h| {
                    sha256_update(&mut h, b"\n");
                    signed(h)
                })
            {
                return Some((ReserializedJson, "The body was parsed and serialised again (`JSON.stringify(req.body)`, a pretty-printer, a logging or body-parsing middleware): the signed bytes are the same JSON written differently. Verify the raw body before any JSON parsing."));
            }
        }
    }
    // Last, as the least likely: a BOM lost in decoding (Zentitle sends none).
    if !body.starts_with(BOM) && work.take(body.len() + BOM.len()) {
        let mut hasher = sha256_of(BOM);
        sha256_update(&mut hasher, body);
        if signed(hasher) {
            return Some((ByteOrderMark, "The body lost the byte-order mark (BOM) it started with: decoding bytes to text (TextDecoder, `response.text()`) drops it. Pass the bytes, not the decoded text."));
        }
    }
    None
}

/// `text` (one JSON value) written again the way Zentitle's .NET serialiser writes it: compact,
/// with non-ASCII characters and `"&'+<>` and backquote as upper-case `\uXXXX` escapes. The
/// test kit's bodies are written so, which makes a re-serialised body differ from the signed
/// one as it does in production. `None` when `text` is not JSON.
#[cfg(feature = "testing")]
pub(crate) fn write_dotnet_json(text: &[u8]) -> Option<Vec<u8>> {
    // The test kit writes its own sample bodies: no work limit applies.
    let mut work = work::Work::new(usize::MAX);
    Parsed::new(text, &mut work)?.write_text(&Style::dotnet(false))
}

/// `body` with every `from` replaced by `to`.
fn replace(body: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    let mut i = 0;
    while i < body.len() {
        if body[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(body[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The search over `received` for the change from `signed`, and the work it spent.
    fn search_with(signed: &[u8], received: &[u8], diagnosis: Diagnosis) -> (Search, usize) {
        let head = sha256_of(&received[..received.len().saturating_sub(2)]);
        find_body_change(
            received,
            &head,
            &sha256_finish(sha256_of(signed)),
            diagnosis,
        )
    }

    fn found(signed: &[u8], received: &[u8]) -> Option<BodyChange> {
        match search_with(signed, received, Diagnosis::Full).0 {
            Search::Found(change, _) => Some(change),
            _ => None,
        }
    }

    /// An event envelope around `payload`, as Zentitle writes it.
    fn envelope(payload: &str) -> String {
        format!("{{\"callAttempt\":1,\"eventCode\":\"entitlement.usage.summary\",\"eventDate\":\"2025-06-06T11:39:22.739326Z\",\"eventId\":\"event_AAAAAAAAAAAAAAAAAAAAAA\",\"payload\":{payload},\"resourceId\":\"ent_AAAAAAAAAAAAAAAAAAAAAA\"}}")
    }

    /// `open`, then `item(i)` for i = 0.. joined by commas while the whole stays within
    /// `size` bytes, then `close`.
    fn fill(open: &str, item: impl Fn(usize) -> String, close: &str, size: usize) -> String {
        let mut out = open.to_owned();
        for i in 0.. {
            let next = item(i);
            if out.len() + next.len() + 1 + close.len() > size {
                break;
            }
            if i > 0 {
                out.push(',');
            }
            out.push_str(&next);
        }
        out + close
    }

    /// The bodies the diagnosis works hardest on (benches/amplification.mjs builds the same).
    fn worst_cases(size: usize) -> Vec<(&'static str, Vec<u8>)> {
        let room = size - envelope("").len();
        let deep = |depth: usize| {
            "[".repeat(depth) + &fill("", |_| "0".into(), "", room - 2 * depth) + &"]".repeat(depth)
        };
        let shapes: Vec<(&str, String)> = vec![
            (
                "many members",
                fill("{", |i| format!("\"k{i}\":0"), "}", room),
            ),
            (
                "integer keys in order",
                fill("{", |i| format!("\"{i}\":0"), "}", room),
            ),
            (
                "repeated keys",
                fill("{", |i| format!("\"k{}\":0", i % 50), "}", room),
            ),
            ("nested 62 deep", deep(62)),
            (
                "a long string of <",
                format!("\"{}\"", "<".repeat(room - 2)),
            ),
            (
                "a long string of é",
                format!("\"{}\"", "é".repeat((room - 2) / 2)),
            ),
            (
                "numbers to re-print",
                fill("[", |_| "1.50".into(), "]", room),
            ),
            ("many small objects", fill("[", |_| "{}".into(), "]", room)),
            ("CRLF lines", fill("[", |_| "\r\n0".into(), "]", room)),
        ];
        shapes
            .into_iter()
            .map(|(name, payload)| (name, envelope(&payload).into_bytes()))
            .collect()
    }

    #[test]
    fn the_work_stays_within_the_limit_for_every_shape() {
        for size in [2048, 16 * 1024, MAX_DIAGNOSED_BODY_BYTES] {
            for (shape, body) in worst_cases(size) {
                assert!(body.len() <= size, "{shape}");
                // A genuine signature over other bytes: this body plus one byte.
                let signed = [&body[..], b"x"].concat();
                for diagnosis in [Diagnosis::Bounded, Diagnosis::Full] {
                    let limit = diagnosis.work_limit(body.len());
                    let (search, spent) = search_with(&signed, &body, diagnosis);
                    assert!(
                        spent <= limit,
                        "{shape} {size} {diagnosis:?}: {spent} > {limit}"
                    );
                    assert!(
                        !matches!(search, Search::Found(..)),
                        "{shape}: nothing to find"
                    );
                    if size == 2048 && diagnosis == Diagnosis::Full {
                        assert_eq!(search, Search::NotFound, "{shape}: searched in full");
                    }
                }
                assert_eq!(
                    search_with(&signed, &body, Diagnosis::Off),
                    (Search::Stopped, 0)
                );
            }
        }
    }

    #[test]
    fn a_bounded_search_finds_every_change_of_an_event_sized_body() {
        // Zentitle's events are a kilobyte or two with a few dozen values: the default search
        // must still name each change.
        let compact = envelope(&fill(
            "{",
            |i| format!("\"seatName{i}\":\"Müller & Søn <build-agent-{i}>\""),
            "}",
            1500,
        ));
        assert!(compact.len() > 1600, "{}", compact.len());
        let parsed = Parsed::new(compact.as_bytes(), &mut Work::new(usize::MAX)).expect("json");
        for style in [
            Style::javascript("    "),
            Style::javascript("\t"),
            Style::dotnet(true),
            Style::PYTHON,
        ] {
            let written = parsed.write_text(&style).expect("written");
            let (search, spent) = search_with(&written, compact.as_bytes(), Diagnosis::Bounded);
            assert!(
                matches!(search, Search::Found(BodyChange::ReserializedJson, _)),
                "{search:?} after {spent}"
            );
        }
        let latin1: Vec<u8> = compact
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
            .collect();
        let (search, _) = search_with(compact.as_bytes(), &latin1, Diagnosis::Bounded);
        assert!(matches!(search, Search::Found(BodyChange::Charset, _)));
    }

    #[test]
    fn the_trailing_newline_costs_no_work() {
        let body = envelope("{}").into_bytes();
        for (signed, received) in [
            ([&body[..], b"\n"].concat(), body.clone()),
            (body.clone(), [&body[..], b"\n"].concat()),
            (body.clone(), [&body[..], b"\r\n"].concat()),
        ] {
            let (search, spent) = search_with(&signed, &received, Diagnosis::Bounded);
            assert!(matches!(
                search,
                Search::Found(BodyChange::TrailingNewline, _)
            ));
            assert_eq!(spent, 0);
        }
    }

    #[test]
    fn each_change_is_named() {
        let compact =
            br#"{"eventCode":"customer.created","payload":{"name":"M\u00fcller","n":1.0}}"#;
        let js_compact =
            "{\"eventCode\":\"customer.created\",\"payload\":{\"name\":\"Müller\",\"n\":1}}";
        let pretty = "{\n  \"eventCode\": \"customer.created\",\n  \"payload\": {\n    \"name\": \"Müller\",\n    \"n\": 1\n  }\n}";
        assert_eq!(
            found(js_compact.as_bytes(), pretty.as_bytes()),
            Some(BodyChange::ReserializedJson)
        );
        assert_eq!(
            found(pretty.as_bytes(), js_compact.as_bytes()),
            Some(BodyChange::ReserializedJson)
        );
        assert_eq!(
            found(format!("{pretty}\n").as_bytes(), js_compact.as_bytes()),
            Some(BodyChange::ReserializedJson)
        );
        assert_eq!(
            found(compact, js_compact.as_bytes()),
            None,
            "Python's ensure_ascii with compact separators is not a style tried"
        );
        let lf = pretty.as_bytes();
        let crlf = replace(lf, b"\n", b"\r\n");
        assert_eq!(found(lf, &crlf), Some(BodyChange::LineEndings));
        assert_eq!(found(&crlf, lf), Some(BodyChange::LineEndings));
        assert_eq!(
            found(lf, &[lf, b"\n"].concat()),
            Some(BodyChange::TrailingNewline)
        );
        assert_eq!(
            found(&[lf, b"\n"].concat(), lf),
            Some(BodyChange::TrailingNewline)
        );
        assert_eq!(
            found(lf, &[b"\xef\xbb\xbf", lf].concat()),
            Some(BodyChange::ByteOrderMark)
        );
        let mojibake: String = js_compact
            .bytes()
            .map(|b| char::from_u32(u32::from(b)).expect("latin-1"))
            .collect();
        assert_eq!(
            found(js_compact.as_bytes(), mojibake.as_bytes()),
            Some(BodyChange::Charset)
        );
        let latin1: Vec<u8> = js_compact
            .chars()
            .map(|c| u8::try_from(u32::from(c)).expect("latin-1"))
            .collect();
        assert_eq!(
            found(js_compact.as_bytes(), &latin1),
            Some(BodyChange::Charset)
        );
        assert_eq!(found(b"{\"a\":1}", b"{\"a\":2}"), None);
    }

    #[test]
    fn large_bodies_are_not_searched() {
        let mut body = vec![b' '; MAX_DIAGNOSED_BODY_BYTES];
        let signed = body.clone();
        body.push(b'\n');
        assert_eq!(found(&signed, &body), None, "one byte over the limit");
        assert_eq!(
            search_with(&signed, &body, Diagnosis::Full),
            (Search::Stopped, 0)
        );
        assert_eq!(
            found(&signed[1..], &body[1..]),
            Some(BodyChange::TrailingNewline),
            "at the limit"
        );
    }
}
