//! The checks of [`parse_event`](super::parse_event) in one pass over the bytes, building no
//! JSON tree: the WebAssembly module validates a verified body with it, and the engine's own
//! `JSON.parse` then builds the value, once. (`parse_event`, natively, builds the typed
//! [`Event`](super::Event) with serde_json; a differential test holds the two to the same
//! verdict, code and hint for every body.)
//!
//! JSON as serde_json reads it (see [`crate::json`]); a repeated member counts with its last
//! value.

use super::code::{EventCode, PayloadFamily};
use super::payload::{CustomerPayload, EntitlementPayload, FieldCheck, FieldKind, SeatPayload};
use super::timestamp::utc_millis;
use super::{invalid, BOM_HINT, EMPTY_HINT};
use crate::error::{Error, ErrorCode};
use crate::json::{Item, Kind, Scan};

/// What the WebAssembly boundary needs of a valid event.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Checked {
    pub(crate) event_id: String,
    pub(crate) event_date_unix_ms: i64,
}

/// The envelope's members, in the order they are checked (`payload` last); a member's value
/// is kept at its index (`Member::EventCode as usize`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Member {
    EventId,
    EventDate,
    EventCode,
    ResourceId,
    CallAttempt,
    Payload,
}

impl Member {
    const ALL: [Member; 6] = [
        Member::EventId,
        Member::EventDate,
        Member::EventCode,
        Member::ResourceId,
        Member::CallAttempt,
        Member::Payload,
    ];

    /// The members' names, at their index (a table: one loop over it finds a key).
    const NAMES: [&'static str; 6] = {
        let mut names = [""; 6];
        let mut i = 0;
        while i < names.len() {
            names[i] = Member::ALL[i].name();
            i += 1;
        }
        names
    };

    /// The member's name in the JSON body.
    const fn name(self) -> &'static str {
        match self {
            Member::EventId => "eventId",
            Member::EventDate => "eventDate",
            Member::EventCode => "eventCode",
            Member::ResourceId => "resourceId",
            Member::CallAttempt => "callAttempt",
            Member::Payload => "payload",
        }
    }
}

/// The hint when a documented event code comes with a payload that is not an object.
pub(super) const PAYLOAD_NOT_OBJECT_HINT: &str = "payload must be an object for this event code.";

