//! RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2), over the raw body bytes,
//! with one key or a set of keys (rotation), then the event and its replay window.
//!
//! The check rebuilds the one valid encoded message, `00 01 FF..FF 00 DigestInfo(SHA-256) H`,
//! and compares it whole with what the signature decrypts to: no BER variants of DigestInfo,
//! no missing NULL, no bytes hidden in the padding can pass (the class of Bleichenbacher-2006
//! forgeries that lenient parsers of the encoded message allow).

use sha2::Sha256;

use crate::diagnose::{
    find_body_change, sha256_finish, sha256_of, sha256_update, Diagnosis, Mismatch, Search,
    BODY_HINT, BODY_NOT_SEARCHED_HINT, KEYS_HINT, KEY_HINT, MAX_DIAGNOSED_BODY_BYTES,
};
use crate::error::{Error, ErrorCode};
use crate::event::{check_event, parse_event, parse_utc_millis, Checked, Event};
use crate::json::{Item, Kind, Scan};
use crate::key::PublicKey;
use crate::signature::decode_signature;

/// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32 bytes) }`
/// up to the hash itself (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// The largest body accepted unless [`Verifier::max_body_bytes`] says otherwise: Zentitle's
/// events are a few kilobytes, and hashing is the one cost that grows with the request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// How far in the future a signed `eventDate` may be before it is `future_event`: clocks of
/// Zentitle and of the receiver are not exactly in step.
pub const FUTURE_SKEW_SECONDS: u64 = 300;

/// Verifies Zentitle webhook signatures with one account key, or several during a rotation.
///
/// Build it once (key parsing and the per-key constants cost more than a verification) and
/// share it across requests.
#[derive(Clone, Debug)]
pub struct Verifier {
    keys: Vec<(Option<String>, PublicKey)>,
    max_age_seconds: Option<u64>,
    max_body_bytes: usize,
    diagnosis: Diagnosis,
}

/// A verified delivery: the event, and the id of the key that verified it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified<'a> {
    /// The event, validated and typed.
    pub event: Event,
    /// The id given with the key in [`Verifier::with_keys`]; `None` for [`Verifier::new`].
    pub key_id: Option<&'a str>,
}

impl Verifier {
    /// A verifier for one key.
    pub fn new(key: PublicKey) -> Self {
        Verifier {
            keys: vec![(None, key)],
            max_age_seconds: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            diagnosis: Diagnosis::Bounded,
        }
    }

    /// A verifier that accepts a signature by any of `keys`, each with an id that names it in
    /// the result (for a key rotation: the old and the new key for a while).
    ///
    /// # Errors
    /// [`ErrorCode::InvalidArgument`] if `keys` is empty.
    pub fn with_keys(keys: impl IntoIterator<Item = (String, PublicKey)>) -> Result<Self, Error> {
        let keys: Vec<_> = keys.into_iter().map(|(id, key)| (Some(id), key)).collect();
        if keys.is_empty() {
            return Err(Error::with_hint(
                ErrorCode::InvalidArgument,
                "The key set is empty: give at least one key.",
            ));
        }
        Ok(Verifier {
            keys,
            max_age_seconds: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            diagnosis: Diagnosis::Bounded,
        })
    }

    /// Refuses events whose signed `eventDate` is more than `seconds` old (`stale_event`), or
    /// more than [`FUTURE_SKEW_SECONDS`] ahead (`future_event`). Off by default: Zentitle keeps
    /// the original date on retries, so a window shorter than its retry schedule refuses
    /// genuine late retries.
    pub fn with_max_age_seconds(mut self, seconds: Option<u64>) -> Self {
        self.max_age_seconds = seconds;
        self
    }

    /// Refuses bodies longer than `bytes` with [`ErrorCode::BodyTooLarge`], before hashing.
    /// Default [`DEFAULT_MAX_BODY_BYTES`] (1 MiB).
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// How far the diagnosis of `invalid_signature` may search for the change to the body
    /// (see [`Diagnosis`]); [`Diagnosis::Bounded`] by default.
    pub fn with_diagnosis(mut self, diagnosis: Diagnosis) -> Self {
        self.diagnosis = diagnosis;
        self
    }

