//! Any string as an N-Signature value, for every key size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zentitle_webhooks::fuzzing::decode_signature;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        for len in [0usize, 1, 128, 256, 384, 512] {
            if let Ok(raw) = decode_signature(text, len) {
                assert_eq!(raw.len(), len);
            }
        }
    }
});