/// Validates an event body as [`parse_event`](super::parse_event) does, with its errors.
pub(crate) fn check_event(body: &[u8]) -> Result<Checked, Error> {
    if body.starts_with(b"\xef\xbb\xbf") {
        return Err(Error::with_hint(ErrorCode::InvalidJson, BOM_HINT));
    }
    if body
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Err(Error::with_hint(ErrorCode::InvalidJson, EMPTY_HINT));
    }
    let json = ErrorCode::InvalidJson;
    let mut scan = Scan::new(body);
    let mut envelope = [None; Member::ALL.len()];
    // The payload's fields for each family with checks, found in the same pass (the event
    // code may come after the payload): the last value of each.
    let families = [
        CustomerPayload::CHECKS,
        EntitlementPayload::CHECKS,
        SeatPayload::CHECKS,
    ];
    let mut fields = [[None; MAX_FIELDS]; 3];
    // The family whose fields the last payload was matched against: when the event code came
    // before it (Zentitle sends the members in alphabetical order), that family's only;
    // otherwise all three.
    let mut matched: Option<usize> = None;
    let root = scan.value_with(&mut |key, scan| {
        let Some(member) = key
            .and_then(|key| Member::NAMES.iter().position(|n| key.is(n)))
            .and_then(|i| Member::ALL.get(i).copied())
        else {
            return scan.value();
        };
        let item = if member == Member::Payload {
            fields = [[None; MAX_FIELDS]; 3]; // a repeated payload: the last one counts
            matched = envelope[Member::EventCode as usize].and_then(|code| family_of(scan, code));
            let (first, count) = matched.map_or((0, 3), |f| (f, 1));
            scan.value_with(&mut |key, scan| {
                let item = scan.value()?;
                let Some(key) = key else { return Ok(item) };
                for (checks, found) in families
                    .iter()
                    .zip(fields.iter_mut())
                    .skip(first)
                    .take(count)
                {
                    if let Some(f) = checks.iter().position(|c| key.is(c.name)) {
                        found[f] = Some(item);
                    }
                }
                Ok(item)
            })?
        } else {
            scan.value()?
        };
        envelope[member as usize] = Some(item);
        Ok(item)
    })?;
    if !scan.at_end() {
        return Err(json.into());
    }
    if root.kind != Kind::Object {
        return Err(invalid("The body is JSON but not an object."));
    }
    let [id, date, code, resource, attempt, payload] = envelope;
    let string = |item: Option<Item>, hint| match item {
        Some(item) if item.kind == Kind::String => Ok(scan.bytes(item)),
        _ => Err(invalid(hint)),
    };
    let event_id = match id {
        Some(item) if item.kind == Kind::String => scan.text(item),
        _ => return Err(invalid("eventId must be a string.")),
    };
    let event_date = string(date, "eventDate must be a string.")?;
    let event_date_unix_ms = utc_millis(&event_date).ok_or(invalid(
        "eventDate must be an RFC 3339 UTC timestamp, such as 2025-06-06T11:39:22.739326Z.",
    ))?;
    let event_code = string(code, "eventCode must be a string.")?;
    string(resource, "resourceId must be a string.")?;
    let call_attempt = attempt
        .filter(|item| item.kind == Kind::Number)
        .map(|item| &body[item.span()])
        .filter(|n| n.iter().all(u8::is_ascii_digit))
        .and_then(|n| core::str::from_utf8(n).ok()?.parse::<u32>().ok())
        .filter(|&n| n >= 1);
    if call_attempt.is_none() {
        return Err(invalid("callAttempt must be a whole number from 1."));
    }
    if let Some(f) = family_of_code(&event_code) {
        if let Some(p) =
            payload.filter(|p| p.kind == Kind::Object && matched.is_some_and(|m| m != f))
        {
            // A later eventCode of another family (a repeated member): the payload's fields
            // are found again, for the code that counts.
            fields[f] = [None; MAX_FIELDS];
            Scan::new_at(body, p.start).value_with(&mut |key, scan| {
                let item = scan.value()?;
                let checks = families[f].iter();
                if let Some(i) = key.and_then(|key| checks.clone().position(|c| key.is(c.name))) {
                    fields[f][i] = Some(item);
                }
                Ok(item)
            })?;
        }
        check_payload(&scan, payload, families[f], &fields[f])?;
    }
    Ok(Checked {
        event_id: event_id.into_owned(),
        event_date_unix_ms,
    })
}

/// The index in `families` of the payload family of a documented event code.
fn family_of_code(code: &[u8]) -> Option<usize> {
    let code = EventCode::ALL
        .iter()
        .find(|known| known.as_str().as_bytes() == code);
    match code.map(|known| known.family()) {
        Some(PayloadFamily::Customer) => Some(0),
        Some(PayloadFamily::Entitlement | PayloadFamily::Maintenance) => Some(1),
        Some(PayloadFamily::Seat) => Some(2),
        _ => None,
    }
}

/// [`family_of_code`] of a scanned `eventCode` value, when it is a string.
fn family_of(scan: &Scan<'_>, code: Item) -> Option<usize> {
    (code.kind == Kind::String)
        .then(|| family_of_code(&scan.bytes(code)))
        .flatten()
}

/// The most fields a payload declares.
const MAX_FIELDS: usize = 12;
const _: () = assert!(
    CustomerPayload::CHECKS.len() <= MAX_FIELDS
        && EntitlementPayload::CHECKS.len() <= MAX_FIELDS
        && SeatPayload::CHECKS.len() <= MAX_FIELDS
);

/// The payload's fields against their checks, in declaration order.
fn check_payload(
    scan: &Scan<'_>,
    payload: Option<Item>,
    checks: &[FieldCheck],
    found: &[Option<Item>; MAX_FIELDS],
) -> Result<(), Error> {
    if !matches!(payload, Some(p) if p.kind == Kind::Object) {
        return Err(Error::payload_mismatch(PAYLOAD_NOT_OBJECT_HINT));
    }
    for (check, item) in checks.iter().zip(found) {
        let Some(item) = item.filter(|i| i.kind != Kind::Null) else {
            if check.required {
                return Err(Error::payload_mismatch(check.missing));
            }
            continue;
        };
        let fits = match check.kind {
            FieldKind::Str => item.kind == Kind::String,
            FieldKind::Time => item.kind == Kind::String && utc_millis(&scan.bytes(item)).is_some(),
            FieldKind::Bool => item.kind == Kind::Bool,
            FieldKind::Num => item.kind == Kind::Number,
        };
        if !fits {
            return Err(Error::payload_mismatch(check.wrong_type));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
