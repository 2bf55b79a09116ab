//! The account's RSA public key, read once from whatever form the user holds.
//!
//! Accepted, detected automatically:
//! - the bare modulus the Zentitle UI shows as "RSA Modulus (n)": base64url without padding
//!   (whitespace around it, `=` padding and the standard `+` `/` alphabet are tolerated); the
//!   exponent is then 65537;
//! - a JWK, `{"kty":"RSA","n":"...","e":"AQAB"}`;
//! - PEM: SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`);
//! - DER: SPKI or PKCS#1 bytes.

mod der;
mod jwk;
mod pem;

use core::fmt;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use crate::error::{Error, ErrorCode};
use crate::montgomery::Modulus;

/// The smallest modulus accepted unless [`KeyOptions::min_key_bits`] says otherwise.
pub const DEFAULT_MIN_KEY_BITS: u32 = 2048;
/// The largest modulus accepted: bounds the work one verification can cost.
pub const MAX_KEY_BITS: u32 = 16384;

/// How keys are checked when they are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyOptions {
    /// Moduli shorter than this are [`ErrorCode::WeakKey`]. Default 2048; lower it only in
    /// tests.
    pub min_key_bits: u32,
}

impl Default for KeyOptions {
    fn default() -> Self {
        KeyOptions {
            min_key_bits: DEFAULT_MIN_KEY_BITS,
        }
    }
}

/// An RSA public key, prepared for verification.
///
/// Its `Debug` output shows the size only: keys are not secret, but logs are no place for
/// them either.
#[derive(Clone)]
pub struct PublicKey {
    modulus: Modulus,
    exponent: u32,
    bits: u32,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("bits", &self.bits)
            .finish_non_exhaustive()
    }
}

/// base64url or standard alphabet, padding optional: the modulus as users paste it. Bits
/// after the last whole byte are ignored: one of the public Zentitle moduli has them set.
const LENIENT_URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

impl PublicKey {
    /// Reads a key in any accepted form, from text or bytes (DER, or the UTF-8 of a text form),
    /// with the default [`KeyOptions`].
    ///
    /// # Errors
    /// [`ErrorCode::InvalidKey`] for anything that is not a usable RSA public key (with a hint
    /// for certificates, private keys, damaged PEM, quoted keys);
    /// [`ErrorCode::WeakKey`] for a modulus under 2048 bits.
    pub fn parse(input: impl AsRef<[u8]>) -> Result<Self, Error> {
        Self::parse_with(input, KeyOptions::default())
    }

    /// Like [`parse`](Self::parse), with options.
    ///
    /// # Errors
    /// As [`parse`](Self::parse), with the minimum size taken from `options`.
    pub fn parse_with(input: impl AsRef<[u8]>, options: KeyOptions) -> Result<Self, Error> {
        let input = input.as_ref();
        // DER starts with a SEQUENCE tag, 0x30, which is also the character '0' that a
        // base64url modulus may start with: text that is valid UTF-8 is read as text.
        match (input.first(), core::str::from_utf8(input)) {
            (Some(0x30), Err(_)) => {
                let raw = der::parse_public_key(input)?;
                Self::from_be_components(raw.n, raw.e, options)
            }
            (_, Ok(text)) => Self::parse_text(text, options),
            (_, Err(_)) => Err(ErrorCode::InvalidKey.into()),
        }
    }

