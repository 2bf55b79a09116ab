use rsa::rand_core::{CryptoRng, RngCore};

use super::*;
use crate::{parse_event, parse_utc_millis, EventCode, PublicKey, Verifier};

/// Deterministic randomness for tests (the kit takes its randomness from the caller).
struct TestRng(u64);
impl RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for TestRng {}

#[test]
fn a_generated_pair_signs_what_the_verifier_accepts() {
    let mut rng = TestRng(7);
    let pair = generate_key_pair(&mut rng, 1024).expect("pair");
    let signer = SigningKey::parse(pair.private_key_pem.as_bytes()).expect("private key");
    let opts = crate::KeyOptions { min_key_bits: 1024 };
    for public in [&pair.public_key_pem, &pair.modulus, &pair.jwk] {
        let verifier = Verifier::new(PublicKey::parse_with(public, opts).expect("public"));
        let signature = signer.sign(b"{\"a\":1}");
        assert_eq!(
            verifier.verify_signature(b"{\"a\":1}", &signature),
            Ok(None)
        );
        assert!(verifier.verify_signature(b"{\"a\":2}", &signature).is_err());
    }
    assert_eq!(pair.modulus.len(), 171);
}

#[test]
fn sizes_and_keys_that_are_refused() {
    let mut rng = TestRng(9);
    for bits in [0, 512, 1000, 8192] {
        assert!(generate_key_pair(&mut rng, bits).is_err(), "{bits}");
    }
    let pair = generate_key_pair(&mut rng, 1024).expect("pair");
    let err = SigningKey::parse(pair.public_key_pem.as_bytes()).expect_err("public key");
    assert!(err.hint().is_some_and(|h| h.contains("private key")));
    assert!(SigningKey::parse(b"\xff\x00").is_err());
}

#[test]
fn every_code_makes_a_valid_event() {
    let mut rng = TestRng(11);
    let now = parse_utc_millis("2026-11-27T10:15:30.123Z").expect("time");
    let codes: Vec<&str> = EventCode::ALL
        .iter()
        .map(|c| c.as_str())
        .chain([events::TEST_EVENT_CODE, "something.new"])
        .collect();
    for code in codes {
        let event = sample_event(&mut rng, code, now, None).expect("event");
        let parsed =
            parse_event(event.to_string().as_bytes()).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(parsed.event_code, code);
        assert_eq!(parsed.event_date_unix_ms, now);
        assert!(parsed.event_id.starts_with("event_") && parsed.event_id.len() == 28);
    }
}

#[test]
fn overrides_replace_and_merge() {
    let mut rng = TestRng(13);
    let overrides = serde_json::json!({ "callAttempt": 3, "payload": { "seatsUsed": 9, "seatName": null, "extra": true } });
    let event =
        sample_event(&mut rng, "entitlement.seat.activated", 0, Some(&overrides)).expect("event");
    assert_eq!(event["callAttempt"], 3);
    assert_eq!(event["payload"]["seatsUsed"], 9);
    assert_eq!(event["payload"]["extra"], true);
    assert!(event["payload"].get("seatName").is_none());
    assert_eq!(event["payload"]["seatId"], SEAT_ID);
    assert!(sample_event(&mut rng, "x.y", 0, Some(&serde_json::json!([1]))).is_err());
    assert!(sample_event(&mut rng, "", 0, None).is_err());
}

