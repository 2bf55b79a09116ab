//! Any bytes as an event body: typed or refused with a code, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use zentitle_webhooks::parse_event;

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = parse_event(data) {
        assert!(event.call_attempt >= 1);
    }
});
