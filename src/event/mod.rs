//! Zentitle event bodies: one envelope for every event, and a payload whose type follows the
//! event code.
//!
//! Parsing happens only on a body whose signature verified (or through [`parse_event`], for
//! bodies verified elsewhere). Nothing Zentitle sent is dropped: fields this version does not
//! know stay in `extra`, and unknown event codes pass as [`Payload::Json`].

mod code;
mod payload;
mod scan;
mod timestamp;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod typescript;

use serde_json::{Map, Value};

pub use code::{EventCode, PayloadFamily};
pub use payload::{CustomerPayload, EntitlementPayload, SeatPayload};
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) use payload::{FieldKind, FieldSpec};
pub(crate) use scan::{check_event, Checked};
pub use timestamp::parse_utc_millis;

use crate::error::{Error, ErrorCode};

/// A payload, typed by the event's family.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// `customer.*`.
    Customer(CustomerPayload),
    /// `entitlement.*` lifecycle events and `entitlement.maintenance.*`.
    Entitlement(EntitlementPayload),
    /// `entitlement.seat.*`.
    Seat(SeatPayload),
    /// Events without a public payload shape (group, provision, usage summary) and unknown
    /// codes: the payload as sent (`Value::Null` when absent).
    Json(Value),
}

/// A Zentitle webhook event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Event {
    /// `event_` + 22 base64url characters; the same across retries: the idempotency key.
    pub event_id: String,
    /// When the event happened, RFC 3339 UTC, as sent.
    pub event_date: String,
    /// [`event_date`](Self::event_date) in milliseconds since the Unix epoch.
    pub event_date_unix_ms: i64,
    /// The event code as sent, known or not.
    pub event_code: String,
    /// The resource the event is about (`cust_...`, `ent_...`, `act_...`; `whl_...` for the
    /// test event).
    pub resource_id: String,
    /// Delivery attempt, from 1.
    pub call_attempt: u32,
    /// The payload, typed by the event code.
    pub payload: Payload,
    /// Envelope fields this version does not know, as sent.
    pub extra: Map<String, Value>,
}

impl Event {
    /// The documented code of this event, or `None` for a code this version does not know.
    pub fn code(&self) -> Option<EventCode> {
        EventCode::from_code(&self.event_code)
    }
}

/// Parses and validates an event body, without checking any signature.
///
/// The checks are the body scanner's (the one the WebAssembly module runs, `event/scan.rs`):
/// they run first, and the typed value is then built from a body known to be valid, so that
/// every verdict and hint exists once.
///
/// # Errors
/// [`ErrorCode::InvalidJson`] if `body` is not UTF-8 JSON; [`ErrorCode::InvalidEvent`] if it is
/// not an event envelope, or a known payload has a field of the wrong type (the hint names it).
pub fn parse_event(body: &[u8]) -> Result<Event, Error> {
    let checked = check_event(body)?;
    let value: Value =
        serde_json::from_slice(body).map_err(|_| Error::new(ErrorCode::InvalidJson))?;
    let Value::Object(mut map) = value else {
        return Err(NOT_BUILT);
    };
    let event_id = take_string(&mut map, "eventId")?;
    let event_date = take_string(&mut map, "eventDate")?;
    let event_code = take_string(&mut map, "eventCode")?;
    let resource_id = take_string(&mut map, "resourceId")?;
    let call_attempt = match map.remove("callAttempt") {
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    }
    .ok_or(NOT_BUILT)?;
    let payload_value = map.remove("payload");
    let payload = match EventCode::from_code(&event_code).map(EventCode::family) {
        Some(PayloadFamily::Customer) => {
            Payload::Customer(CustomerPayload::from_map(object(payload_value)?)?)
        }
        Some(PayloadFamily::Entitlement | PayloadFamily::Maintenance) => {
            Payload::Entitlement(EntitlementPayload::from_map(object(payload_value)?)?)
        }
        Some(PayloadFamily::Seat) => Payload::Seat(SeatPayload::from_map(object(payload_value)?)?),
        Some(PayloadFamily::Group | PayloadFamily::Provision | PayloadFamily::UsageSummary)
        | None => Payload::Json(payload_value.unwrap_or(Value::Null)),
    };
    Ok(Event {
        event_id,
        event_date,
        event_date_unix_ms: checked.event_date_unix_ms,
        event_code,
        resource_id,
        call_attempt,
        payload,
        extra: map,
    })
}

const EMPTY_HINT: &str = "The body is empty: was it read (consumed) before it was verified?";

const BOM_HINT: &str = "The body starts with a byte-order mark (BOM), which Zentitle does not send: something between Zentitle and this handler added it.";

/// A value the scanner accepted that serde_json does not build as the scanner read it: not
/// reachable (the differential test in `scan/tests.rs` holds the two together), and an error
/// rather than a panic if it were.
const NOT_BUILT: Error = Error::new(ErrorCode::InvalidEvent);

fn invalid(hint: &'static str) -> Error {
    Error::with_hint(ErrorCode::InvalidEvent, hint)
}

fn take_string(map: &mut Map<String, Value>, name: &str) -> Result<String, Error> {
    match map.remove(name) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(NOT_BUILT),
    }
}

fn object(value: Option<Value>) -> Result<Map<String, Value>, Error> {
    match value {
        Some(Value::Object(map)) => Ok(map),
        _ => Err(NOT_BUILT),
    }
}

#[cfg(test)]
mod tests;
