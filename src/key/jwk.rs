//! JSON Web Keys (RFC 7517/7518 §6.3): the form the Management API returns from
//! `GET /api/v1/account/key`, `{"kty":"RSA","n":"...","e":"AQAB"}`.
//!
//! Members other than `kty`, `n` and `e` are ignored; private members (`d`, `p`, ...) are
//! never read, so a private JWK is used as its public half.

use serde::Deserialize;

use crate::error::{Error, ErrorCode};

#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// The base64url `n` and `e` members of an RSA JWK.
pub(crate) struct JwkMembers {
    pub n: String,
    pub e: String,
}

/// Reads a JWK given as JSON text.
pub(crate) fn parse(text: &str) -> Result<JwkMembers, Error> {
    let jwk: Jwk = serde_json::from_str(text).map_err(|_| {
        Error::with_hint(
            ErrorCode::InvalidKey,
            "The key looks like JSON but is not a JWK object: expected {\"kty\":\"RSA\",\"n\":\"...\",\"e\":\"AQAB\"}.",
        )
    })?;
    match (jwk.kty.as_deref(), jwk.n, jwk.e) {
        (Some("RSA"), Some(n), Some(e)) => Ok(JwkMembers { n, e }),
        (Some("RSA"), _, _) => Err(Error::with_hint(
            ErrorCode::InvalidKey,
            "The JWK lacks its \"n\" (modulus) or \"e\" (exponent) member.",
        )),
        _ => Err(Error::with_hint(
            ErrorCode::InvalidKey,
            "The JWK is not an RSA key (\"kty\" must be \"RSA\"); Zentitle signs with RSA.",
        )),
    }
}
