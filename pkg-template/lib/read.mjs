// Reads every JavaScript value the API is given, before anything reaches the WebAssembly
// module: bodies, header values and headers objects, keys, times and option bags.
//
// What a caller passes may be hostile or just odd: a Proxy whose traps throw, a revoked Proxy,
// getters that throw, a typed array whose `length` is overridden, bytes from another realm
// (node:vm, Jest environments, iframes). Typed arrays and buffers are recognised by brand and
// measured with the built-in getters, which nothing a caller does can override. Everything a
// caller's code throws while being read becomes a `TypeError` with `code: "invalid_argument"`
// (the original is its `cause`); nothing is half-read into the module.
import { argumentError, isOurs, verificationError } from "./errors.mjs";
import { utf8 } from "./wasm-instance.mjs";

/** Runs `read`; whatever a caller's value throws becomes an `invalid_argument` TypeError. */
export function guard(what, read) {
  try {
    return read();
  } catch (error) {
    if (isOurs(error)) throw error;
    throw argumentError(`Reading ${what} threw an exception (see error.cause); pass plain values.`, error);
  }
}

const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name)?.get;
const typedArray = Object.getPrototypeOf(Uint8Array.prototype);
const typedBuffer = getter(typedArray, "buffer");
const typedOffset = getter(typedArray, "byteOffset");
const typedLength = getter(typedArray, "byteLength");
const viewBuffer = getter(DataView.prototype, "buffer");
const viewOffset = getter(DataView.prototype, "byteOffset");
const viewLength = getter(DataView.prototype, "byteLength");
const bufferLength = getter(ArrayBuffer.prototype, "byteLength");
const sharedLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : undefined;
const dateTime = Date.prototype.getTime;
const mapForEach = Map.prototype.forEach;
const objectTag = Object.prototype.toString;

function tryCall(fn, value) {
  if (fn === undefined) return undefined;
  try {
    return fn.call(value);
  } catch {
    return undefined;
  }
}

/**
 * A Uint8Array over the bytes of an ArrayBuffer, SharedArrayBuffer, typed array or DataView
 * from any realm; `undefined` for anything else. Calls no code of the caller's.
 */
export function bytesOf(value) {
  if (typeof value !== "object" || value === null) return undefined;
  if (ArrayBuffer.isView(value)) {
    let length = tryCall(typedLength, value);
    let buffer, offset;
    if (length !== undefined) {
      buffer = typedBuffer.call(value);
      offset = typedOffset.call(value);
    } else {
      length = viewLength.call(value);
      buffer = viewBuffer.call(value);
      offset = viewOffset.call(value);
    }
    return new Uint8Array(buffer, offset, length);
  }
  const length = tryCall(bufferLength, value) ?? tryCall(sharedLength, value);
  return length === undefined ? undefined : new Uint8Array(value, 0, length);
}

/**
 * The raw body: `{ bytes, text? }`, refused before any copy when it is larger than `maxBytes`.
 * A string's UTF-8 is at least as long as the string, so a string longer than the limit is
 * refused before it is encoded.
 */
export function readBody(value, maxBytes) {
  if (typeof value === "string") {
    if (value.length > maxBytes) throw verificationError("body_too_large");
    const bytes = utf8(value);
    if (bytes.length > maxBytes) throw verificationError("body_too_large");
    return { bytes, text: value };
  }
  const bytes = guard("the body", () => bytesOf(value));
  if (bytes !== undefined) {
    if (bytes.length > maxBytes) throw verificationError("body_too_large");
    return { bytes, text: undefined };
  }
  throw verificationError(
    "body_not_raw",
    value === null || value === undefined
      ? 'No body was given, or it had already been read (by `await request.json()`, a body parser or a logger) before it reached the verifier: a request body can be read once. Read the raw body first and hand it over: `await request.text()` (Fetch), or `express.raw({ type: "application/json" })` in Express.'
      : typeof value === "object"
        ? 'This looks like a parsed JSON body. A parsed and re-serialised body does not verify: pass the raw body (`await request.text()`, or `express.raw({ type: "application/json" })` in Express) and let verify() parse it.'
        : "Pass the body as a string or bytes, exactly as received.",
  );
}

/**
 * The raw body as `readBody` reads it, made unchangeable: bytes of the caller's (which another
 * thread or a later callback could still change, a SharedArrayBuffer for one) are copied
 * once, so that everything derived from the body (its check, its parsed value) comes from
 * the same bytes. A string stays as it is unless it has lone surrogates, which its UTF-8
 * bytes replace: then `text` is left out, for the caller to decode the bytes.
 */
