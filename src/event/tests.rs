use serde_json::json;

use super::*;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn envelope(code: &str, payload: Value) -> Value {
    json!({
        "eventId": "event_6pL0hQ1nX0mJ3vW9aB2cDw",
        "eventDate": "2025-06-06T11:39:22.739326Z",
        "eventCode": code,
        "resourceId": "ent_oH_hPJ3BgEO172Yd9-KuTg",
        "callAttempt": 1,
        "payload": payload,
    })
}

fn parse(v: &Value) -> Result<Event, Error> {
    parse_event(v.to_string().as_bytes())
}

fn hint_of(v: &Value) -> (ErrorCode, &'static str) {
    let e = parse(v).expect_err("must fail");
    (e.code(), e.hint().unwrap_or(""))
}

#[test]
fn a_customer_event_is_typed() {
    let e = parse(&envelope(
        "customer.created",
        json!({"customerId": "cust_1", "name": "Acme", "disabled": false}),
    ))
    .expect("valid");
    assert_eq!(e.code(), Some(EventCode::CustomerCreated));
    assert_eq!(e.event_date_unix_ms, 1_749_209_962_739);
    let Payload::Customer(p) = e.payload else {
        panic!("customer payload")
    };
    assert_eq!(
        (p.customer_id.as_str(), p.name.as_deref(), p.disabled),
        ("cust_1", Some("Acme"), Some(false))
    );
}

#[test]
fn every_family_gets_its_payload_type() {
    for &code in EventCode::ALL {
        let payload = json!({"customerId": "cust_1", "entitlementId": "ent_1", "activationId": "act_1", "seatId": "s"});
        let e = parse(&envelope(code.as_str(), payload)).expect("valid");
        let matches = matches!(
            (code.family(), &e.payload),
            (PayloadFamily::Customer, Payload::Customer(_))
                | (
                    PayloadFamily::Entitlement | PayloadFamily::Maintenance,
                    Payload::Entitlement(_)
                )
                | (PayloadFamily::Seat, Payload::Seat(_))
                | (
                    PayloadFamily::Group | PayloadFamily::Provision | PayloadFamily::UsageSummary,
                    Payload::Json(_)
                )
        );
        assert!(matches, "{code:?}");
    }
}

#[test]
fn unknown_fields_are_kept() {
    let mut v = envelope(
        "entitlement.seat.activated",
        json!({"entitlementId": "ent_1", "activationId": "act_1", "seatId": "s", "future": [1]}),
    );
    v["newEnvelopeField"] = json!("x");
    let e = parse(&v).expect("valid");
    assert_eq!(e.extra.get("newEnvelopeField"), Some(&json!("x")));
    let Payload::Seat(p) = e.payload else {
        panic!("seat")
    };
    assert_eq!(p.extra.get("future"), Some(&json!([1])));
}

#[test]
fn unknown_codes_and_the_test_event_pass() {
    for payload in [json!({}), Value::Null] {
        let e = parse(&envelope("webhook.test", payload.clone())).expect("test event");
        assert_eq!((e.code(), e.payload), (None, Payload::Json(payload)));
    }
    let mut v = envelope("something.new", json!({"anything": true}));
    v.as_object_mut().expect("object").remove("payload");
    assert_eq!(
        parse(&v).expect("no payload key").payload,
        Payload::Json(Value::Null)
    );
}

#[test]
fn bad_envelopes_name_the_field() {
    let good = envelope("customer.updated", json!({"customerId": "cust_1"}));
    let cases: [(&str, Value, &str); 11] = [
        ("eventId", json!(5), "eventId"),
        ("eventId", Value::Null, "eventId"),
        ("eventDate", json!("yesterday"), "eventDate"),
        ("eventDate", json!("2025-06-06T11:39:22+02:00"), "eventDate"),
        ("eventCode", json!(["customer.updated"]), "eventCode"),
        ("resourceId", json!({}), "resourceId"),
        ("callAttempt", json!(0), "callAttempt"),
        ("callAttempt", json!(1.5), "callAttempt"),
        ("callAttempt", json!("1"), "callAttempt"),
        ("payload", json!("x"), "payload"),
        ("payload", Value::Null, "payload"),
    ];
    for (field, value, named) in cases {
        let mut v = good.clone();
        v[field] = value.clone();
        let (code, hint) = hint_of(&v);
        assert_eq!(code, ErrorCode::InvalidEvent, "{field} = {value}");
        assert!(hint.contains(named), "{field}: {hint}");
    }
    let mut v = good.clone();
    v.as_object_mut().expect("object").remove("resourceId");
    assert_eq!(hint_of(&v).0, ErrorCode::InvalidEvent);
}

