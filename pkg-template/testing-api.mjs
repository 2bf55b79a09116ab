// The test kit's API, one list for every test-kit entry (each loads the kit's .wasm first):
// make keys, sign bodies the way Zentitle does, build realistic signed deliveries. Keys and
// signatures come from the runtime's native RSA where it has one (lib/native-rsa.mjs), else
// from the kit's WebAssembly. Bodies are written as Zentitle's .NET serialiser writes them.
import { argumentError, verificationError } from "./lib/errors.mjs";
import { nativeKeyPair, nativeSign } from "./lib/native-rsa.mjs";
import { bytesOf, guard, readKey, readOptions, readTime } from "./lib/read.mjs";
import { FIXTURE_KEY_PAIR } from "./lib/test-key.mjs";
import * as kit from "./lib/testing-core.mjs";
import { strictText, utf8 } from "./lib/text.mjs";

export { storeContractTests } from "./lib/store-contract-tests.mjs";

/** Bodies and keys the kit takes, at most (its instance's memory stays bounded). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const MAX_KEY_BYTES = 64 * 1024;

/**
 * `await generateTestKeyPair({ bits = 2048 })` → `{ privateKeyPem, publicKeyPem, modulus, jwk }`,
 * a fresh pair from the runtime's WebCrypto (the kit's WebAssembly where there is none).
 */
export async function generateTestKeyPair(options) {
  const { bits } = readOptions(options, ["bits"], "generateTestKeyPair(options)", { optional: true });
  if (bits !== undefined && typeof bits !== "number") throw argumentError("bits must be a number.");
  const size = bits === undefined ? 2048 : Number.isInteger(bits) && bits > 0 && bits <= 0xffffffff ? bits : 0;
  if (size < 1024 || size > 4096 || size % 256 !== 0) throw argumentError("bits must be 1024, 1280, ... or 4096 (a multiple of 256).");
  return (await nativeKeyPair(size)) ?? kit.generateKeyPair(size);
}

/**
 * `testKeyPair()` → a ready-made 2048-bit pair, at once: for tests that need a key but not a
 * fresh one. Its private key is public (it ships in this package): never configure a real
 * receiver with it.
 */
export function testKeyPair() {
  return { ...FIXTURE_KEY_PAIR, jwk: { ...FIXTURE_KEY_PAIR.jwk } };
}

/** `signPayload(body, privateKey)` → the `N-Signature` value. */
export function signPayload(body, privateKey) {
  return signBytes(signingKey(privateKey), bodyBytes(body));
}

/** The signature by the runtime's RSA where it takes the key, else by the kit. */
function signBytes(key, bytes) {
  return nativeSign(key, bytes) ?? kit.sign(key, bytes);
}

/** `createTestEvent(eventCode, overrides?, { now }?)` → a realistic event object. */
export function createTestEvent(eventCode, overrides, options) {
  const { now } = readOptions(options, ["now"], "createTestEvent(eventCode, overrides, options)", { optional: true });
  return JSON.parse(eventJson(eventCode, overrides, now));
}

/**
 * `buildSignedRequest({ privateKey, eventCode | event | body, overrides?, url?, now? })` →
 * `{ body, signature, headers, request }`: the body text, its signature, the headers Zentitle
 * would send, and a Fetch `Request` (where the runtime has one).
 */
export function buildSignedRequest(options) {
  if (typeof options !== "object" || options === null) {
    throw argumentError("buildSignedRequest(options): options must be an object with privateKey and eventCode, event or body.");
  }
  const o = readOptions(options, ["privateKey", "eventCode", "overrides", "event", "body", "url", "now"], "buildSignedRequest(options)");
  const key = signingKey(o.privateKey);
  const text = o.body !== undefined ? bodyText(o.body) : o.event !== undefined ? eventBody(o.event) : eventJson(o.eventCode, o.overrides, o.now);
  const signature = signBytes(key, utf8(text));
  const headers = { "content-type": "application/json", "n-signature": signature };
  const result = { body: text, signature, headers };
  if (typeof Request === "function") {
    const url = typeof o.url === "string" ? o.url : "http://127.0.0.1/webhooks/zentitle";
    result.request = guard("options.url", () => new Request(url, { method: "POST", body: text, headers }));
  }
  return result;
}

/**
 * `createSender({ privateKey, url, maxAttempts = 8, backoffMs = 250, fetch })` → a sender whose
 * `send(eventCode | event, overrides?)` delivers like Zentitle: the same eventId on every
 * attempt, `callAttempt` counting up, re-signed each time, retried with exponential back-off
 * until a 2xx. Resolves to `{ eventId, delivered, attempts: [{ attempt, status }] }`.
 */
