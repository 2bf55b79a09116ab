//! Test key pairs and PKCS#1 v1.5 SHA-256 signatures.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey as RsaSigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use rsa::rand_core::CryptoRngCore;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey};
use sha2::{Digest, Sha256};

use crate::montgomery::Modulus;

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
pub struct SigningKey {
    key: RsaSigningKey<Sha256>,
    /// The private-key operation by the Chinese remainder theorem on the crate's Montgomery
    /// arithmetic, several times faster in WebAssembly than the `rsa` crate's (whose results
    /// it equals: PKCS#1 v1.5 signatures are deterministic). `None` for keys it cannot take.
    crt: Option<Crt>,
}

#[derive(Clone)]
struct Crt {
    n: Modulus,
    p: Modulus,
    q: Modulus,
    p_big: BigUint,
    q_big: BigUint,
    dp: Vec<u8>,
    dq: Vec<u8>,
    qinv: BigUint,
    e: u32,
}

/// The DER prefix of a SHA-256 `DigestInfo` (RFC 8017 §9.2, note 1).
const SHA256_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

impl Crt {
    fn new(key: &RsaPrivateKey) -> Option<Self> {
        let [p, q] = key.primes() else {
            return None; // multi-prime keys: the rsa crate signs them
        };
        let e = key.e().to_bytes_be();
        if e.len() > 4 {
            return None;
        }
        let e = e.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b));
        Some(Crt {
            n: Modulus::from_be_bytes(&key.n().to_bytes_be())?,
            p: Modulus::from_be_bytes(&p.to_bytes_be())?,
            q: Modulus::from_be_bytes(&q.to_bytes_be())?,
            p_big: p.clone(),
            q_big: q.clone(),
            dp: key.dp()?.to_bytes_be(),
            dq: key.dq()?.to_bytes_be(),
            qinv: key.crt_coefficient()?,
            e,
        })
    }

    /// The signature of `body` (`k` bytes), checked by the public-key operation before it is
    /// returned; `None` if anything does not fit (the caller then signs with the rsa crate).
    fn sign(&self, body: &[u8]) -> Option<Vec<u8>> {
        let k = self.n.byte_len();
        let digest = Sha256::digest(body);
        let pad = k.checked_sub(3 + SHA256_PREFIX.len() + digest.len())?;
        let mut em = Vec::with_capacity(k);
        em.extend_from_slice(&[0x00, 0x01]);
        em.resize(2 + pad, 0xff);
        em.push(0x00);
        em.extend_from_slice(&SHA256_PREFIX);
        em.extend_from_slice(&digest);
        let m = BigUint::from_bytes_be(&em);
        let half = |modulus: &Modulus, prime: &BigUint, exp: &[u8]| {
            let reduced = left_pad((&m % prime).to_bytes_be(), modulus.byte_len())?;
            modulus
                .pow_secret_be(&reduced, exp)
                .map(|b| BigUint::from_bytes_be(&b))
        };
        let m1 = half(&self.p, &self.p_big, &self.dp)?;
        let m2 = half(&self.q, &self.q_big, &self.dq)?;
        let diff = (&m1 + &self.p_big - (&m2 % &self.p_big)) % &self.p_big;
        let h = (&self.qinv * diff) % &self.p_big;
        let s = left_pad((m2 + h * &self.q_big).to_bytes_be(), k)?;
        // A fault or a bug never leaves here: the signature must verify.
        (self.n.pow_be(&s, self.e)? == em).then_some(s)
    }
}

/// `bytes` left-padded with zeros to `len`, or `None` if longer.
fn left_pad(bytes: Vec<u8>, len: usize) -> Option<Vec<u8>> {
    let pad = len.checked_sub(bytes.len())?;
    let mut out = vec![0u8; pad];
    out.extend_from_slice(&bytes);
    Some(out)
}

impl core::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// The signature by the rsa crate alone (for tests comparing the two paths).
    #[cfg(test)]
    pub(crate) fn sign_by_rsa_crate(&self, body: &[u8]) -> String {
        STANDARD.encode(self.key.sign(body).to_bytes())
    }

    /// The signature by the CRT path alone, `None` where it does not sign (for tests).
    #[cfg(test)]
    pub(crate) fn sign_by_crt(&self, body: &[u8]) -> Option<String> {
        self.crt
            .as_ref()
            .and_then(|crt| crt.sign(body))
            .map(|s| STANDARD.encode(s))
    }

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
        let crt = Crt::new(&key);
        Ok(SigningKey {
            key: RsaSigningKey::<Sha256>::new(key),
            crt,
        })
    }

    /// The `N-Signature` value for `body`: standard base64 with padding.
    pub fn sign(&self, body: &[u8]) -> String {
        match self.crt.as_ref().and_then(|crt| crt.sign(body)) {
            Some(signature) => STANDARD.encode(signature),
            None => STANDARD.encode(self.key.sign(body).to_bytes()),
        }
    }
}
