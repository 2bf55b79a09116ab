//! Core errors as JavaScript `WebhookVerificationError`s, and `TypeError`s for API misuse.

use wasm_bindgen::prelude::*;

use crate::error::Error;

#[wasm_bindgen(module = "/src/wasm/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = WebhookVerificationError)]
    type JsVerificationError;

    #[wasm_bindgen(constructor, js_class = "WebhookVerificationError")]
    fn new(code: &str, message: &str, status: u16, hint: Option<&str>) -> JsVerificationError;
}

/// A `WebhookVerificationError` carrying the core error's code, message, status and hint.
pub(crate) fn to_js(error: Error) -> JsValue {
    JsVerificationError::new(
        error.code().code(),
        error.message(),
        error.status(),
        error.hint(),
    )
    .into()
}

/// A `TypeError`: the API was called with arguments of the wrong kind.
pub(crate) fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}