#[test]
fn known_payload_fields_of_the_wrong_type_are_named() {
    let cases = [
        (
            "customer.created",
            json!({"customerId": 1}),
            "payload.customerId",
        ),
        (
            "customer.created",
            json!({"name": "no id"}),
            "payload.customerId is missing",
        ),
        (
            "customer.created",
            json!({"customerId": "c", "disabled": "no"}),
            "payload.disabled",
        ),
        (
            "entitlement.expires7days",
            json!({"entitlementId": "e", "daysToExpire": "7"}),
            "payload.daysToExpire",
        ),
        (
            "entitlement.maintenance.expired",
            json!({"entitlementId": "e", "maintenanceExpiredAt": "soon"}),
            "payload.maintenanceExpiredAt",
        ),
        (
            "entitlement.seat.activated",
            json!({"entitlementId": "e", "activationId": "a"}),
            "payload.seatId is missing",
        ),
        (
            "entitlement.seat.deactivated",
            json!({"entitlementId": "e", "activationId": "a", "seatId": "s", "seatsUsed": true}),
            "payload.seatsUsed",
        ),
    ];
    for (code, payload, named) in cases {
        let (c, hint) = hint_of(&envelope(code, payload));
        assert_eq!(c, ErrorCode::InvalidEvent);
        assert!(hint.contains(named), "{code}: {hint}");
    }
}

#[test]
fn nulls_in_optional_fields_are_absent() {
    let e = parse(&envelope(
        "entitlement.renewed",
        json!({"entitlementId": "e", "expiresAt": null}),
    ))
    .expect("valid");
    let Payload::Entitlement(p) = e.payload else {
        panic!("entitlement")
    };
    assert_eq!(p.expires_at, None);
}

#[test]
fn not_json_not_objects_and_boms() {
    assert_eq!(
        parse_event(b"").map_err(|e| e.code()),
        Err(ErrorCode::InvalidJson)
    );
    assert!(parse_event(b"  ")
        .expect_err("empty")
        .hint()
        .is_some_and(|h| h.contains("empty")));
    assert_eq!(
        parse_event(b"{\"a\":").map_err(|e| e.code()),
        Err(ErrorCode::InvalidJson)
    );
    assert_eq!(
        parse_event(b"\xff\xfe{}").map_err(|e| e.code()),
        Err(ErrorCode::InvalidJson)
    );
    assert_eq!(
        parse_event(b"[1]").map_err(|e| e.code()),
        Err(ErrorCode::InvalidEvent)
    );
    assert_eq!(
        parse_event(b"\"text\"").map_err(|e| e.code()),
        Err(ErrorCode::InvalidEvent)
    );
    let bom = [
        b"\xef\xbb\xbf".as_slice(),
        envelope("customer.created", json!({"customerId": "c"}))
            .to_string()
            .as_bytes(),
    ]
    .concat();
    assert!(parse_event(&bom)
        .expect_err("bom")
        .hint()
        .is_some_and(|h| h.contains("BOM")));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        parse_event(deep.as_bytes()).map_err(|e| e.code()),
        Err(ErrorCode::InvalidJson)
    );
}

#[test]
fn a_payload_that_does_not_fit_is_marked_as_the_payload_s_alone() {
    let seat = |payload: Value| parse(&envelope("entitlement.seat.activated", payload));
    for payload in [
        json!({ "entitlementId": "ent_1", "activationId": "act_1", "seatId": 7 }),
        json!({ "entitlementId": "ent_1", "activationId": "act_1" }),
        json!("not an object"),
    ] {
        let e = seat(payload).expect_err("must fail");
        assert_eq!(e.code(), ErrorCode::InvalidEvent);
        assert!(e.is_payload_mismatch(), "{:?}", e.hint());
    }
    let mut bad_envelope = envelope("customer.created", json!({ "customerId": "cust_1" }));
    bad_envelope["callAttempt"] = json!(0);
    let e = parse(&bad_envelope).expect_err("must fail");
    assert_eq!(e.code(), ErrorCode::InvalidEvent);
    assert!(!e.is_payload_mismatch());
    assert!(!Error::with_hint(ErrorCode::InvalidEvent, "x").is_payload_mismatch());
}
