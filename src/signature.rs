//! The `N-Signature` header value: the signature alone, strict standard base64 with padding
//! (RFC 4648 §4), as long as the key's modulus once decoded.

use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use crate::error::{Error, ErrorCode};

/// The header name Zentitle signs with (HTTP header names are case-insensitive).
pub const SIGNATURE_HEADER: &str = "N-Signature";

const URL_SAFE_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const STANDARD_ANY_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a header value into the raw signature, which must be `expected_len` bytes (the
/// key's modulus length). Whitespace around the value is ignored.
///
/// # Errors
/// [`ErrorCode::MissingSignature`] for an empty value; [`ErrorCode::MalformedSignature`] for
/// anything but strict padded base64 (with a hint for base64url, missing padding, a prefix,
/// a repeated header); [`ErrorCode::SignatureLength`] for a wrong decoded length.
pub fn decode_signature(value: &str, expected_len: usize) -> Result<Vec<u8>, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ErrorCode::MissingSignature.into());
    }
    let raw = STANDARD
        .decode(value)
        .map_err(|_| explain_malformed(value))?;
    if raw.len() != expected_len {
        return Err(if raw.len() < expected_len {
            Error::with_hint(
                ErrorCode::SignatureLength,
                "The signature is shorter than the key: it was cut short, or made with a smaller key than the one configured.",
            )
        } else {
            Error::with_hint(
                ErrorCode::SignatureLength,
                "The signature is longer than the key: it was made with a larger key than the one configured.",
            )
        });
    }
    Ok(raw)
}

fn explain_malformed(value: &str) -> Error {
    let hint = if value.contains(',') {
        "The header holds several values, as when N-Signature is sent more than once; Zentitle sends one."
    } else if value.contains('=') && value.find('=').is_some_and(|i| i + 2 < value.len()) {
        "The value has a prefix such as `sha256=` or `v1=`: Zentitle sends the base64 signature alone, and so must a test sender."
    } else if value.contains(['-', '_'])
        || URL_SAFE_ANY_PADDING.decode(value).is_ok()
            && !value.ends_with('=')
            && STANDARD_ANY_PADDING.decode(value).is_err()
    {
        "The signature is base64url ('-', '_'); Zentitle sends standard base64 ('+', '/') with '=' padding. Do not convert the header."
    } else if STANDARD_ANY_PADDING.decode(value).is_ok() {
        "The signature lacks its '=' padding: pass the header value exactly as received."
    } else if value.contains(char::is_whitespace) {
        "The signature contains whitespace or line breaks: pass the header value exactly as received."
    } else {
        "Pass the N-Signature header value exactly as received."
    };
    Error::with_hint(ErrorCode::MalformedSignature, hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn sig(len: usize) -> String {
        STANDARD.encode(vec![0xfbu8; len])
    }

    #[test]
    fn accepts_padded_standard_base64_of_the_right_length() {
        assert_eq!(decode_signature(&sig(256), 256).map(|v| v.len()), Ok(256));
        assert_eq!(
            decode_signature(&format!("  {}\r\n", sig(256)), 256).map(|v| v.len()),
            Ok(256)
        );
    }

    #[test]
    fn empty_is_missing() {
        assert_eq!(
            decode_signature("  ", 256).map_err(|e| e.code()),
            Err(ErrorCode::MissingSignature)
        );
    }

    #[test]
    fn base64url_gets_its_hint() {
        let url = sig(256)
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_string();
        let err = decode_signature(&url, 256).expect_err("malformed");
        assert_eq!(err.code(), ErrorCode::MalformedSignature);
        assert!(err.hint().is_some_and(|h| h.contains("base64url")));
    }

    #[test]
    fn missing_padding_gets_its_hint() {
        let s = STANDARD.encode([1u8; 256]);
        let err = decode_signature(s.trim_end_matches('='), 256).expect_err("malformed");
        assert!(err.hint().is_some_and(|h| h.contains("padding")), "{err}");
    }

    #[test]
    fn repeated_header_and_prefixes_get_their_hints() {
        let s = sig(256);
        let err = decode_signature(&format!("{s}, {s}"), 256).expect_err("malformed");
        assert!(err.hint().is_some_and(|h| h.contains("more than once")));
        let err = decode_signature(&format!("sha256={s}"), 256).expect_err("malformed");
        assert!(err.hint().is_some_and(|h| h.contains("prefix")));
    }

    #[test]
    fn embedded_newlines_are_malformed() {
        let s = sig(256);
        let wrapped = format!("{}\n{}", &s[..64], &s[64..]);
        assert_eq!(
            decode_signature(&wrapped, 256).map_err(|e| e.code()),
            Err(ErrorCode::MalformedSignature)
        );
    }

    #[test]
    fn wrong_lengths() {
        for len in [0usize, 1, 255, 257, 512] {
            let want = if len == 0 {
                ErrorCode::MissingSignature
            } else {
                ErrorCode::SignatureLength
            };
            assert_eq!(
                decode_signature(&sig(len), 256).map_err(|e| e.code()),
                Err(want),
                "{len}"
            );
        }
    }

    #[test]
    fn non_canonical_trailing_bits_are_malformed() {
        // "AB==" has non-zero bits after the last byte: strict decoders refuse it.
        assert_eq!(
            decode_signature("AB==", 1).map_err(|e| e.code()),
            Err(ErrorCode::MalformedSignature)
        );
        assert_eq!(decode_signature("AA==", 1).map(|v| v.len()), Ok(1));
    }
}