export function readBodyOnce(value, maxBytes) {
  const { bytes, text } = readBody(value, maxBytes);
  if (text !== undefined) return { bytes, text: wellFormed(text) ? text : undefined };
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return { bytes: copy, text: undefined };
}

const isWellFormed = String.prototype.isWellFormed;
function wellFormed(value) {
  if (typeof isWellFormed === "function") return isWellFormed.call(value);
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
}

const SIGNATURE_HEADER = "n-signature";
const isSignatureHeader = (name) => typeof name === "string" && name.toLowerCase() === SIGNATURE_HEADER;

/**
 * The `N-Signature` value from a header value, a Fetch `Headers` (or anything with `get`), a
 * `Map`, or a header record such as Node's `req.headers` (names in any case). `undefined`
 * when absent.
 */
export function readSignature(value) {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return undefined;
  return guard("the signature or headers argument", () => {
    if (typeof value !== "object" || Array.isArray(value)) {
      throw argumentError(
        "The second argument must be the N-Signature header value (a string) or the request headers (a Headers object or a record such as req.headers).",
      );
    }
    if (typeof value.get === "function") {
      const found = value.get(SIGNATURE_HEADER);
      if (found === null || found === undefined) {
        const inMap = findInMap(value);
        if (inMap !== undefined) return headerValue(inMap);
      }
      return headerValue(found);
    }
    for (const name of Object.keys(value)) {
      if (isSignatureHeader(name)) return headerValue(value[name]);
    }
    return undefined;
  });
}

/** A `Map` (of any realm) keyed by header names in any case; read with the built-in forEach. */
function findInMap(value) {
  let found;
  try {
    mapForEach.call(value, (entry, name) => {
      if (found === undefined && isSignatureHeader(name)) found = entry;
    });
  } catch {
    return undefined; // not a Map
  }
  return found;
}

function headerValue(found) {
  if (typeof found === "string") return found;
  if (found === null || found === undefined) return undefined;
  if (Array.isArray(found)) {
    const length = found.length;
    if (length === 0) return undefined;
    const first = found[0];
    if (length === 1 && typeof first === "string") return first;
    if (length > 1) throw verificationError("malformed_signature", "The N-Signature header was sent more than once; Zentitle sends it once.");
  }
  throw verificationError("malformed_signature");
}

/** A key as bytes for the core's detection: text, DER bytes, or a JWK object as JSON text. */
export function readKey(value, what = "the key") {
  if (typeof value === "string") return utf8(value);
  return guard(what, () => {
    const bytes = bytesOf(value);
    if (bytes !== undefined) return bytes.slice();
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      let json;
      try {
        json = JSON.stringify(value);
      } catch (error) {
        throw argumentError("The key object could not be read as a JWK.", error);
      }
      if (typeof json === "string") return utf8(json);
    }
    throw argumentError("A key must be the RSA modulus from Zentitle, a PEM string, a JWK (object or JSON text), or DER bytes.");
  });
}

/** A point in time as epoch milliseconds: a `Date` (any realm) or a number; `undefined` stays. */
export function readTime(value, message) {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? value : tryCall(dateTime, value);
  if (typeof ms !== "number" || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw argumentError(message);
  return ms;
}

/**
 * The members `names` of an options object, each read once; `{}` for `undefined`/`null` when
 * `optional`. An unknown member name is a TypeError naming the closest known one: a typo
 * (`maxAge` for `maxAgeSeconds`) must not silently turn a check off.
 */
export function readOptions(options, names, what, { optional = false } = {}) {
  if (optional && (options === undefined || options === null)) return {};
  return guard(what, () => {
    // A plain object (of any realm) or an instance of a class of the caller's: never an array,
    // a Date, a Map, bytes or a function, which are a mistake as an options bag.
    if (typeof options !== "object" || options === null || objectTag.call(options) !== "[object Object]") {
      throw argumentError(`${what} must be an object${optional ? " (or omitted)" : ""}, with ${names.map((n) => `\`${n}\``).join(", ")}.`);
    }
    for (const name of Object.keys(options)) {
      if (!names.includes(name)) {
        const near = closest(name, names);
        throw argumentError(`${what}: unknown option \`${name}\`${near ? `; did you mean \`${near}\`?` : ""} Known: ${names.join(", ")}.`);
      }
    }
    const read = {};
    for (const name of names) read[name] = options[name];
    return read;
  });
}

/** The member of `names` nearest to `name` when it is near enough to be a typo. */
export function closest(name, names) {
  let best;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    const prefix = candidate.toLowerCase().startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(candidate.toLowerCase());
    const score = prefix ? Math.min(d, 1) : d;
    if (score < bestDistance) {
      bestDistance = score;
      best = candidate;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function distance(a, b) {
  if (a.length > 64 || b.length > 64) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