    /// The replay window in seconds (`maxAgeSeconds` in JavaScript), if one is set.
    pub fn max_age_seconds(&self) -> Option<u64> {
        self.max_age_seconds
    }

    /// The largest body accepted, in bytes.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The keys this verifier checks against, with their ids.
    pub fn keys(&self) -> impl Iterator<Item = (Option<&str>, &PublicKey)> {
        self.keys.iter().map(|(id, key)| (id.as_deref(), key))
    }

    /// Checks that `signature` (the `N-Signature` header value) signs exactly `body` (the raw
    /// request body bytes) under one of the keys; returns that key's id.
    ///
    /// # Errors
    /// [`ErrorCode::MissingSignature`], [`ErrorCode::MalformedSignature`] or
    /// [`ErrorCode::SignatureLength`] when the header value is unusable;
    /// [`ErrorCode::InvalidSignature`] when it does not sign this body under any key;
    /// [`ErrorCode::BodyTooLarge`] for a body over the limit.
    pub fn verify_signature(&self, body: &[u8], signature: &str) -> Result<Option<&str>, Error> {
        self.verify_signature_with(body, signature, self.diagnosis)
    }

    /// [`verify_signature`](Self::verify_signature) with the diagnosis of this call.
    pub(crate) fn verify_signature_with(
        &self,
        body: &[u8],
        signature: &str,
        diagnosis: Diagnosis,
    ) -> Result<Option<&str>, Error> {
        if body.len() > self.max_body_bytes {
            return Err(ErrorCode::BodyTooLarge.into());
        }
        let mut first_error = None;
        let mut decoded: Option<(usize, Vec<u8>)> = None;
        // The body hashed in two steps: the state before its last two bytes is where the
        // diagnosis's trailing-newline candidates start.
        let (start, tail) = body.split_at(body.len().saturating_sub(2));
        let head = sha256_of(start);
        let mut whole = head.clone();
        sha256_update(&mut whole, tail);
        let hash = sha256_finish(whole);
        // The digest a key's signature block carries, when the block is well formed.
        let mut signed_digest: Option<[u8; 32]> = None;
        let mut tried_a_key = false;
        for (id, key) in &self.keys {
            let len = key.signature_len();
            if decoded.as_ref().map(|(l, _)| *l) != Some(len) {
                match decode_signature(signature, len) {
                    Ok(raw) => decoded = Some((len, raw)),
                    Err(e) => {
                        first_error.get_or_insert(e);
                        continue;
                    }
                }
            }
            if let Some((_, raw)) = &decoded {
                tried_a_key = true;
                let Some(em) = key.modulus().pow_be(raw, key.exponent()) else {
                    continue;
                };
                if encoded_message_matches(&em, &hash) {
                    return Ok(id.as_deref());
                }
                if signed_digest.is_none() {
                    signed_digest = signed_digest_of(&em);
                }
            }
        }
        Err(match (tried_a_key, first_error) {
            (false, Some(e)) => e,
            _ => invalid_signature(
                body,
                &head,
                signed_digest.as_ref(),
                self.keys.len(),
                diagnosis,
            ),
        })
    }

