//! Test key pairs and PKCS#1 v1.5 SHA-256 signatures.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey as RsaSigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use sha2::Sha256;

use crate::error::{Error, ErrorCode};

/// A generated key pair, in every form a test needs.
#[derive(Clone)]
pub struct TestKeyPair {
    /// PKCS#8 PEM (`BEGIN PRIVATE KEY`): what `sign` takes.
    pub private_key_pem: String,
    /// SPKI PEM (`BEGIN PUBLIC KEY`).
    pub public_key_pem: String,
    /// The modulus as the Zentitle UI shows it: base64url, no padding.
    pub modulus: String,
    /// The public JWK, `{"kty":"RSA","n":...,"e":"AQAB"}`.
    pub jwk: String,
}

impl core::fmt::Debug for TestKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TestKeyPair")
            .field("modulus_len", &self.modulus.len())
            .finish_non_exhaustive()
    }
}

/// A new RSA key pair of `bits` (1024 to 4096, a multiple of 256), exponent 65537.
///
/// # Errors
/// [`ErrorCode::InvalidArgument`] for an unsupported size.
pub fn generate_key_pair(rng: &mut impl CryptoRngCore, bits: u32) -> Result<TestKeyPair, Error> {
    if !(1024..=4096).contains(&bits) || bits % 256 != 0 {
        return Err(Error::with_hint(
            ErrorCode::InvalidArgument,
            "bits must be 1024, 1280, ... or 4096 (a multiple of 256).",
        ));
    }
    let private = RsaPrivateKey::new(rng, bits as usize)
        .map_err(|_| Error::new(ErrorCode::InvalidArgument))?;
    let private_key_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| Error::new(ErrorCode::InvalidKey))?
        .to_string();
    let public = private.to_public_key();
    let public_key_pem = public
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| Error::new(ErrorCode::InvalidKey))?;
    let modulus = URL_SAFE_NO_PAD.encode(public.n().to_bytes_be());
    let exponent = URL_SAFE_NO_PAD.encode(public.e().to_bytes_be());
    let jwk = serde_json::json!({ "kty": "RSA", "n": modulus, "e": exponent }).to_string();
    Ok(TestKeyPair {
        private_key_pem,
        public_key_pem,
        modulus,
        jwk,
    })
}

/// A private key that signs like Zentitle: RSASSA-PKCS1-v1_5 with SHA-256.
#[derive(Clone)]
pub struct SigningKey(RsaSigningKey<Sha256>);

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// Reads a private key: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`)
    /// PEM, or PKCS#8 / PKCS#1 DER.
    ///
    /// # Errors
    /// [`ErrorCode::InvalidKey`] for anything else (a public key gets a hint).
    pub fn parse(input: &[u8]) -> Result<Self, Error> {
        let key = match core::str::from_utf8(input) {
            Ok(text) => {
                let text = text.trim().replace("\\n", "\n");
                RsaPrivateKey::from_pkcs8_pem(&text).or_else(|_| RsaPrivateKey::from_pkcs1_pem(&text)).map_err(|_| {
                    if text.contains("PUBLIC KEY") || !text.starts_with("-----") {
                        Error::with_hint(
                            ErrorCode::InvalidKey,
                            "Signing needs the private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY), not the public key or modulus.",
                        )
                    } else {
                        Error::new(ErrorCode::InvalidKey)
                    }
                })?
            }
            Err(_) => RsaPrivateKey::from_pkcs8_der(input)
                .or_else(|_| RsaPrivateKey::from_pkcs1_der(input))
                .map_err(|_| Error::new(ErrorCode::InvalidKey))?,
        };
        Ok(SigningKey(RsaSigningKey::<Sha256>::new(key)))
    }

    /// The `N-Signature` value for `body`: standard base64 with padding.
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.0.sign(body).to_bytes())
    }
}