#[test]
fn sample_bodies_are_written_as_dotnet_writes_them() {
    let mut rng = TestRng(17);
    let body = sample_event_body(&mut rng, "entitlement.seat.activated", 0, None).expect("body");
    assert!(body.is_ascii(), "{body}");
    // "josé.núñez+ci@example.com" and "José's build agent <07>", upper-case hex.
    assert!(
        body.contains(r#""seatId":"jos\u00E9.n\u00FA\u00F1ez\u002Bci@example.com""#),
        "{body}"
    );
    assert!(
        body.contains(r#""seatName":"Jos\u00E9\u0027s build agent \u003C07\u003E""#),
        "{body}"
    );
    let parsed = parse_event(body.as_bytes()).expect("event");
    assert_eq!(parsed.event_code, "entitlement.seat.activated");
    let value: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(value["payload"]["seatName"], SEAT_NAME);
    let customer = sample_event_body(&mut rng, "customer.created", 0, None).expect("body");
    assert!(
        customer.contains(
            r#"Soci\u00E9t\u00E9 G\u00E9n\u00E9rale \u0026 Fils \u003CM\u00FCller\u003E"#
        ),
        "{customer}"
    );
    // What JSON.stringify writes back differs.
    assert_ne!(value.to_string(), body);
    assert_eq!(
        dotnet_json("[\"\u{1F600}\\\"\"]").expect("json"),
        r#"["\uD83D\uDE00\u0022"]"#
    );
    assert!(dotnet_json("{").is_err());
}

#[test]
fn rfc3339_round_trips() {
    for ms in [
        0i64,
        1_749_209_962_739,
        951_782_400_000,
        -1000,
        4_102_444_800_000,
    ] {
        assert_eq!(parse_utc_millis(&format_rfc3339(ms)), Some(ms), "{ms}");
    }
    assert_eq!(
        format_rfc3339(1_749_209_962_739),
        "2025-06-06T11:39:22.7390000Z"
    );
}

#[test]
fn the_crt_signer_equals_the_rsa_crate() {
    let mut rng = TestRng(23);
    for bits in [1024, 2048, 3072] {
        let pair = generate_key_pair(&mut rng, bits).expect("pair");
        let signer = SigningKey::parse(pair.private_key_pem.as_bytes()).expect("private key");
        for len in [0usize, 1, 55, 56, 64, 2048] {
            let mut body = vec![0u8; len];
            rng.fill_bytes(&mut body);
            let by_crt = signer.sign_by_crt(&body).expect("the CRT path signs");
            assert_eq!(
                by_crt,
                signer.sign_by_rsa_crate(&body),
                "{bits} bits, {len} bytes"
            );
            assert_eq!(signer.sign(&body), by_crt);
        }
    }
}

/// A verifier over the fixtures' 2048-bit key, and its signer.
fn fixture_pair() -> (Verifier, SigningKey) {
    let public = include_str!("../../tests/fixtures/keys/rsa2048.modulus.txt");
    let private = include_str!("../../tests/fixtures/keys/rsa2048.key.pem");
    (
        Verifier::new(PublicKey::parse(public).expect("public")),
        SigningKey::parse(private.as_bytes()).expect("private"),
    )
}

#[test]
fn the_replay_window_applies_to_events_whose_payload_does_not_fit() {
    let (verifier, signer) = fixture_pair();
    let now = parse_utc_millis("2026-01-01T00:00:00Z").expect("now");
    // Signed, dated 2020, a customer event whose payload lacks customerId: does not fit.
    let unfit = br#"{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2020-01-01T00:00:00Z","eventCode":"customer.created","resourceId":"cust_AAAAAAAAAAAAAAAAAAAAAA","callAttempt":1,"payload":{"name":7}}"#;
    let signature = signer.sign(unfit);
    let code = |window| {
        verifier
            .verify_with_max_age(unfit, &signature, now, window)
            .expect_err("refused")
            .code()
    };
    assert_eq!(
        code(None),
        crate::ErrorCode::InvalidEvent,
        "no window: unfit"
    );
    assert_eq!(code(Some(300)), crate::ErrorCode::StaleEvent);
    // The WebAssembly boundary's path.
    let check = |window| {
        verifier
            .check(unfit, &signature, now, window, crate::Diagnosis::Off)
            .expect_err("refused")
            .code()
    };
    assert_eq!(check(None), crate::ErrorCode::InvalidEvent);
    assert_eq!(check(Some(300)), crate::ErrorCode::StaleEvent);
    // In the future, beyond the skew.
    let ahead = parse_utc_millis("2019-12-31T23:00:00Z").expect("then");
    assert_eq!(
        verifier
            .verify_with_max_age(unfit, &signature, ahead, Some(300))
            .expect_err("refused")
            .code(),
        crate::ErrorCode::FutureEvent
    );
    // Inside the window the unfit event is still the unfit event.
    let soon = parse_utc_millis("2020-01-01T00:01:00Z").expect("soon");
    assert_eq!(
        verifier
            .verify_with_max_age(unfit, &signature, soon, Some(300))
            .expect_err("refused")
            .code(),
        crate::ErrorCode::InvalidEvent
    );
}

#[test]
fn the_diagnosis_searches_as_far_as_asked() {
    let (verifier, signer) = fixture_pair();
    let compact = br#"{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","payload":{"a":[1,2]}}"#;
    let pretty = "{\n  \"eventId\": \"event_AAAAAAAAAAAAAAAAAAAAAA\",\n  \"payload\": {\n    \"a\": [\n      1,\n      2\n    ]\n  }\n}";
    let signature = signer.sign(pretty.as_bytes());
    for (diagnosis, change) in [
        (crate::Diagnosis::Off, None),
        (
            crate::Diagnosis::Bounded,
            Some(crate::BodyChange::ReserializedJson),
        ),
        (
            crate::Diagnosis::Full,
            Some(crate::BodyChange::ReserializedJson),
        ),
    ] {
        let error = verifier
            .clone()
            .with_diagnosis(diagnosis)
            .verify_signature(compact, &signature)
            .expect_err("refused");
        assert_eq!(
            error.mismatch(),
            Some(crate::Mismatch::Body),
            "{diagnosis:?}"
        );
        assert_eq!(error.body_change(), change, "{diagnosis:?}");
    }
    // A body the bounded search cannot finish says so.
    let deep = format!(
        "{}{}{}",
        "[".repeat(60),
        "0,".repeat(20_000) + "0",
        "]".repeat(60)
    );
    let error = verifier
        .verify_signature(deep.as_bytes(), &signature)
        .expect_err("refused");
    assert_eq!(error.body_change(), None);
    assert!(
        error
            .hint()
            .is_some_and(|h| h.contains("not diagnosed further")),
        "{:?}",
        error.hint()
    );
}
