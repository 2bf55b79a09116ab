//! The option bags of the JS API, read into core values. Unknown members are ignored; members
//! of the wrong kind are a `TypeError`, named in the message.

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::{self, get};
use super::fail::{Fail, Result};
use crate::{KeyOptions, PublicKey, Verifier};

/// What `new WebhookVerifier(options)` sets up.
pub(crate) struct Setup {
    pub verifier: Verifier,
    /// A de-duplicator: any object with `remember(eventId)`.
    pub deduplicator: Option<JsValue>,
}

/// Reads `{ key } | { keys: [{ id, key }] }`, `minKeyBits`, `maxAgeSeconds`, `maxBodyBytes`,
/// `deduplicator`.
pub(crate) fn setup(options: &JsValue) -> Result<Setup> {
    if !options.is_object() {
        return Err(Fail::Type(
            "new WebhookVerifier(options): options must be an object such as { key }.",
        ));
    }
    let mut key_options = KeyOptions::default();
    let min = get(options, "minKeyBits")?;
    if !min.is_undefined() {
        key_options.min_key_bits =
            whole_number(&min, "options.minKeyBits must be a whole number of bits.")?;
    }
    let key = get(options, "key")?;
    let keys = get(options, "keys")?;
    let verifier = match (
        key.is_undefined() || key.is_null(),
        keys.is_undefined() || keys.is_null(),
    ) {
        (false, true) => Verifier::new(PublicKey::parse_with(convert::key(&key)?, key_options)?),
        (true, false) => {
            let Some(list) = keys.dyn_ref::<Array>() else {
                return Err(Fail::Type("options.keys must be an array of { id, key }."));
            };
            let mut entries = Vec::new();
            for entry in list.iter() {
                let Some(id) = get(&entry, "id")?.as_string() else {
                    return Err(Fail::Type(
                        "Each entry of options.keys needs an id (a string) and a key.",
                    ));
                };
                let key = get(&entry, "key")?;
                entries.push((id, PublicKey::parse_with(convert::key(&key)?, key_options)?));
            }
            Verifier::with_keys(entries)?
        }
        (false, false) => return Err(Fail::Type("Give options.key or options.keys, not both.")),
        (true, true) => {
            return Err(Fail::Type(
                "new WebhookVerifier(options): options.key (or options.keys) is required.",
            ))
        }
    };
    let mut verifier =
        verifier.max_age_seconds(max_age(&get(options, "maxAgeSeconds")?)?.flatten());
    let max_body = get(options, "maxBodyBytes")?;
    if !max_body.is_undefined() {
        let bytes = whole_number(
            &max_body,
            "options.maxBodyBytes must be a whole number of bytes.",
        )?;
        verifier = verifier.max_body_bytes(bytes as usize);
    }
    let deduplicator = get(options, "deduplicator")?;
    let deduplicator = if deduplicator.is_undefined() || deduplicator.is_null() {
        None
    } else if get(&deduplicator, "remember")?.is_function() {
        Some(deduplicator)
    } else {
        return Err(Fail::Type(
            "options.deduplicator must have a remember(eventId) method.",
        ));
    };
    Ok(Setup {
        verifier,
        deduplicator,
    })
}

/// Per-call options: `{ now, maxAgeSeconds }`.
pub(crate) struct CallOptions {
    pub now_ms: i64,
    /// `None`: the verifier's own window; `Some(None)`: off for this call.
    pub max_age: Option<Option<u64>>,
}

pub(crate) fn call(options: &JsValue) -> Result<CallOptions> {
    if !options.is_undefined() && !options.is_null() && !options.is_object() {
        return Err(Fail::Type(
            "The options argument must be an object such as { now, maxAgeSeconds }.",
        ));
    }
    let now_ms = convert::time(
        &get(options, "now")?,
        "options.now must be a Date or epoch milliseconds.",
    )?
    .unwrap_or_else(convert::now);
    Ok(CallOptions {
        now_ms,
        max_age: max_age(&get(options, "maxAgeSeconds")?)?,
    })
}

/// `undefined` → not given; `null` → off; a positive number of seconds → on.
fn max_age(value: &JsValue) -> Result<Option<Option<u64>>> {
    if value.is_undefined() {
        return Ok(None);
    }
    if value.is_null() {
        return Ok(Some(None));
    }
    match value.as_f64() {
        Some(s) if s > 0.0 && s.is_finite() => Ok(Some(Some(s.ceil() as u64))),
        _ => Err(Fail::Type(
            "maxAgeSeconds must be a positive number of seconds, or null to turn the window off.",
        )),
    }
}

fn whole_number(value: &JsValue, message: &'static str) -> Result<u32> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => Ok(n as u32),
        _ => Err(Fail::Type(message)),
    }
}

/// Calls `deduplicator.remember(eventId)`: a boolean, or a promise of one.
pub(crate) fn remember(deduplicator: &JsValue, event_id: &str) -> Result<JsValue> {
    let remember = get(deduplicator, "remember")?;
    let remember: &Function = remember.unchecked_ref();
    Ok(remember.call1(deduplicator, &event_id.into())?)
}