    fn parse_text(text: &str, options: KeyOptions) -> Result<Self, Error> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::with_hint(
                ErrorCode::InvalidKey,
                "The key is empty: is the variable that should hold it set?",
            ));
        }
        if text.len() >= 2
            && (text.starts_with('"') && text.ends_with('"')
                || text.starts_with('\'') && text.ends_with('\''))
        {
            return Err(Error::with_hint(
                ErrorCode::InvalidKey,
                "The key is wrapped in quotes: remove them (they are often kept when a key is copied into a .env file or JSON).",
            ));
        }
        if text.starts_with("-----BEGIN") {
            let (kind, der_bytes) = pem::decode(text)?;
            let raw = pem::parse_der(kind, &der_bytes)?;
            return Self::from_be_components(raw.n, raw.e, options);
        }
        if text.starts_with('{') {
            let members = jwk::parse(text)?;
            return Self::from_base64url_components(&members.n, &members.e, options);
        }
        if looks_like_hex_modulus(text) {
            return Err(Error::with_hint(ErrorCode::InvalidKey, HEX_HINT));
        }
        if looks_like_path(text) {
            return Err(Error::with_hint(ErrorCode::InvalidKey, PATH_HINT));
        }
        if let Some(found) = Self::from_bare_der(text, options) {
            return found;
        }
        Self::from_modulus(text, options)
    }

    /// A DER key pasted as base64 without its PEM lines (`MIIBIjAN...`, `MIIBCgKC...`): read as
    /// DER. A DER SEQUENCE encodes to base64 starting with `MI`, which no full-length modulus
    /// does (its first byte is at least 0x80, so its first character is `g` or later). `None`
    /// when the text is not such a key, so that it is read as a modulus.
    fn from_bare_der(text: &str, options: KeyOptions) -> Option<Result<Self, Error>> {
        if !text.starts_with("MI") {
            return None;
        }
        let der_bytes = base64::engine::general_purpose::STANDARD
            .decode(pem::compact(text).as_bytes())
            .ok()?;
        match der::parse_public_key(&der_bytes) {
            Ok(raw) => Some(Self::from_be_components(raw.n, raw.e, options)),
            // A certificate or a private key, named by its hint.
            Err(e) if e.hint().is_some() => Some(Err(e)),
            Err(_) => None,
        }
    }

    /// Reads the bare modulus as the Zentitle UI shows it ("RSA Modulus (n)"), exponent 65537.
    ///
    /// # Errors
    /// As [`parse`](Self::parse).
    pub fn from_modulus(modulus: &str, options: KeyOptions) -> Result<Self, Error> {
        Self::from_base64url_components(modulus, "AQAB", options)
    }

    fn from_base64url_components(n: &str, e: &str, options: KeyOptions) -> Result<Self, Error> {
        let n = decode_lenient(n).ok_or(Error::with_hint(ErrorCode::InvalidKey, NOT_A_KEY_HINT))?;
        let e = decode_lenient(e).ok_or(Error::with_hint(
            ErrorCode::InvalidKey,
            "The JWK exponent \"e\" is not base64url.",
        ))?;
        Self::from_be_components(&n, &e, options)
    }

    /// Builds a key from its big-endian modulus and exponent.
    ///
    /// # Errors
    /// [`ErrorCode::InvalidKey`] for an even modulus, or an exponent that is even, 1, or over
    /// 32 bits; [`ErrorCode::WeakKey`] for a modulus under `options.min_key_bits`.
    pub fn from_be_components(n: &[u8], e: &[u8], options: KeyOptions) -> Result<Self, Error> {
        let start = n.iter().position(|&b| b != 0).unwrap_or(n.len());
        let n = n.get(start..).unwrap_or_default();
        let bits = match n.first() {
            Some(&top) => (n.len() as u64 * 8).saturating_sub(u64::from(top.leading_zeros())),
            None => 0,
        };
        if bits > u64::from(MAX_KEY_BITS) {
            return Err(Error::with_hint(
                ErrorCode::InvalidKey,
                "The modulus is larger than 16384 bits, which is not supported.",
            ));
        }
        let bits = bits as u32;
        if bits < 512 {
            // Far below any RSA key ever used: junk, not a weak key.
            return Err(Error::with_hint(ErrorCode::InvalidKey, NOT_A_KEY_HINT));
        }
        let exponent = exponent(e)?;
        if bits < options.min_key_bits {
            return Err(if bits % 8 != 0 || (bits >= 1024 && bits % 256 != 0) {
                Error::with_hint(ErrorCode::WeakKey, WRONG_LENGTH_HINT)
            } else {
                Error::new(ErrorCode::WeakKey)
            });
        }
        let modulus = Modulus::from_be_bytes(n).ok_or(Error::with_hint(
            ErrorCode::InvalidKey,
            "The RSA modulus is even (or too short), so it is no RSA modulus: the key is damaged.",
        ))?;
        Ok(PublicKey {
            modulus,
            exponent,
            bits,
        })
    }

    /// The modulus size in bits (2048 for a Zentitle key).
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The length of a signature under this key, in bytes (256 for 2048 bits).
    pub fn signature_len(&self) -> usize {
        self.modulus.byte_len()
    }

    /// The public exponent (65537 for a Zentitle key).
    pub fn exponent(&self) -> u32 {
        self.exponent
    }

    pub(crate) fn modulus(&self) -> &Modulus {
        &self.modulus
    }
}

