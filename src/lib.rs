//! Verify the webhooks Zentitle2 sends, and read their bodies.
//!
//! Zentitle2 signs each webhook body with the account's RSA key (RSASSA-PKCS1-v1_5 with
//! SHA-256) and sends the base64 signature in the `N-Signature` header. This crate checks
//! that signature over the raw body bytes, with a key in any form the account's key is held
//! in (the modulus the Zentitle UI shows, a JWK, PEM or DER), then validates the event and
//! types its payload by event code ([`Verifier::verify`]).
//!
//! ```
//! use zentitle_webhooks::{PublicKey, Verifier, ErrorCode};
//!
//! # let modulus = include_str!("../tests/fixtures/keys/rsa2048.modulus.txt");
//! # let body = include_bytes!("../tests/fixtures/bodies/event.json");
//! # let signature = include_str!("../tests/fixtures/doc-signature.txt");
//! // Once, at start-up: the "RSA Modulus (n)" from Zentitle, a JWK, or a PEM.
//! let verifier = Verifier::new(PublicKey::parse(modulus)?);
//!
//! // Per request: the raw body bytes and the N-Signature header value.
//! verifier.verify_signature(body, signature)?;
//!
//! // Anything else is refused with a stable code.
//! let err = verifier.verify_signature(b"{}", signature).unwrap_err();
//! assert_eq!(err.code(), ErrorCode::InvalidSignature);
//! assert_eq!(err.code().as_str(), "invalid_signature");
//! # Ok::<(), zentitle_webhooks::Error>(())
//! ```
//!
//! The core is plain Rust with no clock, no randomness and no JavaScript: it builds for any
//! target. The `wasm32` build adds the plain `extern "C"` exports that the npm package's
//! JavaScript layer calls (bytes and numbers only).

// `unsafe_code` and `missing_docs` are set in Cargo.toml's [lints]; `unsafe_code` is allowed
// only on the `#[no_mangle]` exports that `abi`'s `exports!` macro generates, each one call
// (no `unsafe` block anywhere; tests/unsafe_code.rs checks both).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod diagnose;
mod error;
mod event;
mod json;
mod key;
mod montgomery;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod package_sync;
mod signature;
mod verify;

#[cfg(target_arch = "wasm32")]
mod abi;
#[cfg(feature = "testing")]
pub mod testing;

pub use diagnose::{
    Diagnosis, BOUNDED_WORK_BASE, BOUNDED_WORK_PER_BYTE, FULL_WORK_BASE, FULL_WORK_PER_BYTE,
    MAX_DIAGNOSED_BODY_BYTES,
};
pub use error::{BodyChange, Error, ErrorCode, Mismatch};
pub use event::{
    parse_event, parse_utc_millis, CustomerPayload, EntitlementPayload, Event, EventCode, Payload,
    PayloadFamily, SeatPayload,
};
pub use key::{KeyOptions, PublicKey, DEFAULT_MIN_KEY_BITS, MAX_KEY_BITS};
pub use signature::SIGNATURE_HEADER;
pub use verify::{Verified, Verifier, DEFAULT_MAX_BODY_BYTES, FUTURE_SKEW_SECONDS};

/// Entry points for the `cargo fuzz` targets (`fuzz/`): the signature decoder, the raw
/// PKCS#1 v1.5 check and the modular exponentiation. Not part of the API: behind the
/// `fuzzing` feature.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::signature::decode_signature;
    pub use crate::verify::verify_pkcs1v15_sha256;

    /// `base^e mod n` by the crate's Montgomery arithmetic, big-endian, `n.len()` bytes after
    /// its leading zeros are dropped; `None` where the crate refuses (an even modulus or one
    /// under 64 bits, a base of another length or not below `n`, `e = 0`).
    pub fn pow_be(n: &[u8], base: &[u8], e: u32) -> Option<Vec<u8>> {
        crate::montgomery::Modulus::from_be_bytes(n)?.pow_be(base, e)
    }
}