    /// Verifies the signature, then parses the event and checks the replay window against
    /// `now_unix_ms` (the current time, from the caller: the core reads no clock).
    ///
    /// # Errors
    /// Those of [`verify_signature`](Self::verify_signature), then of
    /// [`parse_event`](crate::parse_event), then [`ErrorCode::StaleEvent`] or
    /// [`ErrorCode::FutureEvent`] when a replay window is set.
    pub fn verify(
        &self,
        body: &[u8],
        signature: &str,
        now_unix_ms: i64,
    ) -> Result<Verified<'_>, Error> {
        self.verify_with_max_age(body, signature, now_unix_ms, self.max_age_seconds)
    }

    /// [`verify`](Self::verify) with a replay window for this call only (`None`: off).
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_with_max_age(
        &self,
        body: &[u8],
        signature: &str,
        now_unix_ms: i64,
        max_age_seconds: Option<u64>,
    ) -> Result<Verified<'_>, Error> {
        let key_id = self.verify_signature(body, signature)?;
        let event = parse_event(body)
            .map_err(|e| in_window_first(e, body, now_unix_ms, max_age_seconds))?;
        if let Some(max_age) = max_age_seconds {
            check_age(event.event_date_unix_ms, now_unix_ms, max_age)?;
        }
        Ok(Verified { event, key_id })
    }

    /// [`verify_with_max_age`](Self::verify_with_max_age) without building the [`Event`]: the
    /// signature, then the checks of [`parse_event`] over the bytes, then the replay window.
    /// The WebAssembly boundary's path (the engine's `JSON.parse` builds the value).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn check(
        &self,
        body: &[u8],
        signature: &str,
        now_unix_ms: i64,
        max_age_seconds: Option<u64>,
        diagnosis: Diagnosis,
    ) -> Result<(Option<&str>, Checked), Error> {
        let key_id = self.verify_signature_with(body, signature, diagnosis)?;
        let checked = check_event(body)
            .map_err(|e| in_window_first(e, body, now_unix_ms, max_age_seconds))?;
        if let Some(max_age) = max_age_seconds {
            check_age(checked.event_date_unix_ms, now_unix_ms, max_age)?;
        }
        Ok((key_id, checked))
    }
}

/// The replay window applies to every verified event, whatever its payload: when a signed
/// body is refused as an event (`invalid_event`: a payload that does not fit its code, which
/// callers may still accept as an unfit event) but carries a valid `eventDate`, a date outside
/// the window is the error instead. Without this, an old signed event with an unfit payload
/// would pass a window that refuses its fitting twin.
fn in_window_first(error: Error, body: &[u8], now_ms: i64, max_age: Option<u64>) -> Error {
    let (ErrorCode::InvalidEvent, Some(max_age)) = (error.code(), max_age) else {
        return error;
    };
    match signed_event_date(body).map(|date| check_age(date, now_ms, max_age)) {
        Some(Err(outside)) => outside,
        _ => error,
    }
}

/// The `eventDate` member of the outermost object of `body` (the last one, as everywhere), as
/// epoch milliseconds, when it is a valid timestamp.
fn signed_event_date(body: &[u8]) -> Option<i64> {
    let mut scan = Scan::new(body);
    let mut date: Option<Item> = None;
    scan.value_with(&mut |key, scan| {
        let item = scan.value()?;
        if key.is_some_and(|key| key.is("eventDate")) {
            date = Some(item).filter(|item| item.kind == Kind::String);
        }
        Ok(item)
    })
    .ok()?;
    parse_utc_millis(&scan.text(date?))
}

/// `stale_event` if `event_ms` is more than `max_age` seconds before `now_ms`; `future_event`
/// if it is more than [`FUTURE_SKEW_SECONDS`] after.
pub(crate) fn check_age(event_ms: i64, now_ms: i64, max_age_seconds: u64) -> Result<(), Error> {
    let age_ms = i128::from(now_ms) - i128::from(event_ms);
    if age_ms > i128::from(max_age_seconds) * 1000 {
        return Err(ErrorCode::StaleEvent.into());
    }
    if -age_ms > i128::from(FUTURE_SKEW_SECONDS) * 1000 {
        return Err(ErrorCode::FutureEvent.into());
    }
    Ok(())
}

/// `invalid_signature` with its diagnosis (see [`crate::diagnose`]): `signed_digest` is the
/// digest in a key's well-formed signature block, if any key gave one; `head` the hash state
/// of the body without its last two bytes.
fn invalid_signature(
    body: &[u8],
    head: &Sha256,
    signed_digest: Option<&[u8; 32]>,
    keys: usize,
    diagnosis: Diagnosis,
) -> Error {
    let Some(digest) = signed_digest else {
        return Error::diagnosed(
            Mismatch::Key,
            None,
            if keys > 1 { KEYS_HINT } else { KEY_HINT },
        );
    };
    let search = match find_body_change(body, head, digest, diagnosis).0 {
        Search::Found(change, hint) => return Error::diagnosed(Mismatch::Body, Some(change), hint),
        search => search,
    };
    let hint = if body.is_empty() {
        "The body is empty: was it read (consumed) by a body parser before it reached the verifier?"
    } else if body.starts_with(b"\xef\xbb\xbf") {
        "The body starts with a byte-order mark (BOM), which Zentitle does not send: pass the bytes exactly as received."
    } else if body == b"[object Object]" {
        "The body is the text \"[object Object]\": a parsed object was turned into a string. Pass the raw body."
    } else if search == Search::Stopped
        && diagnosis != Diagnosis::Off
        && body.len() <= MAX_DIAGNOSED_BODY_BYTES
    {
        BODY_NOT_SEARCHED_HINT
    } else {
        BODY_HINT
    };
    Error::diagnosed(Mismatch::Body, None, hint)
}

