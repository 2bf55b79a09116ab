//! `WebhookVerifier`, the JavaScript face of [`crate::Verifier`].

use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;

use super::convert::{self, Body};
use super::error::{to_js, type_error};
use crate::error::{Error, ErrorCode};
use crate::{KeyOptions, PublicKey, Verifier};

/// Verifies the webhooks Zentitle2 sends with the account's RSA public key.
///
/// Build one per key at start-up and reuse it: the key is read and prepared once.
#[wasm_bindgen]
pub struct WebhookVerifier {
    inner: Verifier,
}

#[wasm_bindgen]
impl WebhookVerifier {
    /// `new WebhookVerifier({ key, minKeyBits? })`.
    ///
    /// `key`: the "RSA Modulus (n)" shown by Zentitle, a PEM public key, a JWK (object or
    /// JSON text), or DER bytes. Throws `WebhookVerificationError` `invalid_key` or
    /// `weak_key` for an unusable key, `TypeError` for a missing one.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<WebhookVerifier, JsValue> {
        if !options.is_object() {
            return Err(type_error(
                "new WebhookVerifier(options): options must be an object such as { key }.",
            ));
        }
        let key = Reflect::get(&options, &"key".into())?;
        if key.is_undefined() || key.is_null() {
            return Err(type_error(
                "new WebhookVerifier(options): options.key is required.",
            ));
        }
        let mut key_options = KeyOptions::default();
        let min = Reflect::get(&options, &"minKeyBits".into())?;
        if !min.is_undefined() {
            match min.as_f64() {
                Some(bits)
                    if bits.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&bits) =>
                {
                    key_options.min_key_bits = bits as u32;
                }
                _ => {
                    return Err(type_error(
                        "options.minKeyBits must be a whole number of bits.",
                    ))
                }
            }
        }
        let key = PublicKey::parse_with(convert::key(&key)?, key_options).map_err(to_js)?;
        Ok(WebhookVerifier {
            inner: Verifier::new(key),
        })
    }

    /// `true` if `signature` (the `N-Signature` value, or the request headers) signs exactly
    /// `body`; `false` for any missing, malformed or wrong signature. Throws only when `body`
    /// is not a raw body (`body_not_raw`) or the arguments are of the wrong kind.
    #[wasm_bindgen(js_name = verifySignature)]
    pub fn verify_signature(&self, body: JsValue, signature: JsValue) -> Result<bool, JsValue> {
        let body = convert::body(&body).map_err(to_js)?;
        let Some(signature) = convert::signature(&signature).or_else(|e| {
            if is_verification_error(&e) {
                Ok(None)
            } else {
                Err(e)
            }
        })?
        else {
            return Ok(false);
        };
        Ok(self
            .inner
            .verify_signature(body.bytes(), &signature)
            .is_ok())
    }

    /// Verifies the body and returns it parsed as JSON; throws `WebhookVerificationError`
    /// for anything that must not be trusted.
    pub fn verify(&self, body: JsValue, signature: JsValue) -> Result<JsValue, JsValue> {
        let body = convert::body(&body).map_err(to_js)?;
        let signature = convert::signature(&signature)?
            .ok_or_else(|| to_js(ErrorCode::MissingSignature.into()))?;
        self.inner
            .verify_signature(body.bytes(), &signature)
            .map_err(to_js)?;
        parse_json(body).map_err(to_js)
    }
}

fn is_verification_error(value: &JsValue) -> bool {
    Reflect::get(value, &"code".into()).is_ok_and(|code| code.is_string())
}

/// The verified body as a JS value, parsed by the engine's own `JSON.parse`.
fn parse_json(body: Body) -> Result<JsValue, Error> {
    let text = match body {
        Body::Text(text) => text,
        Body::Bytes(bytes) => String::from_utf8(bytes).map_err(|_| {
            Error::with_hint(
                ErrorCode::InvalidJson,
                "The body is not valid UTF-8; Zentitle sends UTF-8 JSON.",
            )
        })?,
    };
    if text.starts_with('\u{feff}') {
        return Err(Error::with_hint(
            ErrorCode::InvalidJson,
            "The body starts with a byte-order mark (BOM), which Zentitle does not send: something between Zentitle and this handler added it.",
        ));
    }
    JSON::parse(&text).map_err(|_| Error::new(ErrorCode::InvalidJson))
}
