//! JS values to what the core takes: body bytes, the signature header value, key bytes.

use js_sys::{Array, ArrayBuffer, Function, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::error::{to_js, type_error};
use crate::error::{Error, ErrorCode};

/// The raw body, as received.
pub(crate) enum Body {
    /// A string: the text as received (its UTF-8 bytes were signed).
    Text(String),
    /// Bytes: a Uint8Array, Buffer, ArrayBuffer or any other ArrayBufferView.
    Bytes(Vec<u8>),
}

impl Body {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Body::Text(text) => text.as_bytes(),
            Body::Bytes(bytes) => bytes,
        }
    }
}

/// Reads the body argument, refusing anything that is not a raw body.
pub(crate) fn body(value: &JsValue) -> Result<Body, Error> {
    if let Some(text) = value.as_string() {
        return Ok(Body::Text(text));
    }
    if let Some(bytes) = bytes_of(value) {
        return Ok(Body::Bytes(bytes));
    }
    Err(if value.is_null() || value.is_undefined() {
        Error::with_hint(
            ErrorCode::BodyNotRaw,
            "No body was given. Read the raw body first: `await request.text()` (Fetch), or `express.raw({ type: \"application/json\" })` in Express.",
        )
    } else if value.is_object() {
        Error::with_hint(
            ErrorCode::BodyNotRaw,
            "This looks like a parsed JSON body. A parsed and re-serialised body does not verify: pass the raw body (`await request.text()`, or `express.raw({ type: \"application/json\" })` in Express) and let verify() parse it.",
        )
    } else {
        Error::with_hint(
            ErrorCode::BodyNotRaw,
            "Pass the body as a string or bytes, exactly as received.",
        )
    })
}

/// The bytes of a Uint8Array, ArrayBuffer or other ArrayBufferView (Buffer, DataView, ...).
pub(crate) fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Some(array.to_vec());
    }
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Some(Uint8Array::new(buffer).to_vec());
    }
    if ArrayBuffer::is_view(value) {
        let buffer = Reflect::get(value, &"buffer".into()).ok()?;
        let offset = Reflect::get(value, &"byteOffset".into()).ok()?.as_f64()?;
        let length = Reflect::get(value, &"byteLength".into()).ok()?.as_f64()?;
        let buffer = buffer.dyn_into::<ArrayBuffer>().ok()?;
        return Some(
            Uint8Array::new_with_byte_offset_and_length(&buffer, offset as u32, length as u32)
                .to_vec(),
        );
    }
    None
}

/// The `N-Signature` value from a header value, a Fetch `Headers`, or a plain header record
/// (Node's `req.headers`), looked up case-insensitively. `Ok(None)` when absent.
pub(crate) fn signature(value: &JsValue) -> Result<Option<String>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    if !value.is_object() || value.is_array() {
        return Err(type_error(
            "The second argument must be the N-Signature header value (a string) or the request headers (a Headers object or a record such as req.headers).",
        ));
    }
    // A Fetch `Headers` (or anything with a `get` method, like a Map of headers).
    if let Ok(get) = Reflect::get(value, &"get".into()) {
        if let Some(get) = get.dyn_ref::<Function>() {
            let found = get.call1(value, &"n-signature".into())?;
            return header_value(&found);
        }
    }
    let object: &Object = value.unchecked_ref();
    for name in Object::keys(object).iter() {
        if name
            .as_string()
            .is_some_and(|n| n.eq_ignore_ascii_case("n-signature"))
        {
            return header_value(&Reflect::get(value, &name)?);
        }
    }
    Ok(None)
}

fn header_value(found: &JsValue) -> Result<Option<String>, JsValue> {
    if let Some(text) = found.as_string() {
        return Ok(Some(text));
    }
    if let Some(array) = found.dyn_ref::<Array>() {
        return match (array.length(), array.get(0).as_string()) {
            (1, Some(text)) => Ok(Some(text)),
            (0, _) => Ok(None),
            _ => Err(to_js(Error::with_hint(
                ErrorCode::MalformedSignature,
                "The N-Signature header was sent more than once; Zentitle sends it once.",
            ))),
        };
    }
    if found.is_null() || found.is_undefined() {
        return Ok(None);
    }
    Err(to_js(Error::new(ErrorCode::MalformedSignature)))
}

/// The key option as bytes for the core's auto-detection: a string, bytes (DER), or a JWK
/// object (serialised to JSON text).
pub(crate) fn key(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = bytes_of(value) {
        return Ok(bytes);
    }
    if value.is_object() && !value.is_array() {
        let text = JSON::stringify(value)
            .map_err(|_| type_error("The key object could not be read as a JWK."))?;
        return Ok(String::from(text).into_bytes());
    }
    Err(type_error(
        "options.key must be the RSA modulus from Zentitle, a PEM string, a JWK (object or JSON text), or DER bytes.",
    ))
}
