//! The payloads whose shape is public, declared once: each declaration gives the Rust struct,
//! its validation (ids required, every known field type-checked, unknown fields kept), and
//! the field table the TypeScript declarations are checked against.

use serde_json::{Map, Value};

use crate::error::Error;

/// The JSON type of a payload field (for the checks of the body scanner and the generated
/// TypeScript declarations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// A string (ids, names).
    Str,
    /// An RFC 3339 UTC timestamp string.
    Time,
    /// `true` or `false`.
    Bool,
    /// A JSON number.
    Num,
}

/// One payload field: its JSON name, type, whether it must be present, and what it means.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub(crate) name: &'static str,
    pub(crate) kind: FieldKind,
    pub(crate) required: bool,
    pub(crate) doc: &'static str,
}

/// One payload field as the body scanner checks it, with the hints of its two failures: the
/// only texts of them (`parse_event` runs these checks before it builds the payload).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldCheck {
    pub(crate) name: &'static str,
    pub(crate) kind: FieldKind,
    pub(crate) required: bool,
    pub(crate) missing: &'static str,
    pub(crate) wrong_type: &'static str,
}

macro_rules! type_hint {
    ($json:literal, Str) => {
        concat!("payload.", $json, " must be a string.")
    };
    ($json:literal, Time) => {
        concat!("payload.", $json, " must be an RFC 3339 UTC timestamp.")
    };
    ($json:literal, Bool) => {
        concat!("payload.", $json, " must be true or false.")
    };
    ($json:literal, Num) => {
        concat!("payload.", $json, " must be a number.")
    };
}

macro_rules! field_type {
    (Str, required) => { String };
    (Time, required) => { String };
    (Str, optional) => { Option<String> };
    (Time, optional) => { Option<String> };
    (Bool, optional) => { Option<bool> };
    (Num, optional) => { Option<f64> };
}

/// A field of a payload the scanner has checked (`check_event`: its hints are
/// [`FieldCheck`]'s): `None` when absent or null. A value of another type is not reachable
/// after the checks; it is refused ([`super::NOT_BUILT`]) rather than dropped.
macro_rules! take_field {
    ($map:ident, $json:literal, $kind:ident, required) => {
        take_field!($map, $json, $kind, optional)?.ok_or(super::NOT_BUILT)
    };
    ($map:ident, $json:literal, $kind:ident, optional) => {
        match $map.remove($json) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => take_field!(@value value, $kind).map(Some).ok_or(super::NOT_BUILT),
        }
    };
    (@value $value:ident, Str) => {
        match $value {
            Value::String(s) => Some(s),
            _ => None,
        }
    };
    (@value $value:ident, Time) => {
        take_field!(@value $value, Str)
    };
    (@value $value:ident, Bool) => {
        match $value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    };
    (@value $value:ident, Num) => {
        match $value {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    };
}

macro_rules! is_required {
    (required) => {
        true
    };
    (optional) => {
        false
    };
}

macro_rules! payload {
    ($(#[$doc:meta])* $name:ident { $($json:literal => $field:ident: $kind:ident $req:ident, $fdoc:literal;)* }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(#[doc = $fdoc] pub $field: field_type!($kind, $req),)*
            /// Fields this version does not know, as sent.
            pub extra: Map<String, Value>,
        }

        impl $name {
            /// The fields, as the JSON payload names them.
            #[cfg(all(test, not(target_arch = "wasm32")))]
            pub(crate) const FIELDS: &'static [FieldSpec] = &[
                $(FieldSpec { name: $json, kind: FieldKind::$kind, required: is_required!($req), doc: $fdoc },)*
            ];

            /// The fields as the body scanner checks them.
            pub(crate) const CHECKS: &'static [FieldCheck] = &[
                $(FieldCheck {
                    name: $json,
                    kind: FieldKind::$kind,
                    required: is_required!($req),
                    missing: concat!("payload.", $json, " is missing."),
                    wrong_type: type_hint!($json, $kind),
                },)*
            ];

            pub(crate) fn from_map(mut map: Map<String, Value>) -> Result<Self, Error> {
                $(let $field = take_field!(map, $json, $kind, $req)?;)*
                Ok($name { $($field,)* extra: map })
            }
        }
    };
}

payload! {
    /// `customer.created`, `customer.updated`.
    CustomerPayload {
        "customerId" => customer_id: Str required, "The customer's id (`cust_...`).";
        "name" => name: Str optional, "The customer's name.";
        "disabled" => disabled: Bool optional, "Whether the customer is disabled.";
    }
}

payload! {
    /// Entitlement events (`entitlement.created/updated/activated/renewed/expired/expires*`) and
    /// maintenance events (`entitlement.maintenance.*`).
    EntitlementPayload {
        "entitlementId" => entitlement_id: Str required, "The entitlement's id (`ent_...`).";
        "activatedAt" => activated_at: Time optional, "When the entitlement was activated.";
        "expiresAt" => expires_at: Time optional, "When the entitlement expires.";
        "daysToExpire" => days_to_expire: Num optional, "Days left, on the `expires*` reminders.";
        "maintenanceExpiresAt" => maintenance_expires_at: Time optional, "When maintenance expires.";
        "maintenanceExpiredAt" => maintenance_expired_at: Time optional, "When maintenance expired.";
    }
}

payload! {
    /// `entitlement.seat.activated`, `entitlement.seat.deactivated`.
    SeatPayload {
        "entitlementId" => entitlement_id: Str required, "The entitlement's id (`ent_...`).";
        "activationId" => activation_id: Str required, "The activation's id (`act_...`).";
        "seatId" => seat_id: Str required, "The seat's id, as the licensed application chose it.";
        "seatName" => seat_name: Str optional, "The seat's display name.";
        "seatsUsed" => seats_used: Num optional, "Seats in use after this event.";
        "isOverdraftSeat" => is_overdraft_seat: Bool optional, "Whether the seat is an overdraft seat.";
        "activatedAt" => activated_at: Time optional, "When the seat was activated.";
        "deactivatedAt" => deactivated_at: Time optional, "When the seat was deactivated.";
        "leaseExpiry" => lease_expiry: Time optional, "When the seat's lease expires.";
    }
}
