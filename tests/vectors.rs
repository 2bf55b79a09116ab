//! The OpenSSL-made vectors of `tests/fixtures/vectors.json`, checked through the public API
//! with every form of each key.

use zentitle_webhooks::{ErrorCode, PublicKey, Verifier};

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
            let verdict = Verifier::new(key).verify_signature(&body, &case.signature);
            match (&verdict, case.valid) {
                (Ok(()), true) => {}
                (Err(e), false) => assert_eq!(
                    Some(e.code().code()),
                    case.code.as_deref(),
                    "{} ({form})",
                    case.name
                ),
                _ => panic!(
                    "{} ({form}): got {verdict:?}, valid = {}",
                    case.name, case.valid
                ),
            }
            checked += 1;
        }
    }
    assert!(checked >= 30 * KEY_FORMS.len());
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
