// The public API, one list for every entry: each entry loads the .wasm its runtime's way
// (core.load), then re-exports this.
import { checkEvent } from "./lib/core.mjs";
import { EVENT_CODES } from "./lib/event-codes.mjs";
import { verificationError } from "./lib/errors.mjs";
import { readBodyOnce } from "./lib/read.mjs";
import { DEFAULT_MAX_BODY_BYTES } from "./lib/verifier.mjs";
import { text } from "./lib/wasm-instance.mjs";

export { EVENT_CODES } from "./lib/event-codes.mjs";
export { MemoryStore } from "./lib/memory-store.mjs";
export { WebhookReceiver } from "./lib/receiver.mjs";
export { WebhookReceiverError, WebhookVerificationError } from "./lib/errors.mjs";
export { WebhookVerifier } from "./lib/verifier.mjs";

/**
 * Types and validates an event body WITHOUT checking its signature (bodies verified elsewhere,
 * tests). Bodies over 1 MiB are `body_too_large`.
 */
export function parseEvent(body) {
  const { bytes, text: bodyText } = readBodyOnce(body, DEFAULT_MAX_BODY_BYTES);
  const error = checkEvent(bytes);
  if (error) throw error;
  try {
    return JSON.parse(bodyText ?? text(bytes));
  } catch {
    throw verificationError("invalid_json");
  }
}

const known = new Set(EVENT_CODES);

/** `true` if `code` is an event code this version documents. */
export function isKnownEventCode(code) {
  return typeof code === "string" && known.has(code);
}
