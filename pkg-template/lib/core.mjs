// The verifier's WebAssembly module (src/abi/), as functions over plain values: bytes in,
// numbers out; a refusal is thrown as the package's own error. One instance per module realm;
// each runtime's entry loads it.
import { VERIFY_EXPORTS } from "./abi.mjs";
import { text } from "./text.mjs";
import { utf8, WasmInstance } from "./wasm-instance.mjs";

export const core = new WasmInstance("The zentitle-webhooks WebAssembly module", VERIFY_EXPORTS);

/** Signature header values longer than this are refused before any copy (a 16384-bit
 * signature is 2,732 characters). */
export const MAX_SIGNATURE_CHARS = 16 * 1024;
/** Keys longer than this are refused before any copy (a 16384-bit PEM is under 3 KB). */
export const MAX_KEY_BYTES = 64 * 1024;

/**
 * A verifier over `keys` (byte arrays) in the current instance: its handle. Throws the
 * `WebhookVerificationError` of the first unusable key (with `keyIndex`).
 */
export function prepareVerifier(keys, minKeyBits, maxAgeSeconds, maxBodyBytes) {
  return core.run((wasm) => {
    wasm.zw_keys_clear();
    for (let i = 0; i < keys.length; i++) {
      core.write(keys[i]);
      const added = wasm.zw_keys_add(keys[i].length, minKeyBits);
      if (added < 0) {
        const { error } = core.failure(added);
        wasm.zw_keys_clear();
        throw Object.assign(error, { keyIndex: i });
      }
    }
    const handle = wasm.zw_verifier_new(maxAgeSeconds ?? -1, maxBodyBytes);
    if (handle < 0) throw core.failure(handle).error;
    return handle;
  });
}

export function freeVerifier(handle) {
  core.run((wasm) => wasm.zw_verifier_free(handle));
}

/** How far the diagnosis of `invalid_signature` searches for the body's change (src/diagnose/). */
export const DIAGNOSIS = { off: 0, bounded: 1, full: 2 };

/** The index of the key whose signature signs `body`; throws the refusal. `diagnosis`: a value of DIAGNOSIS. */
export function checkSignature(handle, signature, body, diagnosis) {
  const sig = utf8(signature);
  return core.run((wasm) => {
    core.write(sig, body);
    const result = wasm.zw_verify_signature(handle, sig.length, body.length, diagnosis);
    if (result < 0) throw core.failure(result).error;
    return result;
  });
}

/**
 * Signature, event and replay window: `{ keyIndex, eventId }`; throws the refusal.
 * `maxAgeSeconds`: `undefined` for the verifier's own window, `null` for none; `diagnosis`: a
 * value of DIAGNOSIS.
 *
 * A signed body with a valid envelope whose payload does not fit the documented shape is
 * refused with `invalid_event` carrying the verified event (`error.event`), so that it is
 * never lost (the receiver hands it to `onAny`).
 */
export function checkDelivery(handle, signature, body, nowMs, maxAgeSeconds, diagnosis) {
  const sig = utf8(signature);
  const window = maxAgeSeconds === undefined ? NaN : maxAgeSeconds === null ? -1 : maxAgeSeconds;
  const outcome = core.run((wasm) => {
    core.write(sig, body);
    const result = wasm.zw_verify(handle, sig.length, body.length, nowMs, window, diagnosis);
    return result < 0 ? { failure: core.failure(result) } : { verified: { keyIndex: result, eventId: core.outputText() } };
  });
  if (outcome.verified) return outcome.verified;
  const { error, payloadMismatch } = outcome.failure;
  if (payloadMismatch) error.event = JSON.parse(text(body));
  throw error;
}

/** Throws the refusal when the bytes are not a valid event. */
export function checkEvent(body) {
  core.run((wasm) => {
    core.write(body);
    const result = wasm.zw_parse_event(body.length);
    if (result < 0) throw core.failure(result).error;
  });
}