/// The SHA-256 digest in `em` when it is a well-formed PKCS#1 v1.5 block for SHA-256:
/// `00 01 FF..FF 00 || DigestInfo prefix || digest`, at least 8 bytes of `FF`.
fn signed_digest_of(em: &[u8]) -> Option<[u8; 32]> {
    let digest_at = em.len().checked_sub(32)?;
    let digest: [u8; 32] = em.get(digest_at..)?.try_into().ok()?;
    encoded_message_matches(em, &digest).then_some(digest)
}

/// RSASSA-PKCS1-v1_5 with SHA-256: `true` iff `signature` (exactly the modulus length) is
/// valid for `message`. (The fuzz targets' entry point; [`Verifier`] does the same steps.)
#[cfg(feature = "fuzzing")]
pub fn verify_pkcs1v15_sha256(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    let Some(em) = key.modulus().pow_be(signature, key.exponent()) else {
        return false;
    };
    let hash = Sha256::digest(message);
    encoded_message_matches(&em, &hash)
}

/// `em == 00 01 FF..FF 00 || DigestInfo prefix || hash`, with at least 8 bytes of `FF`.
fn encoded_message_matches(em: &[u8], hash: &[u8]) -> bool {
    let tail = SHA256_DIGEST_INFO_PREFIX.len() + hash.len();
    let Some(ps_len) = em.len().checked_sub(3 + tail) else {
        return false;
    };
    if ps_len < 8 {
        return false;
    }
    let expected = [0x00u8, 0x01]
        .iter()
        .chain(core::iter::repeat(&0xffu8).take(ps_len))
        .chain(&[0x00])
        .chain(&SHA256_DIGEST_INFO_PREFIX)
        .chain(hash);
    em.iter().eq(expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn em(k: usize, hash: &[u8]) -> Vec<u8> {
        let mut v = vec![0x00, 0x01];
        v.resize(k - 3 - 19 - 32 + 2, 0xff);
        v.push(0);
        v.extend_from_slice(&SHA256_DIGEST_INFO_PREFIX);
        v.extend_from_slice(hash);
        v
    }

    #[test]
    fn the_exact_encoding_matches() {
        let h = [7u8; 32];
        assert!(encoded_message_matches(&em(256, &h), &h));
    }

    #[test]
    fn every_single_byte_change_is_refused() {
        let h = [7u8; 32];
        let good = em(256, &h);
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            assert!(!encoded_message_matches(&bad, &h), "byte {i}");
        }
    }

    #[test]
    fn short_padding_and_short_blocks_are_refused() {
        let h = [7u8; 32];
        assert!(!encoded_message_matches(&em(256, &h)[..60], &h));
        assert!(!encoded_message_matches(&[], &h));
    }

    #[test]
    fn replay_window_boundaries() {
        let t = 1_700_000_000_000i64;
        let code = |event: i64, now: i64| check_age(event, now, 300).err().map(|e| e.code());
        assert_eq!(code(t, t), None);
        assert_eq!(code(t, t + 300_000), None, "exactly max age is accepted");
        assert_eq!(code(t, t + 300_001), Some(ErrorCode::StaleEvent));
        assert_eq!(
            code(t + 300_000, t),
            None,
            "exactly the skew ahead is accepted"
        );
        assert_eq!(code(t + 300_001, t), Some(ErrorCode::FutureEvent));
        assert_eq!(
            check_age(i64::MIN, i64::MAX, u64::MAX)
                .err()
                .map(|e| e.code()),
            None
        );
        assert_eq!(
            check_age(i64::MAX, i64::MIN, 0).err().map(|e| e.code()),
            Some(ErrorCode::FutureEvent)
        );
    }
}
