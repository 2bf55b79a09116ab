//! The test kit's JavaScript exports (`zentitle-webhooks/testing`), built only with the
//! `testing` feature into its own .wasm. Randomness: the JS runtime's, through getrandom.

use js_sys::{Function, Object, Reflect, JSON};
use rsa::rand_core::OsRng;
use wasm_bindgen::prelude::*;

use super::convert::{self, get};
use super::fail::{set, Fail, Result};
use crate::error::ErrorCode;
use crate::testing::{generate_key_pair, sample_event, tamper_body, tamper_signature, SigningKey};

/// `generateTestKeyPair({ bits = 2048 })` → `{ privateKeyPem, publicKeyPem, modulus, jwk }`.
#[wasm_bindgen(js_name = generateTestKeyPair)]
pub fn generate_test_key_pair(options: JsValue) -> core::result::Result<JsValue, JsValue> {
    (|| -> Result<JsValue> {
        let bits = get(&options, "bits")?;
        let bits = if bits.is_undefined() {
            2048.0
        } else {
            bits.as_f64().ok_or(Fail::Type("bits must be a number."))?
        };
        let pair = generate_key_pair(&mut OsRng, bits as u32)?;
        let result = Object::new();
        set(&result, "privateKeyPem", &pair.private_key_pem.into());
        set(&result, "publicKeyPem", &pair.public_key_pem.into());
        set(&result, "modulus", &pair.modulus.into());
        set(&result, "jwk", &JSON::parse(&pair.jwk)?);
        Ok(result.into())
    })()
    .map_err(Fail::into_js)
}

/// `signPayload(body, privateKey)` → the `N-Signature` value.
#[wasm_bindgen(js_name = signPayload)]
pub fn sign_payload(body: JsValue, private_key: JsValue) -> core::result::Result<String, JsValue> {
    (|| -> Result<String> {
        let body = body_bytes(&body)?;
        Ok(signing_key(&private_key)?.sign(&body))
    })()
    .map_err(Fail::into_js)
}

/// `createTestEvent(eventCode, overrides?, { now }?)` → a realistic event object.
#[wasm_bindgen(js_name = createTestEvent)]
pub fn create_test_event(
    code: JsValue,
    overrides: JsValue,
    options: JsValue,
) -> core::result::Result<JsValue, JsValue> {
    (|| -> Result<JsValue> { Ok(JSON::parse(&event_json(&code, &overrides, &options)?)?) })()
        .map_err(Fail::into_js)
}

/// `buildSignedRequest({ privateKey, eventCode | event | body, overrides?, url?, now? })` →
/// `{ body, headers, request }`: the body text, the headers Zentitle would send, and a Fetch
/// `Request` (where the runtime has one).
#[wasm_bindgen(js_name = buildSignedRequest)]
pub fn build_signed_request(options: JsValue) -> core::result::Result<JsValue, JsValue> {
    (|| -> Result<JsValue> {
        if !options.is_object() {
            return Err(Fail::Type("buildSignedRequest(options): options must be an object with privateKey and eventCode, event or body."));
        }
        let key = signing_key(&get(&options, "privateKey")?)?;
        let body = get(&options, "body")?;
        let event = get(&options, "event")?;
        let text = if !body.is_undefined() {
            body_or_event(&body)?
        } else if !event.is_undefined() {
            body_or_event(&event)?
        } else {
            event_json(&get(&options, "eventCode")?, &get(&options, "overrides")?, &options)?
        };
        let signature = key.sign(text.as_bytes());
        let headers = Object::new();
        set(&headers, "content-type", &"application/json".into());
        set(&headers, "n-signature", &signature.clone().into());
        let result = Object::new();
        set(&result, "body", &text.clone().into());
        set(&result, "signature", &signature.into());
        set(&result, "headers", &headers);
        let url = get(&options, "url")?;
        let url = url.as_string().unwrap_or_else(|| String::from("http://127.0.0.1/webhooks/zentitle"));
        let request_class = Reflect::get(&js_sys::global(), &"Request".into())?;
        if let Some(request_class) = request_class.dyn_ref::<Function>() {
            let init = Object::new();
            set(&init, "method", &"POST".into());
            set(&init, "body", &text.into());
            set(&init, "headers", &headers);
            let args = js_sys::Array::of2(&url.into(), &init);
            set(&result, "request", &Reflect::construct(request_class, &args)?);
        }
        Ok(result.into())
    })()
    .map_err(Fail::into_js)
}

/// `tamperBody(body)` → the body with one character changed, still valid JSON for a JSON body.
#[wasm_bindgen(js_name = tamperBody)]
pub fn js_tamper_body(body: JsValue) -> core::result::Result<String, JsValue> {
    body_or_event(&body)
        .map(|text| tamper_body(&text))
        .map_err(Fail::into_js)
}

/// `tamperSignature(signature)` → the signature with one bit flipped, still valid base64.
#[wasm_bindgen(js_name = tamperSignature)]
pub fn js_tamper_signature(signature: JsValue) -> core::result::Result<String, JsValue> {
    let text = signature.as_string().ok_or_else(|| {
        Fail::Type("tamperSignature(signature): signature must be a string.").into_js()
    })?;
    tamper_signature(&text)
        .ok_or_else(|| Fail::Core(ErrorCode::MalformedSignature.into()).into_js())
}

fn signing_key(value: &JsValue) -> Result<SigningKey> {
    if value.is_undefined() || value.is_null() {
        return Err(Fail::Type("A private key is required (PEM text or DER bytes), e.g. generateTestKeyPair().privateKeyPem."));
    }
    Ok(SigningKey::parse(&convert::key(value)?)?)
}

/// A body's bytes: a string (UTF-8), bytes as they are, or an event object (its JSON text).
fn body_bytes(value: &JsValue) -> Result<Vec<u8>> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = convert::bytes_of(value)? {
        return Ok(bytes);
    }
    if value.is_object() {
        return Ok(String::from(JSON::stringify(value)?).into_bytes());
    }
    Err(Fail::Type(
        "The body must be a string, bytes, or an event object.",
    ))
}

/// A body as text, for the deliveries the kit builds (and alters).
fn body_or_event(value: &JsValue) -> Result<String> {
    String::from_utf8(body_bytes(value)?)
        .map_err(|_| Fail::Type("The body bytes are not UTF-8 text."))
}

fn event_json(code: &JsValue, overrides: &JsValue, options: &JsValue) -> Result<String> {
    let code = code.as_string().ok_or(Fail::Type(
        "The event code must be a string, e.g. \"entitlement.seat.activated\".",
    ))?;
    let overrides = if overrides.is_undefined() || overrides.is_null() {
        None
    } else {
        let text = String::from(JSON::stringify(overrides)?);
        Some(
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|_| Fail::Type("overrides must be JSON-serialisable."))?,
        )
    };
    let now = convert::time(
        &get(options, "now")?,
        "now must be a Date or epoch milliseconds.",
    )?
    .unwrap_or_else(convert::now);
    Ok(sample_event(&mut OsRng, &code, now, overrides.as_ref())?.to_string())
}
