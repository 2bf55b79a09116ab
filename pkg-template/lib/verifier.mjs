// `WebhookVerifier`: reads the caller's values (read.mjs), then verifies in the WebAssembly
// module (core.mjs). The async variants and `verifyRequest` are orchestration and stay here;
// processing each event once is the receiver's (its store), not the verifier's. A key source
// (`key: zentitleKey(client)`, see key-source.mjs) is taken by the async methods only: they
// hand over to a SourcedVerifier.
import { readWithin } from "./bounded-body.mjs";
import { checkDelivery, checkSignature, core, DIAGNOSIS, freeVerifier, MAX_KEY_BYTES, MAX_SIGNATURE_CHARS, prepareVerifier } from "./core.mjs";
import { argumentError, disposable, isOurs, messageOf, verificationError } from "./errors.mjs";
import { isKeySource, SourcedVerifier } from "./key-source.mjs";
import { guard, readBody, readBodyOnce, readKey, readOptions, readSignature, readTime } from "./read.mjs";
import { text } from "./wasm-instance.mjs";

const OPTIONS = ["key", "keys", "minKeyBits", "maxAgeSeconds", "maxBodyBytes"];
const CALL_OPTIONS = ["now", "maxAgeSeconds", "diagnosis"];
const DEFAULT_MIN_KEY_BITS = 2048;
/** The largest body accepted unless `maxBodyBytes` says otherwise: events are a few KB. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

/**
 * At most this many verifiers keep their prepared keys in the module at once (about 1.3 KB
 * each for a 2048-bit key). A verifier beyond it prepares its keys again when next used, so the
 * module's memory stays bounded even where verifiers are made per request and the garbage
 * collector is slow to free them.
 */
export const MAX_RESIDENT_VERIFIERS = 1024;
/** The slots of verifiers whose keys are in the module, least recently used first. */
const resident = new Set();

function release(slot) {
  resident.delete(slot);
  if (slot.generation === core.generation) {
    slot.generation = -1;
    freeVerifier(slot.handle);
  }
}

// A verifier's handle in the module is freed when the verifier is garbage-collected (or at
// `free()`); a handle of an instance that was since replaced is simply dropped with it.
const registry =
  typeof FinalizationRegistry === "function"
    ? new FinalizationRegistry((slot) => {
        try {
          release(slot);
        } catch {
          // The instance is replaced on its next use; nothing to free then.
        }
      })
    : undefined;

/** Verifies the webhooks Zentitle2 sends with the account's RSA public key (or keys). */
export class WebhookVerifier {
  #keys;
  #keyIds;
  #minKeyBits;
  #maxAgeSeconds;
  #maxBodyBytes;
  #slot = { handle: 0, generation: -1, freed: false };
  #sourced;

