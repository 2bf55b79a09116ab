//! The test kit (feature `testing`): make keys, sign bodies the way Zentitle does, and build
//! realistic events, so that receivers can be tested without Zentitle.
//!
//! Randomness comes from the caller (`rng`), time too: the core reads neither. Signing uses
//! the `rsa` crate, whose private-key operations are not constant-time (RUSTSEC-2023-0071):
//! fine for throwaway test keys, never for a production signer.

mod events;
mod keys;
mod rng;
mod tamper;

pub use events::{
    dotnet_json, format_rfc3339, random_id, sample_event, sample_event_body, CUSTOMER_NAME,
    SEAT_ID, SEAT_NAME, TEST_EVENT_CODE, USAGE_FEATURE,
};
pub use keys::{generate_key_pair, SigningKey, TestKeyPair};
pub use rng::SeedRng;
pub use tamper::{tamper_body, tamper_signature};

#[cfg(test)]
mod tests;
