//! The two DER structures an RSA public key comes in, read strictly:
//! `SubjectPublicKeyInfo` (RFC 5280 §4.1, "BEGIN PUBLIC KEY") and PKCS#1 `RSAPublicKey`
//! (RFC 8017 §A.1.1, "BEGIN RSA PUBLIC KEY").
//!
//! Only definite, minimal lengths and minimal positive INTEGERs are accepted, and nothing may
//! follow a structure: one byte string has one meaning.

use crate::error::{Error, ErrorCode};

const TAG_INTEGER: u8 = 0x02;
const TAG_BIT_STRING: u8 = 0x03;
const TAG_NULL: u8 = 0x05;
const TAG_OID: u8 = 0x06;
const TAG_SEQUENCE: u8 = 0x30;
const TAG_CONTEXT_0: u8 = 0xa0;

/// OID 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The two integers of an RSA public key, big-endian, without sign bytes.
pub(crate) struct RawRsaKey<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
}

const NOT_A_KEY: Error = Error::new(ErrorCode::InvalidKey);

/// Reads a DER public key, SPKI or PKCS#1, whichever it is.
pub(crate) fn parse_public_key(der: &[u8]) -> Result<RawRsaKey<'_>, Error> {
    if let Ok(key) = parse_spki(der) {
        return Ok(key);
    }
    if let Ok(key) = parse_pkcs1(der) {
        return Ok(key);
    }
    Err(explain(der))
}

/// SubjectPublicKeyInfo with the rsaEncryption algorithm.
pub(crate) fn parse_spki(der: &[u8]) -> Result<RawRsaKey<'_>, Error> {
    let body = whole(der, TAG_SEQUENCE)?;
    let (alg, rest) = next(body, TAG_SEQUENCE)?;
    let (bits, rest) = next(rest, TAG_BIT_STRING)?;
    if !rest.is_empty() {
        return Err(NOT_A_KEY);
    }
    let (oid, params) = next(alg, TAG_OID)?;
    if oid != RSA_ENCRYPTION {
        return Err(Error::with_hint(
            ErrorCode::InvalidKey,
            "This public key is not an RSA key; Zentitle signs with RSA.",
        ));
    }
    // The parameters must be NULL; an absent one is tolerated (some encoders drop it).
    if !params.is_empty() {
        let (null, tail) = next(params, TAG_NULL)?;
        if !null.is_empty() || !tail.is_empty() {
            return Err(NOT_A_KEY);
        }
    }
    match bits.split_first() {
        Some((0, key)) => parse_pkcs1(key),
        _ => Err(NOT_A_KEY),
    }
}

/// PKCS#1 RSAPublicKey: `SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
pub(crate) fn parse_pkcs1(der: &[u8]) -> Result<RawRsaKey<'_>, Error> {
    let body = whole(der, TAG_SEQUENCE)?;
    let (n, rest) = next(body, TAG_INTEGER)?;
    let (e, rest) = next(rest, TAG_INTEGER)?;
    if !rest.is_empty() {
        return Err(NOT_A_KEY);
    }
    Ok(RawRsaKey {
        n: unsigned(n)?,
        e: unsigned(e)?,
    })
}

/// Says what a DER value that is no public key looks like, when a common mistake fits.
fn explain(der: &[u8]) -> Error {
    let Ok(body) = whole(der, TAG_SEQUENCE) else {
        return NOT_A_KEY;
    };
    // X.509 certificate: SEQUENCE { SEQUENCE { [0] version, ... }, ... }.
    if let Ok((tbs, _)) = next(body, TAG_SEQUENCE) {
        if tbs.first() == Some(&TAG_CONTEXT_0) {
            return Error::with_hint(ErrorCode::InvalidKey, CERTIFICATE_HINT);
        }
    }
    // PKCS#1 RSAPrivateKey or PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER version, ... }.
    if let Ok((version, _)) = next(body, TAG_INTEGER) {
        if version == [0] || version == [1] {
            return Error::with_hint(ErrorCode::InvalidKey, PRIVATE_KEY_HINT);
        }
    }
    NOT_A_KEY
}

pub(crate) const CERTIFICATE_HINT: &str =
    "This is a certificate, not a public key: pass the account's public key (the RSA modulus from Zentitle, or `openssl x509 -pubkey -noout` of the certificate).";
pub(crate) const PRIVATE_KEY_HINT: &str =
    "This is a private key: the verifier needs only the public key (the RSA modulus Zentitle shows). Keep private keys out of webhook handlers.";

/// The content of a TLV with `tag` that spans all of `input`.
fn whole(input: &[u8], tag: u8) -> Result<&[u8], Error> {
    match next(input, tag)? {
        (content, []) => Ok(content),
        _ => Err(NOT_A_KEY),
    }
}

