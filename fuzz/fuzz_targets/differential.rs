//! Differential against the rsa crate: the fuzzer edits the PKCS#1 v1.5 encoded message of a
//! message it chooses, the harness turns that encoded message into a signature with the
//! fixture's private key, and our verify must give the rsa crate's verdict. With no edit the
//! signature is valid; with edits it explores every near-miss of the padding and DigestInfo.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rsa::hazmat::rsa_decrypt;
use rsa::pkcs8::DecodePrivateKey;
use rsa::rand_core::OsRng;
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256};
use zentitle_webhooks::fuzzing::verify_pkcs1v15_sha256;
use zentitle_webhooks::PublicKey;

struct Keys {
    ours: PublicKey,
    private: RsaPrivateKey,
    reference: RsaPublicKey,
}

fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/keys/");
        let pem = std::fs::read_to_string(format!("{dir}rsa2048.key.pem")).expect("fixture");
        let mut private = RsaPrivateKey::from_pkcs8_pem(&pem).expect("private key");
        private.precompute().expect("CRT values");
        let ours = PublicKey::parse(std::fs::read(format!("{dir}rsa2048.spki.pem")).expect("fixture")).expect("key");
        let reference = private.to_public_key();
        Keys { ours, private, reference }
    })
}

const PREFIX: [u8; 19] = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

fuzz_target!(|data: &[u8]| {
    let k = keys();
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (message, edits) = data.split_at(split);
    let hash = Sha256::digest(message);
    let mut em = vec![0x00, 0x01];
    em.resize(256 - 3 - PREFIX.len() - 32 + 2, 0xff);
    em.push(0x00);
    em.extend_from_slice(&PREFIX);
    em.extend_from_slice(&hash);
    for edit in edits.chunks_exact(2) {
        em[usize::from(edit[0])] = edit[1];
    }
    let m = BigUint::from_bytes_be(&em);
    if &m >= k.reference.n() {
        return;
    }
    // The raw private-key operation (CRT), m^d mod n: a signature whose encoding is `em`.
    let s = rsa_decrypt(None::<&mut OsRng>, &k.private, &m).expect("m < n").to_bytes_be();
    let mut signature = vec![0u8; 256 - s.len()];
    signature.extend_from_slice(&s);
    let ours = verify_pkcs1v15_sha256(&k.ours, message, &signature);
    let reference = k.reference.verify(Pkcs1v15Sign::new::<Sha256>(), &hash, &signature).is_ok();
    assert_eq!(ours, reference, "edits {edits:?}");
    if edits.is_empty() {
        assert!(ours, "an unedited encoding must verify");
    }
});
