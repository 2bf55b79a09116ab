//! JSON Web Keys (RFC 7517/7518 §6.3): the form the Management API returns from
//! `GET /api/v1/account/key`, `{"kty":"RSA","n":"...","e":"AQAB"}`.
//!
//! Members other than `kty`, `n` and `e` are ignored; private members (`d`, `p`, ...) are
//! never read, so a private JWK is used as its public half.

use crate::error::{Error, ErrorCode};
use crate::json::{Kind, Scan};

/// The base64url `n` and `e` members of an RSA JWK.
pub(crate) struct JwkMembers {
    pub n: String,
    pub e: String,
}

/// Reads a JWK given as JSON text.
pub(crate) fn parse(text: &str) -> Result<JwkMembers, Error> {
    let not_a_jwk = || {
        Error::with_hint(
            ErrorCode::InvalidKey,
            "The key looks like JSON but is not a JWK object: expected {\"kty\":\"RSA\",\"n\":\"...\",\"e\":\"AQAB\"}.",
        )
    };
    // `kty`, `n` and `e`: each a string or null, at most once; other members are not read.
    const NAMES: [&str; 3] = ["kty", "n", "e"];
    let mut members = [None; 3];
    let mut repeated_or_not_text = false;
    let mut scan = Scan::new(text.as_bytes());
    let root = scan
        .value_with(&mut |key, scan| {
            let item = scan.value()?;
            if let Some(i) = key.and_then(|key| NAMES.iter().position(|n| key.is(n))) {
                repeated_or_not_text |=
                    members[i].is_some() || !matches!(item.kind, Kind::String | Kind::Null);
                members[i] = Some(item);
            }
            Ok(item)
        })
        .map_err(|()| not_a_jwk())?;
    if !scan.at_end() || root.kind != Kind::Object || repeated_or_not_text {
        return Err(not_a_jwk());
    }
    let [kty, n, e] = members.map(|m| m.filter(|i| i.kind == Kind::String).map(|i| scan.text(i)));
    match (kty.as_deref(), n, e) {
        (Some("RSA"), Some(n), Some(e)) => Ok(JwkMembers {
            n: n.into_owned(),
            e: e.into_owned(),
        }),
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