  /** `new WebhookVerifier({ key } | { keys: [{ id, key }], minKeyBits?, maxAgeSeconds?, maxBodyBytes? })`. */
  constructor(options) {
    const o = readOptions(options, OPTIONS, "new WebhookVerifier(options)");
    this.#minKeyBits = o.minKeyBits === undefined ? DEFAULT_MIN_KEY_BITS : wholeNumber(o.minKeyBits, "options.minKeyBits must be a whole number of bits.");
    const hasKey = o.key !== undefined && o.key !== null;
    const hasKeys = o.keys !== undefined && o.keys !== null;
    if (hasKey && hasKeys) throw argumentError("Give options.key or options.keys, not both.");
    if (!hasKey && !hasKeys) throw argumentError("new WebhookVerifier(options): options.key (or options.keys) is required.");
    const sourced = hasKey && isKeySource(o.key);
    if (sourced) {
      this.#keys = [];
    } else if (hasKey) {
      this.#keys = [readKey(o.key)];
      this.#keyIds = [null];
    } else {
      [this.#keyIds, this.#keys] = readKeySet(o.keys);
    }
    for (const key of this.#keys) {
      if (key.length > MAX_KEY_BYTES) throw verificationError("invalid_key", "The key is far larger than any RSA public key: pass the key itself.");
    }
    this.#maxAgeSeconds = maxAge(o.maxAgeSeconds) ?? null;
    this.#maxBodyBytes =
      o.maxBodyBytes === undefined ? DEFAULT_MAX_BODY_BYTES : wholeNumber(o.maxBodyBytes, "options.maxBodyBytes must be a whole number of bytes.");
    if (sourced) {
      // The options were checked above; the SourcedVerifier makes a verifier per key it fetches.
      const { key, keys, ...verifierOptions } = o;
      this.#sourced = new SourcedVerifier(key, verifierOptions);
      return;
    }
    this.#handle();
    registry?.register(this, this.#slot, this.#slot);
  }

  /**
   * `true` if the signature signs exactly `body` under one of the keys; `false` for any
   * missing, malformed or wrong signature. Throws `body_not_raw` for a body that is not raw
   * and `body_too_large` for one over `maxBodyBytes`.
   */
  verifySignature(body, signature) {
    const handle = this.#handle();
    const { bytes } = readBody(body, this.#maxBodyBytes);
    let value;
    try {
      value = readSignature(signature);
    } catch (error) {
      if (isOurs(error) && error.name === "WebhookVerificationError") return false;
      throw error;
    }
    if (value === undefined || value.length > MAX_SIGNATURE_CHARS) return false;
    try {
      // A boolean has no room for the diagnosis: none is searched for.
      checkSignature(handle, value, bytes, DIAGNOSIS.off);
      return true;
    } catch (error) {
      if (isOurs(error) && error.name === "WebhookVerificationError" && error.code !== "internal_error") return false;
      throw error;
    }
  }

  /** Verifies the delivery and returns the typed event; throws `WebhookVerificationError`. */
  verify(body, signature, options) {
    return this.#verifySync(body, signature, options).event;
  }

  /** Like `verify`, but never throws: `{ ok: true, event, keyId }` or `{ ok: false, code, message, status, hint, mismatch, bodyChange }`. */
  safeVerify(body, signature, options) {
    try {
      const { event, keyId } = this.#verifySync(body, signature, options);
      return { ok: true, event, keyId };
    } catch (error) {
      return failure(error);
    }
  }

  /** `verify` as a promise: resolves to `{ event, keyId }`. */
  async verifyAsync(body, signature, options) {
    if (this.#sourced !== undefined) return { event: await this.#sourced.verify(body, signature, options), keyId: null };
    const checked = this.#check(body, signature, options);
    return { event: parseJson(checked.text), keyId: checked.keyId };
  }

  /** Reads a Fetch `Request`'s body once and verifies it: `{ event, rawBody, keyId }`. */
  async verifyRequest(request, options) {
    const { body, headers } = await this.#readRequest(request);
    if (this.#sourced !== undefined) {
      const event = await this.#sourced.verify(body, headers, options);
      return { event, rawBody: text(new Uint8Array(body)), keyId: null };
    }
    const checked = this.#check(body, headers, options);
    return { event: parseJson(checked.text), rawBody: checked.text, keyId: checked.keyId };
  }

  /** Frees the keys' memory in the wasm instance now (it is also freed when garbage-collected). */
  free() {
    if (this.#sourced !== undefined) return this.#sourced.free();
    const slot = this.#slot;
    if (slot.freed) return;
    slot.freed = true;
    registry?.unregister(slot);
    release(slot);
  }

  #verifySync(body, signature, options) {
    const checked = this.#check(body, signature, options);
    return { event: parseJson(checked.text), keyId: checked.keyId };
  }

  /**
   * The verifier's handle in the current instance: prepared again after a replacement of the
   * instance or after it was evicted (see MAX_RESIDENT_VERIFIERS).
   */
  #handle() {
    if (this.#sourced !== undefined) {
      throw argumentError(
        "This verifier's key is a key source, which answers asynchronously: use verifyAsync() or verifyRequest() (or a WebhookReceiver), or pass the key value.",
      );
    }
    const slot = this.#slot;
    if (slot.freed) throw argumentError("This WebhookVerifier was freed.");
    resident.delete(slot);
    if (slot.generation !== core.generation) {
      for (const oldest of resident) {
        if (resident.size < MAX_RESIDENT_VERIFIERS) break;
        release(oldest);
      }
      const generation = core.generation;
      let prepared;
      try {
        prepared = prepareVerifier(this.#keys, this.#minKeyBits, this.#maxAgeSeconds, this.#maxBodyBytes);
      } catch (error) {
        throw error.code === "invalid_argument" ? argumentError(error.hint ?? error.message) : error;
      }
      slot.handle = prepared;
      slot.generation = generation;
    }
    resident.add(slot);
    return slot.handle;
  }

  /** Signature, envelope and replay window. */
  #check(body, signature, options) {
    const handle = this.#handle();
    // The body is read once: bytes the caller can still change (a SharedArrayBuffer another
    // thread writes to, a buffer changed by a callback) are copied first, and both the
    // verification and the parsed event come from that one copy.
    const { bytes, text: bodyText } = readBodyOnce(body, this.#maxBodyBytes);
    const value = readSignature(signature);
    if (value === undefined) throw verificationError("missing_signature", missingSignatureHint(signature));
    if (value.length > MAX_SIGNATURE_CHARS) {
      throw verificationError("malformed_signature", "The N-Signature value is far longer than any RSA signature.");
    }
    const o = readOptions(options, CALL_OPTIONS, "The options argument", { optional: true });
    const now = readTime(o.now, "options.now must be a Date or epoch milliseconds.") ?? Date.now();
    const window = maxAge(o.maxAgeSeconds);
    // A payload that does not fit its documented shape is refused with the verified event
    // attached (`error.event`, see checkDelivery); the module checks the replay window first
    // (an old one is stale_event).
    const result = checkDelivery(handle, value, bytes, now, window, diagnosisLevel(o.diagnosis));
    return {
      text: bodyText ?? text(bytes),
      eventId: result.eventId,
      keyId: this.#keyIds[result.keyIndex] ?? null,
    };
  }

  async #readRequest(request) {
    const { stream, arrayBuffer, headers, length } = guard("the request", () => {
      if (typeof request !== "object" || request === null || typeof request.arrayBuffer !== "function") {
        throw argumentError("verifyRequest(request): request must be a Fetch Request.");
      }
      if (request.bodyUsed) {
        throw verificationError(
          "body_not_raw",
          "The request's body was already read: call verifyRequest() before anything else reads it, and use the rawBody it returns.",
        );
      }
      const headers = request.headers;
      const declared = typeof headers?.get === "function" ? headers.get("content-length") : undefined;
      const body = request.body;
      const stream = typeof body?.getReader === "function" ? body : body === null ? null : undefined;
      return { stream, arrayBuffer: request.arrayBuffer, headers, length: declared == null ? NaN : Number(declared) };
    });
    // A declared length over the limit is refused before the body is read at all; otherwise
    // the bytes are counted as they arrive and the read stops at the limit (bounded-body.mjs).
    if (length > this.#maxBodyBytes) throw verificationError("body_too_large");
    if (stream !== undefined) return { body: await readWithin(stream, this.#maxBodyBytes, length), headers };
    // A Request-like object without a body stream: read whole, then measured.
    let body;
    try {
      body = await arrayBuffer.call(request);
    } catch (error) {
      throw argumentError("Reading the request's body failed (see error.cause).", error);
    }
    return { body, headers };
  }
}

disposable(WebhookVerifier);

/** `[ids, key bytes]` of `options.keys`: an array of `{ id, key }`. */
function readKeySet(list) {
  const entries = guard("options.keys", () => {
    if (!Array.isArray(list)) throw argumentError("options.keys must be an array of { id, key }.");
    const out = [];
    const length = list.length;
    for (let i = 0; i < length; i++) {
      const entry = list[i];
      const id = typeof entry === "object" && entry !== null ? entry.id : undefined;
      if (typeof id !== "string") throw argumentError("Each entry of options.keys needs an id (a string) and a key.");
      out.push([id, readKey(entry.key, "a key of options.keys")]);
    }
    return out;
  });
  if (entries.length === 0) throw argumentError("The key set is empty: give at least one key.");
  return [entries.map((e) => e[0]), entries.map((e) => e[1])];
}

/** The per-call `diagnosis` option as the module's level: "bounded" (default), "full", "off". */
function diagnosisLevel(value) {
  if (value === undefined) return DIAGNOSIS.bounded;
  if (typeof value === "string" && Object.hasOwn(DIAGNOSIS, value)) return DIAGNOSIS[value];
  throw argumentError('options.diagnosis must be "bounded" (the default), "full" or "off".');
}

/** `undefined` → not given; `null` → off; a positive number of seconds → on. */
function maxAge(value) {
  if (value === undefined || value === null) return value;
  if (typeof value === "number" && value > 0 && Number.isFinite(value)) return Math.ceil(value);
  throw argumentError("maxAgeSeconds must be a positive number of seconds, or null to turn the window off.");
}

function wholeNumber(value, message) {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw argumentError(message);
}

/** The verified body, parsed by the engine's own `JSON.parse`: every field sent is kept. */
function parseJson(body) {
  try {
    return JSON.parse(body);
  } catch {
    throw verificationError("invalid_json");
  }
}

/** `{ ok: false, code, message, status, hint, mismatch, bodyChange }` for any error; never throws. */
export function failure(error) {
  if (isOurs(error)) {
    const hint = error.hint;
    const message = (error.name === "WebhookVerificationError" && messageOf(error.code)) || error.message;
    return { ok: false, code: error.code, message, status: error.status ?? 500, hint, mismatch: error.mismatch, bodyChange: error.bodyChange };
  }
  return {
    ok: false,
    code: "invalid_argument",
    message: "A value passed in threw an exception.",
    status: 500,
    hint: undefined,
    mismatch: undefined,
    bodyChange: undefined,
  };
}

/** Why no signature was found, in the words of the call that was made. */
function missingSignatureHint(signature) {
  return signature === undefined || signature === null
    ? "No headers were given: pass the request's headers (or its N-Signature value) with the body: verify(body, headers), or receive({ body, headers })."
    : "The request's headers have no N-Signature: it did not come from Zentitle, or a proxy or framework dropped the header on the way.";
}
