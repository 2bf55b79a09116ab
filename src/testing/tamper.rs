//! Deliveries altered after signing, which a verifier must refuse.

use base64::alphabet;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

const ANY_PADDING: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);

/// `body` with its last lower-case letter or digit changed (so a JSON body stays JSON), or a
/// space appended when it has none.
pub fn tamper_body(body: &str) -> String {
    let mut bytes = body.as_bytes().to_vec();
    match bytes
        .iter()
        .rposition(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        .and_then(|i| bytes.get_mut(i))
    {
        Some(b) => {
            *b = match *b {
                b'z' => b'a',
                b'9' => b'0',
                other => other + 1,
            }
        }
        None => bytes.push(b' '),
    }
    // Only ASCII was changed for ASCII: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `signature` (standard or URL-safe base64) with one bit flipped, as standard padded base64;
/// `None` if it is not base64.
pub fn tamper_signature(signature: &str) -> Option<String> {
    let value = signature.trim();
    let mut raw = GeneralPurpose::new(&alphabet::STANDARD, ANY_PADDING)
        .decode(value)
        .or_else(|_| GeneralPurpose::new(&alphabet::URL_SAFE, ANY_PADDING).decode(value))
        .ok()?;
    let middle = raw.len() / 2;
    let byte = raw.get_mut(middle)?;
    *byte ^= 0x10;
    Some(STANDARD.encode(raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn bodies_change_by_one_character() {
        assert_eq!(
            tamper_body(r#"{"a":"xyz","n":19}"#),
            r#"{"a":"xyz","n":10}"#
        );
        assert_eq!(tamper_body(r#"{"a":"z"}"#), r#"{"a":"a"}"#);
        assert_eq!(tamper_body("{}"), "{} ");
    }

    #[test]
    fn signatures_change_by_one_bit() {
        let sig = STANDARD.encode([0u8; 256]);
        let tampered = tamper_signature(&sig).expect("base64");
        assert_ne!(tampered, sig);
        assert_eq!(
            STANDARD
                .decode(tampered)
                .map(|v| v.iter().map(|b| b.count_ones()).sum::<u32>()),
            Ok(1)
        );
        assert!(tamper_signature("!!").is_none());
        assert!(tamper_signature("").is_none());
    }
}
