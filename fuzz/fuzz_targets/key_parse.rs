//! Any bytes as a key: parsed or refused with a code, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zentitle_webhooks::{KeyOptions, PublicKey};

fuzz_target!(|data: &[u8]| {
    let _ = PublicKey::parse(data);
    let _ = PublicKey::parse_with(data, KeyOptions { min_key_bits: 0 });
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PublicKey::from_modulus(text, KeyOptions { min_key_bits: 0 });
    }
});
