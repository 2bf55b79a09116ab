//! A failure at the boundary: a core error, a misuse of the API, or an exception thrown by
//! user code called from here (a getter, a de-duplicator). `verify` throws it; `safeVerify`
//! turns it into a result object.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};

#[wasm_bindgen(module = "/src/wasm/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = WebhookVerificationError)]
    type JsVerificationError;

    #[wasm_bindgen(constructor, js_class = "WebhookVerificationError")]
    fn new(code: &str, message: &str, status: u16, hint: Option<&str>) -> JsVerificationError;
}

pub(crate) enum Fail {
    /// A verification failure or a key problem: `WebhookVerificationError`.
    Core(Error),
    /// Arguments of the wrong kind: `TypeError`.
    Type(&'static str),
    /// Something thrown by user code; passed through as it was.
    Js(JsValue),
}

pub(crate) type Result<T> = core::result::Result<T, Fail>;

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail::Core(error)
    }
}

impl From<ErrorCode> for Fail {
    fn from(code: ErrorCode) -> Self {
        Fail::Core(code.into())
    }
}

impl From<JsValue> for Fail {
    fn from(value: JsValue) -> Self {
        Fail::Js(value)
    }
}

impl Fail {
    /// The value to throw.
    pub(crate) fn into_js(self) -> JsValue {
        match self {
            // The core's argument errors are a TypeError in JavaScript, like the boundary's own.
            Fail::Core(error) if error.code() == ErrorCode::InvalidArgument => {
                js_sys::TypeError::new(&error.to_string()).into()
            }
            Fail::Core(error) => JsVerificationError::new(
                error.code().code(),
                error.message(),
                error.status(),
                error.hint(),
            )
            .into(),
            Fail::Type(message) => js_sys::TypeError::new(message).into(),
            Fail::Js(value) => value,
        }
    }

    /// `{ ok: false, code, message, status, hint }` for `safeVerify`: never throws.
    pub(crate) fn into_result(self) -> JsValue {
        let (code, message, status, hint) = match &self {
            Fail::Core(e) => (
                e.code().code(),
                String::from(e.message()),
                e.status(),
                e.hint(),
            ),
            Fail::Type(message) => {
                let code = ErrorCode::InvalidArgument;
                (code.code(), String::from(*message), code.status(), None)
            }
            Fail::Js(value) => {
                let code = ErrorCode::InvalidArgument;
                let message = Reflect::get(value, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| String::from("A value passed in threw an exception."));
                (code.code(), message, code.status(), None)
            }
        };
        let result = Object::new();
        set(&result, "ok", &JsValue::FALSE);
        set(&result, "code", &code.into());
        set(&result, "message", &message.into());
        set(&result, "status", &status.into());
        set(
            &result,
            "hint",
            &hint.map_or(JsValue::UNDEFINED, JsValue::from),
        );
        result.into()
    }
}

/// Sets a property on an object we created: cannot fail.
pub(crate) fn set(target: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &key.into(), value);
}
