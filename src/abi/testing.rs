//! The test kit's exports (feature `testing`, its own .wasm): key pairs, signatures, sample
//! events and tampering, over the same input/output buffers as the verifier's exports.
//! Randomness comes from the caller as a 32-byte seed (the JavaScript layer draws it from
//! `crypto.getRandomValues`), so the module imports nothing.

use super::{result, set_output, with_input};
use crate::error::{Error, ErrorCode};
use crate::testing::{
    dotnet_json, generate_key_pair, sample_event_body, tamper_body, tamper_signature, SeedRng,
    SigningKey,
};

const SEED: usize = 32;

/// Parsed private keys kept for [`zt_sign`], most recent last: reading a PKCS#8 key and its
/// CRT values costs more than a signature, and a test signs many bodies with one key.
const MAX_SIGNERS: usize = 8;

thread_local! {
    static SIGNERS: std::cell::RefCell<Vec<(Vec<u8>, SigningKey)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn seed(input: &[u8]) -> Result<SeedRng, Error> {
    let bytes: [u8; SEED] = input
        .get(..SEED)
        .and_then(|s| s.try_into().ok())
        .ok_or(ErrorCode::InvalidArgument)?;
    Ok(SeedRng::from_seed(bytes))
}

/// A key pair of `bits`, from the seed in the input buffer: its JSON
/// (`privateKeyPem`, `publicKeyPem`, `modulus`, `jwk`) in the output buffer.
fn zt_generate_key_pair(bits: u32) -> i32 {
    result(with_input(|input| {
        let pair = generate_key_pair(&mut seed(input)?, bits)?;
        let jwk: serde_json::Value =
            serde_json::from_str(&pair.jwk).map_err(|_| ErrorCode::InvalidKey)?;
        let json = serde_json::json!({
            "privateKeyPem": pair.private_key_pem,
            "publicKeyPem": pair.public_key_pem,
            "modulus": pair.modulus,
            "jwk": jwk,
        });
        set_output(json.to_string().as_bytes());
        Ok(0)
    }))
}

/// Signs the body (after `key_len` bytes of private key, PEM or DER) in the input buffer: the
/// `N-Signature` value in the output buffer.
fn zt_sign(key_len: u32, body_len: u32) -> i32 {
    result(with_input(|input| {
        let key_len = key_len as usize;
        let key = input.get(..key_len).ok_or(ErrorCode::InvalidArgument)?;
        let body = input
            .get(key_len..key_len.saturating_add(body_len as usize))
            .ok_or(ErrorCode::InvalidArgument)?;
        let signature = SIGNERS.with(|cell| -> Result<String, Error> {
            let mut signers = cell.try_borrow_mut().map_err(|_| super::busy())?;
            if let Some((_, signer)) = signers.iter().find(|(bytes, _)| bytes == key) {
                return Ok(signer.sign(body));
            }
            let signer = SigningKey::parse(key)?;
            let signature = signer.sign(body);
            if signers.len() >= MAX_SIGNERS {
                signers.remove(0);
            }
            signers.push((key.to_vec(), signer));
            Ok(signature)
        })?;
        set_output(signature.as_bytes());
        Ok(0)
    }))
}

/// A sample event: the input holds a seed, `code_len` bytes of event code, then
/// `overrides_len` bytes of overrides as JSON (none when 0). Its JSON in the output buffer.
fn zt_sample_event(code_len: u32, overrides_len: u32, now_ms: f64) -> i32 {
    result(with_input(|input| {
        let mut rng = seed(input)?;
        let code_end = SEED.saturating_add(code_len as usize);
        let code = input
            .get(SEED..code_end)
            .and_then(|c| core::str::from_utf8(c).ok())
            .ok_or(ErrorCode::InvalidArgument)?;
        let overrides = input
            .get(code_end..code_end.saturating_add(overrides_len as usize))
            .ok_or(ErrorCode::InvalidArgument)?;
        let overrides = if overrides.is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice::<serde_json::Value>(overrides).map_err(|_| {
                    Error::with_hint(
                        ErrorCode::InvalidArgument,
                        "overrides must be JSON-serialisable.",
                    )
                })?,
            )
        };
        let body = sample_event_body(&mut rng, code, now_ms as i64, overrides.as_ref())?;
        set_output(body.as_bytes());
        Ok(0)
    }))
}

/// The JSON text in the input buffer written the way Zentitle's .NET serialiser writes it
/// (see [`dotnet_json`]), in the output buffer.
fn zt_dotnet_json(len: u32) -> i32 {
    result(with_input(|input| {
        let text = utf8_input(input, len).ok_or(ErrorCode::InvalidArgument)?;
        set_output(dotnet_json(text)?.as_bytes());
        Ok(0)
    }))
}

/// The UTF-8 text in the input buffer, tampered (see [`tamper_body`]), in the output buffer.
fn zt_tamper_body(len: u32) -> i32 {
    result(with_input(|input| {
        let text = utf8_input(input, len).ok_or(ErrorCode::InvalidArgument)?;
        set_output(tamper_body(text).as_bytes());
        Ok(0)
    }))
}

/// The signature in the input buffer with one bit flipped, in the output buffer;
/// `malformed_signature` if it is not base64.
fn zt_tamper_signature(len: u32) -> i32 {
    result(with_input(|input| {
        let text = utf8_input(input, len).ok_or(ErrorCode::MalformedSignature)?;
        let tampered = tamper_signature(text).ok_or(ErrorCode::MalformedSignature)?;
        set_output(tampered.as_bytes());
        Ok(0)
    }))
}

/// The first `len` bytes of the input buffer, as UTF-8 text.
fn utf8_input(input: &[u8], len: u32) -> Option<&str> {
    input
        .get(..len as usize)
        .and_then(|t| core::str::from_utf8(t).ok())
}

/// The exports of the test kit's `.wasm`.
mod exports {
    exports! {
        fn zt_generate_key_pair(bits: u32) -> i32;
        fn zt_sign(key_len: u32, body_len: u32) -> i32;
        fn zt_sample_event(code_len: u32, overrides_len: u32, now_ms: f64) -> i32;
        fn zt_dotnet_json(len: u32) -> i32;
        fn zt_tamper_body(len: u32) -> i32;
        fn zt_tamper_signature(len: u32) -> i32;
    }
}
