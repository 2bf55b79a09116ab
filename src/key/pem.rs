//! PEM armour (RFC 7468): the label says what the base64 inside holds.
//!
//! Keys reach webhook handlers through environment variables and secret stores, which often
//! lose the newlines or turn them into a literal `\n`; both are accepted.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::der::{self, RawRsaKey, CERTIFICATE_HINT, PRIVATE_KEY_HINT};
use crate::error::{Error, ErrorCode};

/// What a PEM block held, decoded.
pub(crate) enum PemKind {
    Spki,
    Pkcs1,
}

/// Unwraps a PEM block into its kind and DER bytes.
pub(crate) fn decode(text: &str) -> Result<(PemKind, Vec<u8>), Error> {
    let rest = text
        .strip_prefix("-----BEGIN ")
        .ok_or(ErrorCode::InvalidKey)?;
    let (label, rest) = rest.split_once("-----").ok_or(ErrorCode::InvalidKey)?;
    let kind = match label {
        "PUBLIC KEY" => PemKind::Spki,
        "RSA PUBLIC KEY" => PemKind::Pkcs1,
        "CERTIFICATE" | "TRUSTED CERTIFICATE" | "X509 CERTIFICATE" => {
            return Err(Error::with_hint(ErrorCode::InvalidKey, CERTIFICATE_HINT))
        }
        l if l.ends_with("PRIVATE KEY") => {
            return Err(Error::with_hint(ErrorCode::InvalidKey, PRIVATE_KEY_HINT))
        }
        _ => return Err(ErrorCode::InvalidKey.into()),
    };
    let Some((inner, end)) = rest.split_once("-----END ") else {
        return Err(Error::with_hint(ErrorCode::InvalidKey, TRUNCATED_HINT));
    };
    let Some((end_label, after)) = end.split_once("-----") else {
        return Err(Error::with_hint(ErrorCode::InvalidKey, TRUNCATED_HINT));
    };
    if end_label != label {
        return Err(Error::with_hint(ErrorCode::InvalidKey, LABEL_MISMATCH_HINT));
    }
    if !is_blank(after) {
        return Err(Error::with_hint(
            ErrorCode::InvalidKey,
            if after.contains("-----BEGIN") {
                MORE_THAN_ONE_HINT
            } else {
                TRAILING_TEXT_HINT
            },
        ));
    }
    let der = STANDARD
        .decode(compact(inner).as_bytes())
        .map_err(|_| Error::with_hint(ErrorCode::InvalidKey, TRUNCATED_HINT))?;
    Ok((kind, der))
}

/// Reads the key integers out of a PEM block's DER, explaining a damaged block.
pub(crate) fn parse_der(kind: PemKind, der_bytes: &[u8]) -> Result<RawRsaKey<'_>, Error> {
    match kind {
        PemKind::Spki => der::parse_spki(der_bytes),
        PemKind::Pkcs1 => der::parse_pkcs1(der_bytes),
    }
    .map_err(|e| {
        if e.hint().is_some() {
            e
        } else {
            Error::with_hint(ErrorCode::InvalidKey, TRUNCATED_HINT)
        }
    })
}

/// Base64 as pasted, without its line breaks: whitespace and the literal `\\n` / `\\r` that
/// secret stores leave behind are dropped.
pub(crate) fn compact(text: &str) -> String {
    text.replace("\\n", "")
        .replace("\\r", "")
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect()
}

/// Whitespace only, counting the literal `\n` and `\r` that secret stores leave behind.
fn is_blank(text: &str) -> bool {
    compact(text).is_empty()
}

const LABEL_MISMATCH_HINT: &str =
    "The PEM block's END line does not match its BEGIN line: it was pasted together from two blocks. Copy the public key's block whole.";

const MORE_THAN_ONE_HINT: &str =
    "The text holds more than one PEM block: pass the public key's block alone.";

const TRAILING_TEXT_HINT: &str =
    "There is text after the PEM block's END line: pass the block alone, from its BEGIN line to its END line.";

const TRUNCATED_HINT: &str =
    "The PEM block is damaged or cut short: copy it whole, from the BEGIN line to the END line.";
