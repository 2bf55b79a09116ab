// The public API, one list for every entry: each entry loads the .wasm its runtime's way,
// then re-exports this.
export { MemoryDeduplicator, WebhookVerifier, isKnownEventCode, parseEvent } from "./wasm/zentitle_webhooks.js";
export { WebhookVerificationError } from "./wasm/errors.js";
