//! `WebhookVerifier`, the JavaScript face of [`crate::Verifier`].

use std::rc::Rc;

use js_sys::{Object, Promise, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use super::convert::{self, get, Body};
use super::fail::{set, Fail, Result};
use super::options::{self, CallOptions};
use crate::error::{Error, ErrorCode};
use crate::Verifier;

struct State {
    verifier: Verifier,
    deduplicator: Option<JsValue>,
}

/// A delivery whose signature, envelope and replay window checked out, before
/// de-duplication.
struct Checked {
    body: Body,
    event_id: String,
    key_id: Option<String>,
}

/// Verifies the webhooks Zentitle2 sends with the account's RSA public key (or keys).
///
/// Build one at start-up and reuse it: keys are read and prepared once.
#[wasm_bindgen(js_name = WebhookVerifier)]
pub struct JsWebhookVerifier {
    state: Rc<State>,
}

#[wasm_bindgen(js_class = WebhookVerifier)]
impl JsWebhookVerifier {
    /// `new WebhookVerifier({ key } | { keys: [{ id, key }], minKeyBits?, maxAgeSeconds?, deduplicator? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> core::result::Result<JsWebhookVerifier, JsValue> {
        let setup = options::setup(&options).map_err(Fail::into_js)?;
        Ok(JsWebhookVerifier {
            state: Rc::new(State {
                verifier: setup.verifier,
                deduplicator: setup.deduplicator,
            }),
        })
    }

    /// `true` if the signature signs exactly `body` under one of the keys; `false` for any
    /// missing, malformed or wrong signature. Throws only for a body that is not raw.
    #[wasm_bindgen(js_name = verifySignature)]
    pub fn verify_signature(
        &self,
        body: JsValue,
        signature: JsValue,
    ) -> core::result::Result<bool, JsValue> {
        let body = convert::body(&body).map_err(Fail::into_js)?;
        let signature = match convert::signature(&signature) {
            Ok(Some(signature)) => signature,
            Ok(None) | Err(Fail::Core(_)) => return Ok(false),
            Err(fail) => return Err(fail.into_js()),
        };
        Ok(self
            .state
            .verifier
            .verify_signature(body.bytes(), &signature)
            .is_ok())
    }

    /// Verifies the delivery and returns the typed event; throws `WebhookVerificationError`.
    pub fn verify(
        &self,
        body: JsValue,
        signature: JsValue,
        options: JsValue,
    ) -> core::result::Result<JsValue, JsValue> {
        verify_sync(&self.state, &body, &signature, &options)
            .map(|(event, _)| event)
            .map_err(Fail::into_js)
    }

    /// Like `verify`, but never throws: `{ ok: true, event, keyId }` or
    /// `{ ok: false, code, message, status, hint }`.
    #[wasm_bindgen(js_name = safeVerify)]
    pub fn safe_verify(&self, body: JsValue, signature: JsValue, options: JsValue) -> JsValue {
        match verify_sync(&self.state, &body, &signature, &options) {
            Ok((event, key_id)) => {
                let result = Object::new();
                set(&result, "ok", &JsValue::TRUE);
                set(&result, "event", &event);
                set(
                    &result,
                    "keyId",
                    &key_id.map_or(JsValue::NULL, JsValue::from),
                );
                result.into()
            }
            Err(fail) => fail.into_result(),
        }
    }

    /// `verify` for a de-duplicator whose `remember` returns a promise (Redis, Workers KV):
    /// resolves to `{ event, keyId }`.
    #[wasm_bindgen(js_name = verifyAsync)]
    pub fn verify_async(&self, body: JsValue, signature: JsValue, options: JsValue) -> Promise {
        let state = Rc::clone(&self.state);
        let checked = check(&state, &body, &signature, &options);
        future_to_promise(async move {
            let checked = checked.map_err(Fail::into_js)?;
            finish_async(&state, checked, false)
                .await
                .map_err(Fail::into_js)
        })
    }

    /// Reads a Fetch `Request`'s body once, verifies it with the request's headers, and
    /// resolves to `{ event, rawBody, keyId }`.
    #[wasm_bindgen(js_name = verifyRequest)]
    pub fn verify_request(&self, request: JsValue, options: JsValue) -> Promise {
        let state = Rc::clone(&self.state);
        future_to_promise(async move {
            let (body, headers) = read_request(&request).await.map_err(Fail::into_js)?;
            let checked = check(&state, &body, &headers, &options).map_err(Fail::into_js)?;
            finish_async(&state, checked, true)
                .await
                .map_err(Fail::into_js)
        })
    }
}

