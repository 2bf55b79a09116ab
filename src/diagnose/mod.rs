//! Why a signature did not verify: RSA lets the verifier recover what was signed.
//!
//! `s^e mod n` is the PKCS#1 v1.5 block the signer built. When it is well formed (padding and
//! the SHA-256 `DigestInfo`) but its digest is not the body's, the key is right and the body
//! changed ([`Mismatch::Body`]); the usual transformations of a received body are then tried,
//! and the one whose digest is the signed one is named ([`BodyChange`]). When the block is not
//! well formed, another key made the signature, or it was damaged ([`Mismatch::Key`]).
//!
//! Diagnostic only: it runs after a verification failed and can never turn a refusal into an
//! acceptance. Its cost is bounded: one modular exponentiation per key (the one verification
//! already does) and, when the key is right, at most [`MAX_TRIES`] SHA-256 digests of bodies
//! up to [`MAX_DIAGNOSED_BODY_BYTES`].

mod charset;
mod json;

use sha2::{Digest, Sha256};

use json::{Parsed, Style};

pub(crate) use crate::error::{BodyChange, Mismatch};

/// Bodies longer than this get the mismatch but no search for the change (Zentitle's events
/// are a few kilobytes).
pub const MAX_DIAGNOSED_BODY_BYTES: usize = 64 * 1024;

/// The most candidate bodies hashed for one diagnosis.
pub const MAX_TRIES: usize = 17;

/// The hint when the key is right and no known change explains the body.
pub(crate) const BODY_HINT: &str = "The key made this signature, but over other bytes: the body changed between Zentitle and the verifier. Pass the raw request body, byte for byte, before any parsing or decoding.";

/// The hint when the signature is not one of this key's.
pub(crate) const KEY_HINT: &str = "The signature was not made with this key: check that the key is this Zentitle account's and environment's (another tenant's key, or the test and production keys swapped), or the signature was damaged on the way.";

/// The hint with several keys.
pub(crate) const KEYS_HINT: &str = "The signature was not made with any of these keys: check that they are this Zentitle account's and environment's (another tenant's key, or the test and production keys swapped), or the signature was damaged on the way.";

/// The change to `body` whose undoing gives bytes with `signed_digest`, with its hint.
///
/// Candidates are made and hashed one at a time, most common accidents first, so that at most
/// one of them is held in memory.
pub(crate) fn find_body_change(
    body: &[u8],
    signed_digest: &[u8],
) -> Option<(BodyChange, &'static str)> {
    use BodyChange::*;
    if body.len() > MAX_DIAGNOSED_BODY_BYTES {
        return None;
    }
    let mut tries = 0;
    let mut matches = |bytes: Option<Vec<u8>>| {
        bytes.is_some_and(|bytes| {
            tries += 1;
            debug_assert!(tries <= MAX_TRIES);
            bytes != body && Sha256::digest(&bytes).as_slice() == signed_digest
        })
    };
    let strip = |suffix: &[u8]| body.strip_suffix(suffix).map(<[u8]>::to_vec);
    if matches(strip(b"\r\n").or_else(|| strip(b"\n"))) {
        return Some((TrailingNewline, "A line break was added at the end of the body (a file, a here-document, a proxy or logger): the signed bytes end without it. Pass the body exactly as received."));
    }
    if matches(Some([body, b"\n"].concat())) {
        return Some((TrailingNewline, "The body lost the line break it ended with (a `.trim()` or a line-based reader): the signed bytes end with a newline. Pass the body exactly as received."));
    }
    if body.windows(2).any(|w| w == b"\r\n") {
        if matches(Some(replace(body, b"\r\n", b"\n"))) {
            return Some((LineEndings, "The body's line endings were converted to CRLF (a Windows tool, a git checkout, a text-mode transfer): the signed bytes have LF. Pass the body exactly as received."));
        }
    } else if body.contains(&b'\n') && matches(Some(replace(body, b"\n", b"\r\n"))) {
        return Some((LineEndings, "The body's CRLF line endings were converted to LF (a text-mode read or copy): the signed bytes have CRLF. Pass the body exactly as received."));
    }
    const BOM: &[u8] = b"\xef\xbb\xbf";
    if let Some(rest) = body.strip_prefix(BOM) {
        if matches(Some(rest.to_vec())) {
            return Some((ByteOrderMark, "A byte-order mark (BOM) was added in front of the body, which Zentitle does not send. Pass the body exactly as received."));
        }
    } else if matches(Some([BOM, body].concat())) {
        return Some((ByteOrderMark, "The body lost the byte-order mark (BOM) it started with: decoding bytes to text (TextDecoder, `response.text()`) drops it. Pass the bytes, not the decoded text."));
    }
    if matches(charset::undo_double_encoding(body)) {
        return Some((Charset, "The body was decoded as Latin-1 or Windows-1252 and encoded again as UTF-8 (text like \"MÃ¼ller\"): Zentitle sends UTF-8. Read the body as bytes, not as text in another charset."));
    }
    if matches(charset::single_byte_to_utf8(body)) {
        return Some((Charset, "The body was re-encoded from UTF-8 to Latin-1 or Windows-1252: Zentitle sends UTF-8. Read the body as bytes, not as text in another charset."));
    }
    let parsed = Parsed::new(body)?;
    for style in [
        Style::javascript(""),
        Style::javascript("  "),
        Style::dotnet(false),
        Style::javascript("    "),
        Style::javascript("\t"),
        Style::dotnet(true),
        Style::PYTHON,
    ] {
        let Some(written) = parsed.write(&style) else {
            continue;
        };
        // Pretty-printed files usually end with a newline.
        let pretty = written.contains(&b'\n');
        if matches(Some(written.clone())) || pretty && matches(Some([&written[..], b"\n"].concat()))
        {
            return Some((ReserializedJson, "The body was parsed and serialised again (`JSON.stringify(req.body)`, a pretty-printer, a logging or body-parsing middleware): the signed bytes are the same JSON written differently. Verify the raw body before any JSON parsing."));
        }
    }
    None
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

    fn found(signed: &[u8], received: &[u8]) -> Option<BodyChange> {
        find_body_change(received, &Sha256::digest(signed)).map(|(change, _)| change)
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
            found(&signed[1..], &body[1..]),
            Some(BodyChange::TrailingNewline),
            "at the limit"
        );
    }
}