export function createSender(options) {
  const o = readOptions(options, ["privateKey", "url", "maxAttempts", "backoffMs", "fetch"], "createSender(options)");
  const key = signingKey(o.privateKey);
  if (typeof o.url !== "string") throw argumentError("createSender(options): url must be the receiver's URL (a string).");
  const maxAttempts = o.maxAttempts ?? 8;
  const backoffMs = o.backoffMs ?? 250;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw argumentError("createSender(options): maxAttempts must be a whole number of at least 1.");
  if (typeof backoffMs !== "number" || !(backoffMs >= 0)) throw argumentError("createSender(options): backoffMs must be a number of milliseconds.");
  const send = o.fetch ?? globalThis.fetch;
  if (typeof send !== "function") throw argumentError("createSender(options): no fetch in this runtime; pass options.fetch.");
  return {
    async send(eventOrCode, overrides) {
      const event = typeof eventOrCode === "string" ? JSON.parse(eventJson(eventOrCode, overrides)) : JSON.parse(bodyText(eventOrCode));
      const attempts = [];
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        event.callAttempt = attempt;
        const body = kit.dotnetJson(JSON.stringify(event));
        const headers = { "content-type": "application/json", "n-signature": signBytes(key, utf8(body)) };
        let status = 0;
        try {
          const response = await send(o.url, { method: "POST", body, headers });
          status = response.status;
          await response.arrayBuffer().catch(() => {});
        } catch {
          status = 0; // no answer: retried like any failure
        }
        attempts.push({ attempt, status });
        if (status >= 200 && status < 300) return { eventId: event.eventId, delivered: true, attempts };
        if (attempt < maxAttempts) await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** (attempt - 1)));
      }
      return { eventId: event.eventId, delivered: false, attempts };
    },
  };
}

/** `tamperBody(body)` → the body with one character changed (still JSON for a JSON body). */
export function tamperBody(body) {
  return kit.tamperBody(bodyText(body));
}

/** `tamperSignature(signature)` → the signature with one bit flipped, still valid base64. */
export function tamperSignature(signature) {
  if (typeof signature !== "string") throw argumentError("tamperSignature(signature): signature must be a string.");
  if (signature.length > MAX_KEY_BYTES) throw verificationError("malformed_signature");
  return kit.tamperSignature(signature);
}

function signingKey(value) {
  if (value === undefined || value === null) {
    throw argumentError("A private key is required (PEM text or DER bytes), e.g. testKeyPair().privateKeyPem or (await generateTestKeyPair()).privateKeyPem.");
  }
  if (typeof value === "object" && typeof guard("the private key", () => value.then) === "function") {
    throw argumentError("The private key is a Promise: generateTestKeyPair() is async, so await it: (await generateTestKeyPair()).privateKeyPem.");
  }
  const key = readKey(value, "the private key");
  if (key.length > MAX_KEY_BYTES) throw verificationError("invalid_key", "The private key is far larger than any RSA key.");
  return key;
}

/** A body's bytes: a string (UTF-8), bytes as they are, or an event object (its JSON text). */
function bodyBytes(value) {
  const bytes =
    typeof value === "string"
      ? utf8(value)
      : guard("the body", () => {
          const raw = bytesOf(value);
          if (raw !== undefined) return raw;
          if (typeof value === "object" && value !== null) {
            const json = JSON.stringify(value);
            if (typeof json === "string") return utf8(json);
          }
          throw argumentError("The body must be a string, bytes, or an event object.");
        });
  if (bytes.length > MAX_BODY_BYTES) throw argumentError("The test kit signs bodies of up to 16 MiB.");
  return bytes;
}

/** A body as text, for the deliveries the kit builds (and alters). */
function bodyText(value) {
  if (typeof value === "string") return value;
  const bytes = bodyBytes(value);
  try {
    return strictText(bytes);
  } catch {
    throw argumentError("The body bytes are not UTF-8 text.");
  }
}

/** An event object as the body Zentitle would send: written the way .NET writes JSON (text and bytes stay as they are). */
function eventBody(event) {
  const object = typeof event === "object" && event !== null && guard("the event", () => bytesOf(event)) === undefined;
  return object ? kit.dotnetJson(bodyText(event)) : bodyText(event);
}

function eventJson(code, overrides, now) {
  if (typeof code !== "string") throw argumentError('The event code must be a string, e.g. "entitlement.seat.activated".');
  let json;
  if (overrides !== undefined && overrides !== null) {
    json = guard("overrides", () => JSON.stringify(overrides));
    if (typeof json !== "string") throw argumentError("overrides must be JSON-serialisable.");
  }
  const at = readTime(now, "now must be a Date or epoch milliseconds.") ?? Date.now();
  return kit.sampleEvent(code, json, at);
}
