//! `parseEvent` and `isKnownEventCode`: event typing without verification.

use wasm_bindgen::prelude::*;

use super::convert;
use super::fail::Fail;
use super::verifier::parse_json;
use crate::event::{parse_event, EventCode};

/// Parses and validates an event body without checking any signature (for bodies verified
/// elsewhere, and tests). Throws `invalid_json` or `invalid_event`.
#[wasm_bindgen(js_name = parseEvent)]
pub fn js_parse_event(body: JsValue) -> Result<JsValue, JsValue> {
    let body = convert::body(&body).map_err(Fail::into_js)?;
    parse_event(body.bytes()).map_err(|e| Fail::Core(e).into_js())?;
    parse_json(body.into_text()).map_err(Fail::into_js)
}

/// `true` if `code` is an event code this version documents.
#[wasm_bindgen(js_name = isKnownEventCode)]
pub fn is_known_event_code(code: JsValue) -> bool {
    code.as_string()
        .is_some_and(|c| EventCode::from_code(&c).is_some())
}
