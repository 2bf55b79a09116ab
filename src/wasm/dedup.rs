//! `MemoryDeduplicator`, the JavaScript face of [`crate::MemoryDeduplicator`].

use wasm_bindgen::prelude::*;

use super::convert::{self, get};
use super::fail::Fail;
use crate::MemoryDeduplicator;

const DEFAULT_TTL_SECONDS: u32 = 24 * 60 * 60;
const DEFAULT_MAX_ENTRIES: usize = 100_000;

/// Remembers accepted event ids for a while, in this process: pass it as the
/// `deduplicator` option, and a repeated `eventId` is `duplicate_event`.
#[wasm_bindgen(js_name = MemoryDeduplicator)]
pub struct JsMemoryDeduplicator {
    inner: MemoryDeduplicator,
}

#[wasm_bindgen(js_class = MemoryDeduplicator)]
impl JsMemoryDeduplicator {
    /// `new MemoryDeduplicator({ ttlSeconds = 86400, maxEntries = 100000 })`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsMemoryDeduplicator, JsValue> {
        let number = |name: &str, default: f64| -> Result<f64, JsValue> {
            let value = get(&options, name).map_err(Fail::into_js)?;
            if value.is_undefined() {
                return Ok(default);
            }
            match value.as_f64() {
                Some(n) if n >= 1.0 && n.is_finite() => Ok(n),
                _ => Err(Fail::Type(
                    "MemoryDeduplicator: ttlSeconds and maxEntries must be numbers of at least 1.",
                )
                .into_js()),
            }
        };
        let ttl = number("ttlSeconds", f64::from(DEFAULT_TTL_SECONDS))?.min(f64::from(u32::MAX));
        let max = number("maxEntries", DEFAULT_MAX_ENTRIES as f64)?.min(1e9);
        Ok(JsMemoryDeduplicator {
            inner: MemoryDeduplicator::new(ttl as u32, max as usize),
        })
    }

    /// `true` the first time `eventId` is seen within the TTL (and remembers it); `false` for
    /// a duplicate. `now` (a `Date` or epoch milliseconds) defaults to the clock.
    pub fn remember(&mut self, event_id: JsValue, now: JsValue) -> Result<bool, JsValue> {
        let Some(event_id) = event_id.as_string() else {
            return Err(Fail::Type("remember(eventId): eventId must be a string.").into_js());
        };
        let now = convert::time(
            &now,
            "remember(eventId, now): now must be a Date or epoch milliseconds.",
        )
        .map_err(Fail::into_js)?
        .unwrap_or_else(convert::now);
        Ok(self.inner.remember(&event_id, now))
    }

    /// How many event ids are remembered now.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}
