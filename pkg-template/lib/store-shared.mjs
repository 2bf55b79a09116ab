// What every shipped store shares: the checks of its options and of the arguments the receiver
// passes (`doneSeconds`, `logger`, eventId, lease length, token), the lease tokens, and the key
// an eventId is stored under (the id itself when it is short and plain, else a SHA-256 digest,
// so that ids with NUL bytes or of any length fit in PostgreSQL and keep keys small).
// Imports nothing but the error constructor, so that each store stays a small module.
import { isOurs, argumentError as typeError } from "./errors.mjs";

/** How long a done mark is kept unless `doneSeconds` says otherwise: 7 days. */
export const DEFAULT_DONE_SECONDS = 7 * 24 * 60 * 60;
/** The least `doneSeconds`: one hour, longer than Zentitle's retries of one delivery. */
export const MIN_DONE_SECONDS = 3600;
/** The most: what a 32-bit seconds counter holds (Redis EX, PostgreSQL intervals, Date). */
export const MAX_DONE_SECONDS = 2 ** 31 - 1;
/** The longest lease: what a 32-bit milliseconds counter holds (about 24 days). */
export const MAX_LEASE_MS = 2 ** 31 - 1;

const objectTag = Object.prototype.toString;

/** A wrong argument or option: a `TypeError` with `code: "invalid_argument"`. */
export { typeError };

/**
 * Reads an options bag (`undefined` or a plain object) for a store's constructor: a TypeError
 * for anything else, for an unknown option, and for a getter that throws.
 */
export function readStoreOptions(options, names, what) {
  if (options === undefined || options === null) return {};
  try {
    if (typeof options !== "object" || objectTag.call(options) !== "[object Object]") {
      throw typeError(`${what}: options must be an object (or omitted), with ${names.map((n) => `\`${n}\``).join(", ")}.`);
    }
    for (const name of Object.keys(options)) {
      if (!names.includes(name)) throw typeError(`${what}: unknown option \`${name}\`. Known: ${names.join(", ")}.`);
    }
    const read = {};
    for (const name of names) read[name] = options[name];
    return read;
  } catch (error) {
    if (isOurs(error)) throw error;
    throw typeError(`${what}: reading the options threw an exception (see error.cause); pass a plain object.`, error);
  }
}

/** `doneSeconds`: a whole number of seconds, at least an hour; default 7 days. */
export function readDoneSeconds(value, what) {
  if (value === undefined) return DEFAULT_DONE_SECONDS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < MIN_DONE_SECONDS || value > MAX_DONE_SECONDS) {
    throw typeError(
      `${what}: doneSeconds must be a whole number of seconds from ${MIN_DONE_SECONDS} (an hour) to ${MAX_DONE_SECONDS}, e.g. 604800 for 7 days (the default); got ${describe(value)}.`,
    );
  }
  return value;
}

/**
 * `logger`: an object with `warn(line)` (console, pino, the receiver's own logger), a function
 * taking one line, or `false` to say nothing; default `console`.
 */
export function readLogger(value, what) {
  if (value === undefined) return (line) => globalThis.console?.warn(line);
  if (value === false) return () => {};
  if (typeof value === "function") return (line) => value(line);
  let warn;
  try {
    warn = typeof value === "object" && value !== null ? value.warn : undefined;
  } catch (error) {
    throw typeError(`${what}: reading logger.warn threw an exception (see error.cause).`, error);
  }
  if (typeof warn === "function") return (line) => warn.call(value, line);
  throw typeError(`${what}: logger must be an object with warn(line) (console, pino, ...), a function taking one line, or false; got ${describe(value)}.`);
}

/** Checks the arguments of a store call; a TypeError (a rejected promise) for a wrong one. */
export function checkEventId(eventId, what) {
  if (typeof eventId !== "string") throw typeError(`${what}: eventId must be a string; got ${describe(eventId)}.`);
  if (!wellFormed(eventId)) throw typeError(`${what}: eventId must be well-formed Unicode (it has a lone surrogate).`);
}

/** A lease length in milliseconds: a positive number (rounded up to a whole millisecond). */
export function readLeaseMs(leaseMs, what) {
  if (typeof leaseMs !== "number" || !(leaseMs > 0) || leaseMs > MAX_LEASE_MS) {
    throw typeError(`${what}: leaseMs must be a positive number of milliseconds up to ${MAX_LEASE_MS}; got ${describe(leaseMs)}.`);
  }
  return Math.ceil(leaseMs);
}

/** A lease token, as `claim` returned it. */
export function checkToken(token, what) {
  if (typeof token !== "string") throw typeError(`${what}: token must be the string claim() returned; got ${describe(token)}.`);
}

/** A fresh lease token: 128 random bits as 32 hexadecimal digits. */
export function leaseToken() {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return hex(bytes);
}

/** Ids kept as they are: at most this many UTF-8 bytes, no NUL, not starting with the digest's prefix. */
const PLAIN_MAX_BYTES = 200;
const DIGEST_PREFIX = "sha256:";

/**
 * The key an eventId is stored under: the id itself when it is plain (at most 200 UTF-8 bytes,
 * no NUL byte, not starting with `sha256:`), else `sha256:` and the hex SHA-256 of its UTF-8.
 * One id, one key; two ids, two keys (a plain key never starts with `sha256:`).
 */
export async function storageKey(eventId) {
  if (eventId.length <= PLAIN_MAX_BYTES && !eventId.includes("\0") && !eventId.startsWith(DIGEST_PREFIX)) {
    const bytes = new TextEncoder().encode(eventId);
    if (bytes.length <= PLAIN_MAX_BYTES) return eventId;
  }
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(eventId));
  return DIGEST_PREFIX + hex(new Uint8Array(digest));
}

function hex(bytes) {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
function wellFormed(text) {
  return typeof String.prototype.isWellFormed === "function" ? text.isWellFormed() : !loneSurrogate.test(text);
}

/** A short, safe description of a wrong value for an error message (never its whole content). */
function describe(value) {
  if (value === null) return "null";
  if (typeof value === "string") return value.length > 20 ? "a string" : JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "undefined") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
