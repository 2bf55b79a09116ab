//! RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2), over the raw body bytes.
//!
//! The check rebuilds the one valid encoded message, `00 01 FF..FF 00 DigestInfo(SHA-256) H`,
//! and compares it whole with what the signature decrypts to: no BER variants of DigestInfo,
//! no missing NULL, no bytes hidden in the padding can pass (the class of Bleichenbacher-2006
//! forgeries that lenient parsers of the encoded message allow).

use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode};
use crate::key::PublicKey;
use crate::signature::decode_signature;

/// DER of `DigestInfo { AlgorithmIdentifier { id-sha256, NULL }, OCTET STRING (32 bytes) }`
/// up to the hash itself (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Verifies Zentitle webhook signatures with one account key.
///
/// Build it once (key parsing and the per-key constants cost more than a verification) and
/// share it across requests.
#[derive(Clone, Debug)]
pub struct Verifier {
    key: PublicKey,
}

impl Verifier {
    /// A verifier for one key.
    pub fn new(key: PublicKey) -> Self {
        Verifier { key }
    }

    /// The key this verifier checks against.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Checks that `signature` (the `N-Signature` header value) signs exactly `body` (the raw
    /// request body bytes).
    ///
    /// # Errors
    /// [`ErrorCode::MissingSignature`], [`ErrorCode::MalformedSignature`] or
    /// [`ErrorCode::SignatureLength`] when the header value is unusable;
    /// [`ErrorCode::InvalidSignature`] when it does not sign this body under this key.
    pub fn verify_signature(&self, body: &[u8], signature: &str) -> Result<(), Error> {
        let raw = decode_signature(signature, self.key.signature_len())?;
        if verify_pkcs1v15_sha256(&self.key, body, &raw) {
            Ok(())
        } else {
            Err(ErrorCode::InvalidSignature.into())
        }
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256: `true` iff `signature` (exactly the modulus length) is
/// valid for `message`.
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
}
