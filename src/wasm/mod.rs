//! The JavaScript boundary: each export converts JS values to core types, calls the core, and
//! turns a core error into a `WebhookVerificationError`. No verification logic lives here.

mod convert;
mod dedup;
mod events;
mod fail;
mod options;
#[cfg(feature = "testing")]
mod testing;
mod verifier;