/// Splits the first TLV off `input`: its content and what follows.
fn next(input: &[u8], tag: u8) -> Result<(&[u8], &[u8]), Error> {
    let (&t, rest) = input.split_first().ok_or(NOT_A_KEY)?;
    if t != tag {
        return Err(NOT_A_KEY);
    }
    let (&first, rest) = rest.split_first().ok_or(NOT_A_KEY)?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let (len_bytes, rest) = split(rest, count)?;
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            // Minimal: no leading zero byte, and the long form only for 128 and more.
            if len_bytes.first() == Some(&0) || len < 0x80 {
                return Err(NOT_A_KEY);
            }
            (len, rest)
        }
        _ => return Err(NOT_A_KEY),
    };
    split(rest, len)
}

fn split(input: &[u8], at: usize) -> Result<(&[u8], &[u8]), Error> {
    if at > input.len() {
        return Err(NOT_A_KEY);
    }
    Ok(input.split_at(at))
}

/// A minimal, positive INTEGER's magnitude, without its sign byte.
fn unsigned(int: &[u8]) -> Result<&[u8], Error> {
    match int {
        [] => Err(NOT_A_KEY),
        [b, ..] if b & 0x80 != 0 => Err(NOT_A_KEY),
        [0, next, ..] if next & 0x80 == 0 => Err(NOT_A_KEY),
        [0, rest @ ..] if !rest.is_empty() => Ok(rest),
        _ => Ok(int),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        match content.len() {
            n if n < 0x80 => v.push(n as u8),
            n if n < 0x100 => v.extend([0x81, n as u8]),
            n => v.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        v.extend_from_slice(content);
        v
    }

    fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
        let mut body = tlv(TAG_INTEGER, n);
        body.extend(tlv(TAG_INTEGER, e));
        tlv(TAG_SEQUENCE, &body)
    }

    #[test]
    fn reads_pkcs1_and_strips_the_sign_byte() {
        let der = pkcs1(&[0, 0x80, 1], &[1, 0, 1]);
        let key = parse_pkcs1(&der).expect("valid");
        assert_eq!(key.n, &[0x80, 1]);
        assert_eq!(key.e, &[1, 0, 1]);
    }

    #[test]
    fn refuses_non_minimal_and_negative_integers() {
        assert!(parse_pkcs1(&pkcs1(&[0, 0x7f], &[3])).is_err());
        assert!(parse_pkcs1(&pkcs1(&[0x80], &[3])).is_err());
        assert!(parse_pkcs1(&pkcs1(&[], &[3])).is_err());
    }

    #[test]
    fn refuses_trailing_bytes_and_bad_lengths() {
        let mut der = pkcs1(&[0x7f], &[3]);
        der.push(0);
        assert!(parse_pkcs1(&der).is_err());
        // Long form for a short length.
        assert!(parse_pkcs1(&[0x30, 0x81, 0x06, 2, 1, 0x7f, 2, 1, 3]).is_err());
        // Indefinite length.
        assert!(parse_pkcs1(&[0x30, 0x80, 2, 1, 0x7f, 2, 1, 3, 0, 0]).is_err());
        // Length past the end.
        assert!(parse_pkcs1(&[0x30, 0x09, 2, 1, 0x7f]).is_err());
    }

    #[test]
    fn reads_spki_with_and_without_null_parameters() {
        let key = pkcs1(&[0x7f, 1], &[3]);
        let mut bits = vec![0];
        bits.extend(&key);
        for params in [tlv(TAG_NULL, &[]), vec![]] {
            let mut alg = tlv(TAG_OID, RSA_ENCRYPTION);
            alg.extend(params);
            let mut body = tlv(TAG_SEQUENCE, &alg);
            body.extend(tlv(TAG_BIT_STRING, &bits));
            let spki = tlv(TAG_SEQUENCE, &body);
            assert_eq!(parse_public_key(&spki).expect("spki").n, &[0x7f, 1]);
        }
    }

    #[test]
    fn explains_certificates_and_private_keys() {
        let cert = tlv(
            TAG_SEQUENCE,
            &tlv(TAG_SEQUENCE, &tlv(TAG_CONTEXT_0, &[2, 1, 2])),
        );
        let err = parse_public_key(&cert).err().expect("not a key");
        assert_eq!(err.hint(), Some(CERTIFICATE_HINT));
        let mut private = tlv(TAG_INTEGER, &[0]);
        private.extend(tlv(TAG_INTEGER, &[0x7f]));
        private.extend(tlv(TAG_INTEGER, &[3]));
        let err = parse_public_key(&tlv(TAG_SEQUENCE, &private))
            .err()
            .expect("not a key");
        assert_eq!(err.hint(), Some(PRIVATE_KEY_HINT));
    }

    #[test]
    fn survives_every_truncation() {
        let der = pkcs1(&[0x7f; 200], &[1, 0, 1]);
        for cut in 0..der.len() {
            assert!(parse_public_key(&der[..cut]).is_err());
        }
    }
}
