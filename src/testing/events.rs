//! Realistic event bodies for every documented code, the UI's test event and unknown codes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::rand_core::CryptoRngCore;
use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorCode};
use crate::event::{EventCode, PayloadFamily};

/// The code the test kit gives the UI's "Test" event. Zentitle does not document the real one;
/// any undocumented code behaves the same: an unknown event with an empty payload.
pub const TEST_EVENT_CODE: &str = "webhook.test";

/// A Zentitle-style id: `prefix` + `_` + 22 base64url characters (16 random bytes).
pub fn random_id(rng: &mut impl CryptoRngCore, prefix: &str) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// `ms` since the Unix epoch as RFC 3339 UTC with 7 fractional digits, as .NET writes it.
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}0000Z")
}

/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

const DAY: i64 = 86_400_000;

// The samples' text carries what .NET's default JSON encoder escapes (non-ASCII, `+`, `<`, `>`,
// `&`, `'`), as real customers' names and seats do, so that a handler that verifies
// `JSON.stringify(req.body)` instead of the raw body fails in its first test, not in production.
/// The customer events' `name`.
pub const CUSTOMER_NAME: &str = "Société Générale & Fils <Müller>";
/// The seat events' `seatId`: seats are often named by their user's e-mail.
pub const SEAT_ID: &str = "josé.núñez+ci@example.com";
/// The seat events' `seatName`.
pub const SEAT_NAME: &str = "José's build agent <07>";
/// The usage summary's feature name.
pub const USAGE_FEATURE: &str = "Exports & reports";

/// A realistic event body for `code` at `now_ms`, with fresh ids, then `overrides` applied:
/// top-level members replace the envelope's, and a `payload` object is merged into the
/// payload (a `null` member removes a field).
///
/// # Errors
/// [`ErrorCode::InvalidArgument`] for an empty code or overrides that are not an object.
pub fn sample_event(
    rng: &mut impl CryptoRngCore,
    code: &str,
    now_ms: i64,
    overrides: Option<&Value>,
) -> Result<Value, Error> {
    if code.is_empty() {
        return Err(Error::with_hint(
            ErrorCode::InvalidArgument,
            "The event code is empty.",
        ));
    }
    let at = |offset: i64| Value::String(format_rfc3339(now_ms + offset));
    let customer = random_id(rng, "cust");
    let entitlement = random_id(rng, "ent");
    let activation = random_id(rng, "act");
    let known = EventCode::from_code(code);
    let days_to_expire = match code.rsplit('.').next() {
        Some("expires1day") => Some(1),
        Some("expires7days") => Some(7),
        Some("expires30days") => Some(30),
        _ => None,
    };
    let (resource, payload) = match known.map(EventCode::family) {
        Some(PayloadFamily::Customer) => (
            customer.clone(),
            json!({ "customerId": customer, "name": CUSTOMER_NAME, "disabled": false }),
        ),
        Some(PayloadFamily::Entitlement) => {
            let mut p = json!({ "entitlementId": entitlement, "activatedAt": at(-30 * DAY), "expiresAt": at(days_to_expire.unwrap_or(335) * DAY) });
            if let (Some(days), Some(map)) = (days_to_expire, p.as_object_mut()) {
                map.insert("daysToExpire".into(), days.into());
            }
            if code == "entitlement.expired" {
                p["expiresAt"] = at(-60_000);
            }
            (entitlement.clone(), p)
        }
        Some(PayloadFamily::Maintenance) => {
            let p = match days_to_expire {
                Some(days) => {
                    json!({ "entitlementId": entitlement, "maintenanceExpiresAt": at(days * DAY), "daysToExpire": days })
                }
                None => {
                    json!({ "entitlementId": entitlement, "maintenanceExpiredAt": at(-60_000) })
                }
            };
            (entitlement.clone(), p)
        }
        Some(PayloadFamily::Seat) => {
            let mut p = json!({
                "entitlementId": entitlement, "activationId": activation, "seatId": SEAT_ID,
                "seatName": SEAT_NAME, "seatsUsed": 3, "isOverdraftSeat": false, "activatedAt": at(-3_600_000),
            });
            if let Some(map) = p.as_object_mut() {
                if code == "entitlement.seat.deactivated" {
                    map.insert("deactivatedAt".into(), at(0));
                    map.insert("seatsUsed".into(), 2.into());
                } else {
                    map.insert("leaseExpiry".into(), at(DAY));
                }
            }
            (activation.clone(), p)
        }
        Some(PayloadFamily::Group) => {
            let group = random_id(rng, "egr");
            (
                group.clone(),
                json!({ "entitlementGroupId": group, "customerId": customer }),
            )
        }
        Some(PayloadFamily::Provision) => {
            (entitlement.clone(), json!({ "entitlementId": entitlement }))
        }
        Some(PayloadFamily::UsageSummary) => (
            entitlement.clone(),
            json!({ "entitlementId": entitlement, "usageResetAt": at(0), "usage": [{ "feature": USAGE_FEATURE, "used": 42 }] }),
        ),
        None if code == TEST_EVENT_CODE => (random_id(rng, "whl"), json!({})),
        None => (entitlement.clone(), json!({})),
    };
    let mut event = json!({
        "eventId": random_id(rng, "event"),
        "eventDate": at(0),
        "eventCode": code,
        "resourceId": resource,
        "callAttempt": 1,
        "payload": payload,
    });
    if let Some(overrides) = overrides {
        apply_overrides(&mut event, overrides)?;
    }
    Ok(event)
}

/// [`sample_event`] as the body Zentitle would send: compact JSON written the way .NET's
/// `System.Text.Json` writes it (`é` as `\u00E9`, `+` as `\u002B`, `<` as `\u003C`), which
/// `JSON.stringify` does not reproduce.
///
/// # Errors
/// As [`sample_event`].
pub fn sample_event_body(
    rng: &mut impl CryptoRngCore,
    code: &str,
    now_ms: i64,
    overrides: Option<&Value>,
) -> Result<String, Error> {
    let event = sample_event(rng, code, now_ms, overrides)?;
    dotnet_json(&event.to_string())
}

/// JSON text written again the way .NET's default encoder writes it (see [`sample_event_body`]).
///
/// # Errors
/// [`ErrorCode::InvalidArgument`] when `text` is not JSON.
pub fn dotnet_json(text: &str) -> Result<String, Error> {
    crate::diagnose::write_dotnet_json(text.as_bytes())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Error::with_hint(ErrorCode::InvalidArgument, "The event is not JSON."))
}

fn apply_overrides(event: &mut Value, overrides: &Value) -> Result<(), Error> {
    let Value::Object(overrides) = overrides else {
        return Err(Error::with_hint(
            ErrorCode::InvalidArgument,
            "Overrides must be an object such as { callAttempt: 2, payload: { seatsUsed: 5 } }.",
        ));
    };
    let Some(target) = event.as_object_mut() else {
        return Ok(());
    };
    for (name, value) in overrides {
        match (name.as_str(), value, target.get_mut(name)) {
            ("payload", Value::Object(fields), Some(Value::Object(payload))) => {
                merge(payload, fields)
            }
            (_, Value::Null, _) => {
                target.remove(name);
            }
            _ => {
                target.insert(name.clone(), value.clone());
            }
        }
    }
    Ok(())
}

fn merge(payload: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for (name, value) in fields {
        if value.is_null() {
            payload.remove(name);
        } else {
            payload.insert(name.clone(), value.clone());
        }
    }
}
