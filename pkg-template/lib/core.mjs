// The verifier's WebAssembly module (src/abi/), as functions over plain values: bytes in,
// numbers and errors out. One instance per module realm; each runtime's entry loads it.
import { utf8, WasmInstance } from "./wasm-instance.mjs";

export const core = new WasmInstance("The zentitle-webhooks WebAssembly module");

/** Signature header values longer than this are refused before any copy (a 16384-bit
 * signature is 2,732 characters). */
export const MAX_SIGNATURE_CHARS = 16 * 1024;
/** Keys longer than this are refused before any copy (a 16384-bit PEM is under 3 KB). */
export const MAX_KEY_BYTES = 64 * 1024;

/**
 * A verifier over `keys` (byte arrays) in the current instance: its handle, or the
 * `WebhookVerificationError` of the first unusable key (with `keyIndex`).
 */
export function prepareVerifier(keys, minKeyBits, maxAgeSeconds, maxBodyBytes) {
  return core.run((x, io) => {
    x.zw_keys_clear();
    for (let i = 0; i < keys.length; i++) {
      io.write(x, keys[i]);
      const added = x.zw_keys_add(keys[i].length, minKeyBits);
      if (added < 0) {
        const error = io.failure(x, added);
        x.zw_keys_clear();
        return Object.assign(error, { keyIndex: i });
      }
    }
    const handle = x.zw_verifier_new(maxAgeSeconds ?? -1, maxBodyBytes);
    return handle < 0 ? io.failure(x, handle) : handle;
  });
}

export function freeVerifier(handle) {
  core.run((x) => x.zw_verifier_free(handle));
}

/** How far the diagnosis of `invalid_signature` searches for the body's change (src/diagnose/). */
export const DIAGNOSIS = { off: 0, bounded: 1, full: 2 };

/** The index of the key that verified, or the error. `diagnosis`: a value of DIAGNOSIS. */
export function verifySignature(handle, signature, body, diagnosis) {
  const sig = utf8(signature);
  return core.run((x, io) => {
    io.write(x, sig, body);
    const result = x.zw_verify_signature(handle, sig.length, body.length, diagnosis);
    return result < 0 ? io.failure(x, result) : result;
  });
}

/**
 * Signature, event and replay window: `{ keyIndex, eventId }`, or the error. `maxAgeSeconds`:
 * `undefined` for the verifier's own window, `null` for none; `diagnosis`: a value of DIAGNOSIS.
 */
export function verify(handle, signature, body, nowMs, maxAgeSeconds, diagnosis) {
  const sig = utf8(signature);
  const window = maxAgeSeconds === undefined ? NaN : maxAgeSeconds === null ? -1 : maxAgeSeconds;
  return core.run((x, io) => {
    io.write(x, sig, body);
    const result = x.zw_verify(handle, sig.length, body.length, nowMs, window, diagnosis);
    return result < 0 ? io.failure(x, result) : { keyIndex: result, eventId: io.outputText(x) };
  });
}

/** `undefined` when the bytes are a valid event, else the error. */
export function checkEvent(body) {
  return core.run((x, io) => {
    io.write(x, body);
    const result = x.zw_parse_event(body.length);
    return result < 0 ? io.failure(x, result) : undefined;
  });
}