/// A modulus written in hex: `openssl rsa -modulus`'s `Modulus=B45B...`, `-text`'s
/// `00:b4:5b:...`, or bare hex digits. Read as base64url it would decode to a wrong number
/// (every delivery then failing as if the signature were at fault), so it is refused. The
/// rule: at least 512 hex digits (a 2048-bit modulus), an even count, nothing else but `:` and
/// whitespace. Base64url's alphabet holds the hex digits, but a real base64url modulus of 512
/// characters or more (3072 bits and up) made only of them has odds of about (22/64)^512.
fn looks_like_hex_modulus(text: &str) -> bool {
    let text = text.strip_prefix("Modulus=").unwrap_or(text);
    let text = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let mut digits = 0usize;
    for b in text.bytes() {
        match b {
            b':' | b' ' | b'\t' | b'\r' | b'\n' => {}
            b if b.is_ascii_hexdigit() => digits += 1,
            _ => return false,
        }
    }
    digits >= 512 && digits % 2 == 0
}

/// A file path given where the key belongs: shorter than any key (a 1024-bit modulus is 171
/// characters), no spaces, and a `.`, `/` or `\` (none of which a base64url modulus has).
fn looks_like_path(text: &str) -> bool {
    text.len() < 160
        && !text.bytes().any(|b| b.is_ascii_whitespace())
        && text.bytes().any(|b| matches!(b, b'.' | b'/' | b'\\'))
}

const HEX_HINT: &str = "The key is the modulus written in hex (as `openssl rsa -modulus` prints it), not base64url as Zentitle shows it: pass the PEM, or the modulus converted to base64url (342 characters for 2048 bits).";

const PATH_HINT: &str = "The key looks like a file path: pass the key itself (the file's contents, e.g. readFileSync(path, \"utf8\")), not its path.";

const NOT_A_KEY_HINT: &str =
    "The key is not a PEM block, a JWK or a base64url RSA modulus. The modulus Zentitle shows is 342 characters of A-Z, a-z, 0-9, '-' and '_'.";

const WRONG_LENGTH_HINT: &str =
    "The modulus has an unusual length, as if it was cut short when copied: a 2048-bit Zentitle modulus is 342 base64url characters.";

fn decode_lenient(text: &str) -> Option<Vec<u8>> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim_end_matches('=');
    if cleaned.is_empty() {
        return None;
    }
    LENIENT_URL.decode(cleaned.as_bytes()).ok()
}

/// The public exponent: odd, at least 3, at most 32 bits.
fn exponent(e: &[u8]) -> Result<u32, Error> {
    let start = e.iter().position(|&b| b != 0).unwrap_or(e.len());
    let e = e.get(start..).unwrap_or_default();
    if e.len() > 4 {
        return Err(Error::with_hint(
            ErrorCode::InvalidKey,
            "The public exponent is over 32 bits; Zentitle keys use 65537.",
        ));
    }
    let value = e.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
    if value < 3 || value % 2 == 0 {
        return Err(Error::with_hint(
            ErrorCode::InvalidKey,
            "The public exponent must be odd and at least 3; Zentitle keys use 65537.",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
