// The error class every refused delivery throws, and the table of codes behind it. The codes,
// messages and statuses come from the WebAssembly module (src/error.rs), read once at load.

/** A webhook that must not be trusted, or a verifier set up wrong. */
export class WebhookVerificationError extends Error {
  /**
   * @param {string} code stable machine-readable code, e.g. "invalid_signature"
   * @param {string} message what went wrong; never contains the key or body (nor the hint)
   * @param {number} status the HTTP status a webhook handler should answer with
   * @param {string | undefined} hint the likely mistake, when one is recognisable
   * @param {"body" | "key" | undefined} mismatch for invalid_signature: which side does not match
   * @param {string | undefined} bodyChange for a body mismatch: the change recognised, if any
   */
  constructor(code, message, status, hint, mismatch, bodyChange) {
    super(message); // the hint stays apart (error.hint), so that logging both does not print it twice
    this.name = "WebhookVerificationError";
    this.code = code;
    this.status = status;
    this.hint = hint;
    this.mismatch = mismatch;
    this.bodyChange = bodyChange;
  }
}

const table = new Map();
/** Every error made by the package (so that a caller's own exceptions can be told apart without
 * touching them: `instanceof` on a Proxy runs its traps, `WeakSet#has` runs nothing). */
const ours = new WeakSet();
const own = (error) => {
  ours.add(error);
  return error;
};

/** Whether `error` was made by the package. Runs no code of the value's. */
export const isOurs = (error) => (typeof error === "object" || typeof error === "function") && error !== null && ours.has(error);

/** Records the module's table; returns the codes in its order. */
export function registerErrors(entries) {
  for (const { code, message, status } of entries) table.set(code, { message, status });
  return entries.map((entry) => entry.code);
}

/** The error for `code`, with the module's message and status. */
export function verificationError(code, hint, mismatch, bodyChange) {
  const known = table.get(code) ?? { message: "The delivery could not be verified.", status: 500 };
  return own(new WebhookVerificationError(code, known.message, known.status, hint, mismatch, bodyChange));
}

/** A call failed inside the WebAssembly module, which has been replaced. */
export function internalError(cause) {
  const error = verificationError("internal_error");
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  return error;
}

/**
 * The key source could not give the key (its fetch failed): HTTP 503, so that Zentitle retries
 * a delivery that could not be checked. The source's error is the `cause`, never the message.
 */
export function keyUnavailableError(cause) {
  const error = own(
    new WebhookVerificationError(
      "key_unavailable",
      "The key could not be fetched from its source, so the delivery could not be checked: answer 503 so that Zentitle retries (see error.cause).",
      503,
    ),
  );
  Object.defineProperty(error, "cause", { value: cause, configurable: true, writable: true });
  return error;
}

/** An argument of the wrong kind: a `TypeError` with `code: "invalid_argument"`. */
export function argumentError(message, cause) {
  const error = cause === undefined ? new TypeError(message) : new TypeError(message, { cause });
  error.code = "invalid_argument";
  return own(error);
}

/** The message of `code` without its hint. */
export const messageOf = (code) => table.get(code)?.message ?? "";

/** Gives a class `[Symbol.dispose]()` calling its `free()`, where the runtime has the symbol. */
export function disposable(Class) {
  if (typeof Symbol.dispose !== "symbol") return;
  Object.defineProperty(Class.prototype, Symbol.dispose, {
    value: function dispose() {
      this.free();
    },
    configurable: true,
    writable: true,
  });
}

/**
 * Why the receiver did not answer a delivery with "processed": a handler failed or timed out,
 * the store could not answer, the lease was lost, the payload did not fit its code's type, or
 * no handler was registered for the event. Handed to `onError` with the handler's own exception
 * (if any) as `cause`; its message never holds the body, the key or the signature.
 */
export class WebhookReceiverError extends Error {
  /**
   * @param {string} code e.g. "handler_failed", "handler_timeout", "lease_lost", "store_unavailable"
   * @param {string} message what happened and what follows (the retry, the log)
   * @param {{ outcome: string, status: number, eventId?: string, hint?: string, cause?: unknown }} details
   */
  constructor(code, message, { outcome, status, eventId, hint, cause }) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "WebhookReceiverError";
    this.code = code;
    this.outcome = outcome;
    this.status = status;
    this.eventId = eventId;
    this.hint = hint;
  }
}

/** A `WebhookReceiverError`, marked as the package's own. */
export function receiverError(code, message, details) {
  return own(new WebhookReceiverError(code, message, details));
}
