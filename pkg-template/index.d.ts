// Public types of zentitle-webhooks. Hand-written: the generated declarations type every
// JavaScript value as `any`; these say exactly what each function takes and gives.

/** An RSA public key as a JSON Web Key, the form `GET /api/v1/account/key` returns. */
export interface RsaJsonWebKey {
  kty: "RSA";
  /** The modulus, base64url: the "RSA Modulus (n)" shown in the Zentitle UI. */
  n: string;
  /** The public exponent, base64url: `"AQAB"` (65537) for Zentitle keys. */
  e: string;
  [member: string]: unknown;
}

/**
 * The account's public key, in any form it is held in (detected automatically):
 * - the "RSA Modulus (n)" from Administration > API Credentials > Licensing API (base64url);
 * - a PEM public key (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`);
 * - a JWK, as an object or as JSON text;
 * - DER bytes (SPKI or PKCS#1).
 */
export type WebhookKey = string | RsaJsonWebKey | Uint8Array | ArrayBuffer;

export interface WebhookVerifierOptions {
  /** The account's RSA public key. */
  key: WebhookKey;
  /** Moduli shorter than this are refused with `weak_key`. Default 2048; lower it only in tests. */
  minKeyBits?: number;
}

/**
 * The raw request body exactly as received: bytes, or the text as received. Never a parsed
 * object: a parsed and re-serialised body does not verify.
 */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** Anything with a `get(name)` method, such as the Fetch API's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null;
}

/** A plain header record, such as Node's `req.headers`; names are matched case-insensitively. */
export type HeaderRecord = Record<string, string | readonly string[] | undefined>;

/** The `N-Signature` header value itself, or the request headers to find it in. */
export type SignatureOrHeaders = string | HeadersLike | HeaderRecord;

/** Every code a `WebhookVerificationError` can carry. */
export type WebhookErrorCode =
  | "missing_signature"
  | "malformed_signature"
  | "signature_length"
  | "invalid_signature"
  | "invalid_key"
  | "weak_key"
  | "body_not_raw"
  | "invalid_json";

/** A webhook that must not be trusted, or a verifier that was set up wrong. */
export class WebhookVerificationError extends Error {
  readonly name: "WebhookVerificationError";
  /** Stable, machine-readable: branch on this, not on the message. */
  readonly code: WebhookErrorCode;
  /** The HTTP status a webhook handler should answer with (401, 400 or 500). */
  readonly status: number;
  /** The likely mistake, when one is recognisable (also appended to `message`). */
  readonly hint: string | undefined;
  constructor(code: WebhookErrorCode, message: string, status: number, hint?: string);
}

/** Any value `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Verifies the webhooks Zentitle2 sends with the account's RSA public key. */
export class WebhookVerifier {
  /**
   * Reads and prepares the key once; build one verifier at start-up and reuse it.
   * @throws {WebhookVerificationError} `invalid_key` or `weak_key` for an unusable key.
   * @throws {TypeError} when `options.key` is missing or of the wrong kind.
   */
  constructor(options: WebhookVerifierOptions);
  /**
   * `true` if the signature signs exactly this body; `false` for any missing, malformed or
   * wrong signature.
   * @throws {WebhookVerificationError} `body_not_raw` when `body` is not a raw body.
   */
  verifySignature(body: WebhookBody, signatureOrHeaders: SignatureOrHeaders | null | undefined): boolean;
  /**
   * Verifies the body, then parses it as JSON.
   * @returns the parsed body.
   * @throws {WebhookVerificationError} for anything that must not be trusted.
   */
  verify(body: WebhookBody, signatureOrHeaders: SignatureOrHeaders | null | undefined): JsonValue;
  /** Frees the key's memory in the wasm instance now (it is also freed when garbage-collected). */
  free(): void;
  [Symbol.dispose](): void;
}