fn verify_sync(
    state: &State,
    body: &JsValue,
    signature: &JsValue,
    options: &JsValue,
) -> Result<(JsValue, Option<String>)> {
    let checked = check(state, body, signature, options)?;
    if let Some(deduplicator) = &state.deduplicator {
        let first = options::remember(deduplicator, &checked.event_id)?;
        if first.has_type::<Promise>() || get(&first, "then")?.is_function() {
            return Err(Fail::Type(
                "The deduplicator's remember() returned a promise: use verifyAsync() or verifyRequest() with an asynchronous store.",
            ));
        }
        if !first.is_truthy() {
            return Err(ErrorCode::DuplicateEvent.into());
        }
    }
    Ok((parse_json(checked.body.into_text())?, checked.key_id))
}

async fn finish_async(state: &State, checked: Checked, with_raw_body: bool) -> Result<JsValue> {
    if let Some(deduplicator) = &state.deduplicator {
        let first = options::remember(deduplicator, &checked.event_id)?;
        let first = if first.has_type::<Promise>() {
            JsFuture::from(Promise::from(first)).await?
        } else {
            first
        };
        if !first.is_truthy() {
            return Err(ErrorCode::DuplicateEvent.into());
        }
    }
    let text = checked.body.into_text();
    let result = Object::new();
    if with_raw_body {
        set(&result, "rawBody", &JsValue::from_str(&text));
    }
    set(&result, "event", &parse_json(text)?);
    set(
        &result,
        "keyId",
        &checked.key_id.map_or(JsValue::NULL, JsValue::from),
    );
    Ok(result.into())
}

/// Signature, envelope and replay window: everything but de-duplication.
fn check(state: &State, body: &JsValue, signature: &JsValue, options: &JsValue) -> Result<Checked> {
    let body = convert::body(body)?;
    let signature = convert::signature(signature)?.ok_or(ErrorCode::MissingSignature)?;
    let CallOptions { now_ms, max_age } = options::call(options)?;
    let max_age = max_age.unwrap_or(state.verifier.replay_window());
    let verified = state
        .verifier
        .verify_with_max_age(body.bytes(), &signature, now_ms, max_age)?;
    let key_id = verified.key_id.map(String::from);
    Ok(Checked {
        event_id: verified.event.event_id,
        key_id,
        body,
    })
}

/// The body bytes and headers of a Fetch `Request`, read once.
async fn read_request(request: &JsValue) -> Result<(JsValue, JsValue)> {
    let array_buffer = get(request, "arrayBuffer")?;
    let headers = get(request, "headers")?;
    let Some(array_buffer) = array_buffer.dyn_ref::<js_sys::Function>() else {
        return Err(Fail::Type(
            "verifyRequest(request): request must be a Fetch Request.",
        ));
    };
    if get(request, "bodyUsed")?.is_truthy() {
        return Err(Fail::Core(Error::with_hint(
            ErrorCode::BodyNotRaw,
            "The request's body was already read: call verifyRequest() before anything else reads it, and use the rawBody it returns.",
        )));
    }
    let promise = array_buffer.call0(request)?;
    let bytes = JsFuture::from(Promise::resolve(&promise)).await?;
    Ok((bytes, headers))
}

/// The verified body as a JS value, parsed by the engine's own `JSON.parse`: every field
/// Zentitle sent is kept. The core has already validated it as an event.
pub(crate) fn parse_json(text: String) -> Result<JsValue> {
    JSON::parse(&text).map_err(|_| Fail::Core(ErrorCode::InvalidJson.into()))
}
