//! JS values to what the core takes: body bytes, the signature header value, key bytes, time.

use js_sys::{Array, ArrayBuffer, Date, Function, Object, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue};

use super::fail::{Fail, Result};
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

    /// The body as a JS string, for `JSON.parse` and `rawBody`. Only called after the body
    /// parsed as an event, so bytes are valid UTF-8 here.
    pub(crate) fn into_text(self) -> String {
        match self {
            Body::Text(text) => text,
            Body::Bytes(bytes) => String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    }
}

/// Reads the body argument, refusing anything that is not a raw body.
pub(crate) fn body(value: &JsValue) -> Result<Body> {
    if let Some(text) = value.as_string() {
        return Ok(Body::Text(text));
    }
    if let Some(bytes) = bytes_of(value)? {
        return Ok(Body::Bytes(bytes));
    }
    Err(Fail::Core(if value.is_null() || value.is_undefined() {
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
    }))
}

/// The bytes of a Uint8Array, ArrayBuffer or other ArrayBufferView (Buffer, DataView, ...).
pub(crate) fn bytes_of(value: &JsValue) -> Result<Option<Vec<u8>>> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Ok(Some(array.to_vec()));
    }
    if let Some(buffer) = value.dyn_ref::<ArrayBuffer>() {
        return Ok(Some(Uint8Array::new(buffer).to_vec()));
    }
    if ArrayBuffer::is_view(value) {
        let buffer = Reflect::get(value, &"buffer".into())?;
        let offset = Reflect::get(value, &"byteOffset".into())?
            .as_f64()
            .unwrap_or(0.0);
        let length = Reflect::get(value, &"byteLength".into())?
            .as_f64()
            .unwrap_or(0.0);
        let Some(buffer) = buffer.dyn_ref::<ArrayBuffer>() else {
            return Err(Fail::Type(
                "The body's view is not backed by an ArrayBuffer.",
            ));
        };
        return Ok(Some(
            Uint8Array::new_with_byte_offset_and_length(buffer, offset as u32, length as u32)
                .to_vec(),
        ));
    }
    Ok(None)
}

/// The `N-Signature` value from a header value, a Fetch `Headers`, a `Map`, or a plain header
/// record (Node's `req.headers`), looked up case-insensitively. `Ok(None)` when absent.
pub(crate) fn signature(value: &JsValue) -> Result<Option<String>> {
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(None);
    }
    if !value.is_object() || value.is_array() {
        return Err(Fail::Type(
            "The second argument must be the N-Signature header value (a string) or the request headers (a Headers object or a record such as req.headers).",
        ));
    }
    // A Fetch `Headers` (case-insensitive itself), or anything else with a `get` method.
    if let Some(get) = Reflect::get(value, &"get".into())?.dyn_ref::<Function>() {
        let found = get.call1(value, &"n-signature".into())?;
        if found.is_null() || found.is_undefined() {
            if let Some(map) = value.dyn_ref::<js_sys::Map>() {
                return header_value(&find_in_map(map));
            }
        }
        return header_value(&found);
    }
    let object: &Object = value.unchecked_ref();
    for name in Object::keys(object).iter() {
        if is_signature_header(&name) {
            return header_value(&Reflect::get(value, &name)?);
        }
    }
    Ok(None)
}

fn is_signature_header(name: &JsValue) -> bool {
    name.as_string()
        .is_some_and(|n| n.eq_ignore_ascii_case("n-signature"))
}

/// A `Map` keyed by header names in any case.
fn find_in_map(map: &js_sys::Map) -> JsValue {
    let mut found = JsValue::UNDEFINED;
    map.for_each(&mut |value, key| {
        if found.is_undefined() && is_signature_header(&key) {
            found = value;
        }
    });
    found
}

fn header_value(found: &JsValue) -> Result<Option<String>> {
    if let Some(text) = found.as_string() {
        return Ok(Some(text));
    }
    if let Some(array) = found.dyn_ref::<Array>() {
        return match (array.length(), array.get(0).as_string()) {
            (1, Some(text)) => Ok(Some(text)),
            (0, _) => Ok(None),
            _ => Err(Fail::Core(Error::with_hint(
                ErrorCode::MalformedSignature,
                "The N-Signature header was sent more than once; Zentitle sends it once.",
            ))),
        };
    }
    if found.is_null() || found.is_undefined() {
        return Ok(None);
    }
    Err(ErrorCode::MalformedSignature.into())
}

/// A key option as bytes for the core's auto-detection: a string, bytes (DER), or a JWK
/// object (serialised to JSON text).
pub(crate) fn key(value: &JsValue) -> Result<Vec<u8>> {
    if let Some(text) = value.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(bytes) = bytes_of(value)? {
        return Ok(bytes);
    }
    if value.is_object() && !value.is_array() && !value.is_function() {
        let text = JSON::stringify(value)
            .map_err(|_| Fail::Type("The key object could not be read as a JWK."))?;
        return Ok(String::from(text).into_bytes());
    }
    Err(Fail::Type(
        "A key must be the RSA modulus from Zentitle, a PEM string, a JWK (object or JSON text), or DER bytes.",
    ))
}

/// A point in time as epoch milliseconds: a `Date` or a number; `None` for undefined.
pub(crate) fn time(value: &JsValue, what: &'static str) -> Result<Option<i64>> {
    if value.is_undefined() {
        return Ok(None);
    }
    let ms = if let Some(date) = value.dyn_ref::<Date>() {
        date.get_time()
    } else {
        value.as_f64().unwrap_or(f64::NAN)
    };
    if !ms.is_finite() || ms.abs() > 8.64e15 {
        return Err(Fail::Type(what));
    }
    Ok(Some(ms as i64))
}

/// The current time: the one clock read of the package, at the boundary.
pub(crate) fn now() -> i64 {
    Date::now() as i64
}

/// A property of an options object (`undefined` when `options` is not an object).
pub(crate) fn get(options: &JsValue, name: &str) -> Result<JsValue> {
    if !options.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    Ok(Reflect::get(options, &name.into())?)
}
