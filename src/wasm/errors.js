// The error class every failed verification throws. It lives in JavaScript so that it is a
// real `Error` subclass (stack trace, `instanceof`, `name`), created by the Rust boundary.

/** A webhook that must not be trusted, or a verifier set up wrong. */
export class WebhookVerificationError extends Error {
  /**
   * @param {string} code stable machine-readable code, e.g. "invalid_signature"
   * @param {string} message what went wrong and what to do; never contains the key or body
   * @param {number} status the HTTP status a webhook handler should answer with
   * @param {string | undefined} hint the likely mistake, when one is recognisable
   */
  constructor(code, message, status, hint) {
    super(hint ? `${message} Hint: ${hint}` : message);
    this.name = "WebhookVerificationError";
    this.code = code;
    this.status = status;
    this.hint = hint;
  }
}
