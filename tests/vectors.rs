//! The OpenSSL-made vectors of `tests/fixtures/vectors.json`, checked through the public API
//! with every form of each key.

use zentitle_webhooks::{BodyChange, ErrorCode, Mismatch, PublicKey, Verifier};

#[path = "common/mod.rs"]
mod common;
use common::{Vectors, KEY_FORMS};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn every_vector_gives_its_expected_verdict_with_every_key_form() {
    let vectors = Vectors::load();
    let mut checked = 0;
    for case in &vectors.cases {
        let body = vectors.body(&case.body);
        for form in KEY_FORMS {
            let key =
                PublicKey::parse(vectors.key_file(&case.key, form)).expect("fixture key parses");
            let verifier = Verifier::new(key);
            let verdict = verifier.verify_signature(&body, &case.signature);
            match (&verdict, case.valid) {
                (Ok(None), true) => {}
                (Err(e), false) => {
                    assert_eq!(
                        Some(e.code().as_str()),
                        case.code.as_deref(),
                        "{} ({form})",
                        case.name
                    );
                    assert_eq!(
                        e.mismatch().map(|m| m.as_str()),
                        case.mismatch.as_deref(),
                        "{}: mismatch",
                        case.name
                    );
                    assert_eq!(
                        e.body_change().map(|c| c.as_str()),
                        case.body_change.as_deref(),
                        "{}: body change",
                        case.name
                    );
                }
                _ => panic!(
                    "{} ({form}): got {verdict:?}, valid = {}",
                    case.name, case.valid
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 60 * KEY_FORMS.len());
}

#[test]
fn the_diagnosis_names_each_change_and_each_wrong_key_and_accepts_nothing() {
    let vectors = Vectors::load();
    let verifier =
        Verifier::new(PublicKey::parse(vectors.key_file("rsa2048", "spki.pem")).expect("key"));
    let other =
        Verifier::new(PublicKey::parse(vectors.key_file("other2048", "spki.pem")).expect("key"));
    let mut changes = std::collections::BTreeSet::new();
    for case in vectors.cases.iter().filter(|c| c.body_change.is_some()) {
        let body = vectors.body(&case.body);
        let e = verifier
            .verify(&body, &case.signature, 0)
            .expect_err("a changed body is still refused");
        assert_eq!(e.code(), ErrorCode::InvalidSignature, "{}", case.name);
        assert_eq!(e.mismatch(), Some(Mismatch::Body), "{}", case.name);
        assert_eq!(
            e.body_change().map(BodyChange::as_str),
            case.body_change.as_deref(),
            "{}",
            case.name
        );
        assert!(e.hint().is_some_and(|h| h.len() > 40), "{}", case.name);
        changes.insert(case.body_change.clone());
        // Under another account's key the same delivery is a key mismatch, with no change.
        let e = other
            .verify_signature(&body, &case.signature)
            .expect_err("refused");
        assert_eq!((e.mismatch(), e.body_change()), (Some(Mismatch::Key), None));
    }
    assert_eq!(
        changes.len(),
        BodyChange::ALL.len(),
        "every change has a vector"
    );
    // With a rotation set, the right key among others still diagnoses the body.
    let both = Verifier::with_keys([
        (
            "other".to_owned(),
            PublicKey::parse(vectors.key_file("other2048", "modulus.txt")).expect("key"),
        ),
        (
            "ours".to_owned(),
            PublicKey::parse(vectors.key_file("rsa2048", "modulus.txt")).expect("key"),
        ),
    ])
    .expect("keys");
    let case = vectors
        .cases
        .iter()
        .find(|c| c.body_change.as_deref() == Some("byte_order_mark"))
        .expect("case");
    let e = both
        .verify_signature(&vectors.body(&case.body), &case.signature)
        .expect_err("refused");
    assert_eq!(e.body_change(), Some(BodyChange::ByteOrderMark));
}

#[test]
fn every_single_bit_flip_of_a_valid_signature_fails() {
    let vectors = Vectors::load();
    let case = vectors
        .cases
        .iter()
        .find(|c| c.valid && c.key == "rsa2048" && c.body == "event.json")
        .expect("case");
    let verifier =
        Verifier::new(PublicKey::parse(vectors.key_file("rsa2048", "modulus.txt")).expect("key"));
    let body = vectors.body(&case.body);
    let raw = common::b64decode(&case.signature);
    for bit in 0..raw.len() * 8 {
        let mut bad = raw.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        let err = verifier
            .verify_signature(&body, &common::b64encode(&bad))
            .expect_err("flipped bit must fail");
        assert_eq!(err.code(), ErrorCode::InvalidSignature, "bit {bit}");
    }
}

#[test]
fn messages_never_contain_the_key_the_signature_or_the_body() {
    let vectors = Vectors::load();
    let modulus = vectors.keys["rsa2048"].modulus.clone();
    let verifier = Verifier::new(PublicKey::parse(&modulus).expect("key"));
    for case in &vectors.cases {
        let body = vectors.body(&case.body);
        if let Err(e) = verifier.verify_signature(&body, &case.signature) {
            let text = e.to_string();
            assert!(!text.contains(&modulus[..16]) && !text.contains(&case.signature[..16]));
            if body.len() > 8 {
                assert!(!text
                    .as_bytes()
                    .windows(8)
                    .any(|w| body.windows(8).next() == Some(w)));
            }
        }
    }
}

#[test]
fn every_event_fixture_verifies_into_its_typed_event() {
    use zentitle_webhooks::{EventCode, Payload, PayloadFamily};
    let vectors = Vectors::load();
    let verifier =
        Verifier::new(PublicKey::parse(vectors.key_file("rsa2048", "spki.pem")).expect("key"));
    let now = zentitle_webhooks::parse_utc_millis("2026-11-27T10:20:00Z").expect("now");
    let mut known = 0;
    for case in vectors.cases.iter().filter(|c| c.event.is_some()) {
        let expected = case.event.as_ref().expect("event");
        let body = vectors.body(&case.body);
        let verified = verifier
            .verify(&body, &case.signature, now)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let event = verified.event;
        assert_eq!(
            (event.event_code.as_str(), event.event_id.as_str()),
            (expected.event_code.as_str(), expected.event_id.as_str())
        );
        match (event.code().map(EventCode::family), &event.payload) {
            (Some(PayloadFamily::Customer), Payload::Customer(p)) => {
                assert!(p.customer_id.starts_with("cust_"))
            }
            (
                Some(PayloadFamily::Entitlement | PayloadFamily::Maintenance),
                Payload::Entitlement(p),
            ) => {
                assert!(p.entitlement_id.starts_with("ent_"))
            }
            (Some(PayloadFamily::Seat), Payload::Seat(p)) => {
                assert_eq!(p.seat_id, "build-agent-07")
            }
            (Some(_) | None, Payload::Json(_)) => {}
            (family, payload) => panic!("{}: {family:?} with {payload:?}", case.name),
        }
        known += usize::from(event.code().is_some());
        // The replay window: 5 minutes after the event is inside a 10-minute window, not a 1-minute one.
        assert!(verifier
            .verify_with_max_age(&body, &case.signature, now, Some(600))
            .is_ok());
        let stale = verifier
            .verify_with_max_age(&body, &case.signature, now, Some(60))
            .expect_err("stale");
        assert_eq!(stale.code(), ErrorCode::StaleEvent);
    }
    assert_eq!(known, 20, "every documented code has a signed fixture");
}

#[test]
fn rotation_names_the_key_that_matched() {
    let vectors = Vectors::load();
    let key = |name: &str| PublicKey::parse(vectors.key_file(name, "modulus.txt")).expect("key");
    let verifier = Verifier::with_keys([
        ("old".to_string(), key("other2048")),
        ("new".to_string(), key("rsa2048")),
        ("big".to_string(), key("rsa4096")),
    ])
    .expect("keys");
    for case in vectors
        .cases
        .iter()
        .filter(|c| c.valid && c.key != "rsa3072")
    {
        let id = verifier
            .verify_signature(&vectors.body(&case.body), &case.signature)
            .expect(&case.name);
        assert_eq!(
            id,
            Some(if case.key == "rsa2048" { "new" } else { "big" }),
            "{}",
            case.name
        );
    }
    let other = vectors
        .cases
        .iter()
        .find(|c| c.name == "other_key signature")
        .expect("case");
    assert_eq!(
        verifier.verify_signature(&vectors.body(&other.body), &other.signature),
        Ok(Some("old"))
    );
    let tampered = vectors
        .cases
        .iter()
        .find(|c| c.name == "one altered body byte")
        .expect("case");
    let err = verifier
        .verify_signature(&vectors.body(&tampered.body), &tampered.signature)
        .expect_err("tampered");
    assert_eq!(err.code(), ErrorCode::InvalidSignature);
    let weak = vectors
        .cases
        .iter()
        .find(|c| c.name == "weak signature")
        .expect("case");
    let err = verifier
        .verify_signature(&vectors.body(&weak.body), &weak.signature)
        .expect_err("no key of that length");
    assert_eq!(err.code(), ErrorCode::SignatureLength);
    assert_eq!(
        Verifier::with_keys([]).map(|_| ()).map_err(|e| e.code()),
        Err(ErrorCode::InvalidArgument)
    );
}
