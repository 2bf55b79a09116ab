// Public types of zentitle-webhooks. Hand-written, except the event section, which a Rust
// test generates from the event tables of src/event/ so that the two cannot drift.

declare global {
  // `Symbol.dispose` (the `using` declaration), declared here as Node's own types declare it,
  // so that these types compile with any `lib` and `target` (TypeScript 5.2+ merges it with
  // its own `esnext.disposable` declaration).
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

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

/**
 * A key that is fetched and can change (`zentitleKey(client)` of `zentitle-webhooks/management`
 * is one): taken by `WebhookReceiver` and by `WebhookVerifier`'s `verifyAsync` and
 * `verifyRequest` (its synchronous methods need a key value). Fetched on first use; when a
 * signature was made by another key, `refresh()` is called and the delivery verified once more
 * if the key changed. A source that throws fails the delivery with `key_unavailable` (HTTP 503).
 */
export interface KeySource {
  /** The current key (cached by the source). */
  getKey(): Promise<WebhookKey>;
  /** Fetch the key again; the source applies its own cooldown (forged deliveries call it too). */
  refresh?(): Promise<WebhookKey>;
}

/** One key of a key set, with the id that names it in results (for rotations). */
export interface KeyEntry {
  id: string;
  key: WebhookKey;
}

interface CommonOptions {
  /** Moduli shorter than this are refused with `weak_key`. Default 2048; lower it only in tests. */
  minKeyBits?: number;
  /**
   * Refuse events whose signed `eventDate` is older than this (`stale_event`) or more than
   * 300 s in the future (`future_event`). Off by default: retries keep the original date.
   */
  maxAgeSeconds?: number;
  /** Refuse bodies longer than this, before hashing (`body_too_large`). Default 1048576 (1 MiB). */
  maxBodyBytes?: number;
}

export type WebhookVerifierOptions =
  | (CommonOptions & {
      /** The account's RSA public key, or a key source (async methods only). */ key: WebhookKey | KeySource;
      keys?: undefined;
    })
  | (CommonOptions & { /** Several keys, during a rotation; results name the one that matched. */ keys: readonly KeyEntry[]; key?: undefined });

/** Options of one verification. */
export interface VerifyOptions {
  /** The current time (default: the runtime's clock). */
  now?: Date | number;
  /** The replay window for this call; `null` turns the verifier's window off. */
  maxAgeSeconds?: number | null;
  /**
   * How far the diagnosis of `invalid_signature` searches for the change to the body:
   * `"bounded"` (default: within 3 bytes of work per body byte plus 32 KiB, so a refusal costs
   * a small constant factor of an acceptance), `"full"` (64 per byte plus 1 MiB; for tools that
   * explain a failure), `"off"` (the mismatch only).
   */
  diagnosis?: "bounded" | "full" | "off";
}

/**
 * The raw request body exactly as received: bytes, or the text as received. Never a parsed
 * object: a parsed and re-serialised body does not verify.
 */
export type WebhookBody = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** Anything with a `get(name)` method, such as the Fetch API's `Headers`. */
export interface HeadersLike {
  get(name: string): string | null | undefined;
}

/** A plain header record, such as Node's `req.headers`; names are matched case-insensitively. */
export type HeaderRecord = Record<string, string | readonly string[] | undefined>;

/** The `N-Signature` header value itself, or the request headers to find it in. */
export type SignatureOrHeaders = string | HeadersLike | HeaderRecord;

// BEGIN GENERATED ERROR CODES (from src/error.rs; `UPDATE_TYPES=1 cargo test` rewrites this section)

/** Every code a `WebhookVerificationError` (or a failed `safeVerify`) can carry. */
export type WebhookErrorCode =
  /** No N-Signature header: every Zentitle webhook carries one. (HTTP 401) */
  | "missing_signature"
  /** The N-Signature header is not a valid signature: it must be standard base64 with '=' padding, sent once. (HTTP 401) */
  | "malformed_signature"
  /** The N-Signature header decodes to a signature whose length does not match the key: it was made with another key, or was cut short. (HTTP 401) */
  | "signature_length"
  /** The signature does not match the body: the body was changed after signing (or re-serialised), or it was signed with another key. (HTTP 401) */
  | "invalid_signature"
  /** The key is not a usable RSA public key. Pass the RSA modulus shown in Zentitle (base64url), a JWK, a PEM or a DER public key. (HTTP 500) */
  | "invalid_key"
  /** The RSA key is shorter than the minimum accepted size (2048 bits unless minKeyBits says otherwise). (HTTP 500) */
  | "weak_key"
  /** The body must be the raw request body (string, Uint8Array, Buffer or ArrayBuffer), exactly as received. (HTTP 500) */
  | "body_not_raw"
  /** The body verified but is not valid UTF-8 JSON text. (HTTP 400) */
  | "invalid_json"
  /** The body verified but is not a valid Zentitle event (eventId, eventDate, eventCode, resourceId, callAttempt, payload). (HTTP 400) */
  | "invalid_event"
  /** The event's signed eventDate is older than the replay window (maxAgeSeconds): it may be a replay. Retries keep the original date, so size the window to Zentitle's retry schedule. (HTTP 401) */
  | "stale_event"
  /** The event's signed eventDate is in the future by more than the allowed clock skew: check this machine's clock. (HTTP 401) */
  | "future_event"
  /** An argument or option is of the wrong kind. (HTTP 500) */
  | "invalid_argument"
  /** The body is larger than this verifier accepts (maxBodyBytes, 1 MiB by default): Zentitle's events are a few kilobytes. Raise maxBodyBytes if you expect more. (HTTP 413) */
  | "body_too_large"
  /** The WebAssembly instance failed during this call and was replaced: nothing was verified. Answer 5xx so that Zentitle retries; the next call works. (HTTP 500) */
  | "internal_error";
// END GENERATED ERROR CODES

// BEGIN GENERATED DIAGNOSIS (from src/error.rs; `UPDATE_TYPES=1 cargo test` rewrites this section)

/** For `invalid_signature`: which side does not match (see `WebhookVerificationError.mismatch`). */
export type SignatureMismatch =
  /** The key made this signature, over another body: the body changed after it was signed. */
  | "body"
  /** The signature was not made by this key (another account or environment signed it), or it was damaged. */
  | "key";

/** A change to the body recognised by the diagnosis of `invalid_signature`: undoing it gives the signed bytes. */
export type BodyChange =
  /** The JSON was parsed and serialised again: whitespace, escapes or number forms changed (`JSON.stringify(req.body)`, a pretty-printer, another language's serialiser). */
  | "reserialized_json"
  /** A line break was added at the end of the body, or removed from it. */
  | "trailing_newline"
  /** Line endings were converted (LF to CRLF, or CRLF to LF). */
  | "line_endings"
  /** A byte-order mark was added in front of the body, or removed (text decoding drops it). */
  | "byte_order_mark"
  /** The body went through another charset (UTF-8 read as Latin-1 or Windows-1252). */
  | "charset";
// END GENERATED DIAGNOSIS

/** A webhook that must not be trusted, or a verifier that was set up wrong. */
export class WebhookVerificationError extends Error {
  readonly name: "WebhookVerificationError";
  /** Stable, machine-readable: branch on this, not on the message (`key_unavailable`, 503: a key source failed). */
  readonly code: WebhookErrorCode | "key_unavailable";
  /** The HTTP status a webhook handler should answer with (401, 400, 413, 200 for a duplicate, 500). */
  readonly status: number;
  /** The likely mistake, when one is recognisable (also appended to `message`). */
  readonly hint: string | undefined;
  /**
   * For `invalid_signature`, what the signature itself shows (RSA lets the verifier recover
   * what was signed): `"body"` when this key signed other bytes (the body changed on the way),
   * `"key"` when another key made it (another account or environment) or it is damaged.
   * `undefined` for other codes.
   */
  readonly mismatch: SignatureMismatch | undefined;
  /** For `mismatch: "body"`: the usual change to the body that explains it, when one does (the `hint` says more). */
  readonly bodyChange: BodyChange | undefined;
  constructor(code: WebhookErrorCode, message: string, status: number, hint?: string, mismatch?: SignatureMismatch, bodyChange?: BodyChange);
}

/** Any value `JSON.parse` can return. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** An RFC 3339 UTC timestamp, e.g. `2025-06-06T11:39:22.739326Z`. */
export type RFC3339String = string;

/** The envelope every Zentitle event shares. Fields not listed here may be present too. */
export interface ZentitleEnvelope<Code extends string, Payload> {
  /** `event_` + 22 base64url characters; the same across retries: the idempotency key. */
  eventId: string;
  /** When the event happened (signed, so usable against replays). */
  eventDate: RFC3339String;
  /** Which event: narrows `payload` in a `switch`. */
  eventCode: Code;
  /** The object the event is about (`cust_...`, `ent_...`, `act_...`; `whl_...` for the test event). */
  resourceId: string;
  /** Delivery attempt, from 1. */
  callAttempt: number;
  payload: Payload;
}

/**
 * A code this version does not document (new codes, the UI's test event). A type-level
 * marker only: at run time it is the plain string Zentitle sent. (Its shape keeps a `switch`
 * on `eventCode` narrowing the known codes to their payloads.)
 */
export type UnknownEventCode = `${string}.${string}` & { readonly __unknownEventCode: true };

/** An event whose code this version does not know: it passes verification untyped. */
export type UnknownZentitleEvent = ZentitleEnvelope<UnknownEventCode, JsonValue | undefined>;

/** Every event `verify` can return: switch on `eventCode` to type the payload. */
export type ZentitleEvent = KnownZentitleEvent | UnknownZentitleEvent;

// BEGIN GENERATED EVENT TYPES (from src/event/; `UPDATE_TYPES=1 cargo test` rewrites this section)

/** Payload of `customer.*` events. Fields not listed here may be present too. */
export interface CustomerPayload {
  /** The customer's id (`cust_...`). */
  customerId: string;
  /** The customer's name. */
  name?: string;
  /** Whether the customer is disabled. */
  disabled?: boolean;
}

/** Payload of entitlement lifecycle and `entitlement.maintenance.*` events. Fields not listed here may be present too. */
export interface EntitlementPayload {
  /** The entitlement's id (`ent_...`). */
  entitlementId: string;
  /** When the entitlement was activated. */
  activatedAt?: RFC3339String;
  /** When the entitlement expires. */
  expiresAt?: RFC3339String;
  /** Days left, on the `expires*` reminders. */
  daysToExpire?: number;
  /** When maintenance expires. */
  maintenanceExpiresAt?: RFC3339String;
  /** When maintenance expired. */
  maintenanceExpiredAt?: RFC3339String;
}

/** Payload of `entitlement.seat.*` events. Fields not listed here may be present too. */
export interface SeatPayload {
  /** The entitlement's id (`ent_...`). */
  entitlementId: string;
  /** The activation's id (`act_...`). */
  activationId: string;
  /** The seat's id, as the licensed application chose it. */
  seatId: string;
  /** The seat's display name. */
  seatName?: string;
  /** Seats in use after this event. */
  seatsUsed?: number;
  /** Whether the seat is an overdraft seat. */
  isOverdraftSeat?: boolean;
  /** When the seat was activated. */
  activatedAt?: RFC3339String;
  /** When the seat was deactivated. */
  deactivatedAt?: RFC3339String;
  /** When the seat's lease expires. */
  leaseExpiry?: RFC3339String;
}

export type CustomerEventCode =
  /** Customer was successfully created. */
  | "customer.created"
  /** Customer was successfully updated. */
  | "customer.updated";
export type CustomerEvent = ZentitleEnvelope<CustomerEventCode, CustomerPayload>;

export type EntitlementEventCode =
  /** Entitlement was successfully activated. */
  | "entitlement.activated"
  /** Entitlement was successfully created. */
  | "entitlement.created"
  /** Entitlement was updated. */
  | "entitlement.updated"
  /** Entitlement was successfully renewed. */
  | "entitlement.renewed"
  /** Entitlement has expired. */
  | "entitlement.expired"
  /** Entitlement is going to expire in 1 day. */
  | "entitlement.expires1day"
  /** Entitlement is going to expire in 7 days. */
  | "entitlement.expires7days"
  /** Entitlement is going to expire in 30 days. */
  | "entitlement.expires30days";
export type EntitlementEvent = ZentitleEnvelope<EntitlementEventCode, EntitlementPayload>;

export type MaintenanceEventCode =
  /** Entitlement maintenance has expired. */
  | "entitlement.maintenance.expired"
  /** Entitlement maintenance is going to expire in 1 day. */
  | "entitlement.maintenance.expires1day"
  /** Entitlement maintenance is going to expire in 7 days. */
  | "entitlement.maintenance.expires7days"
  /** Entitlement maintenance is going to expire in 30 days. */
  | "entitlement.maintenance.expires30days";
export type MaintenanceEvent = ZentitleEnvelope<MaintenanceEventCode, EntitlementPayload>;

export type SeatEventCode =
  /** The entitlement's seat was successfully activated. */
  | "entitlement.seat.activated"
  /** The entitlement's seat was successfully deactivated. */
  | "entitlement.seat.deactivated";
export type SeatEvent = ZentitleEnvelope<SeatEventCode, SeatPayload>;

export type EntitlementGroupEventCode =
  /** Entitlement group was successfully created. */
  | "entitlement.group.created"
  /** Entitlement group was updated. */
  | "entitlement.group.updated";
export type EntitlementGroupEvent = ZentitleEnvelope<EntitlementGroupEventCode, JsonValue | undefined>;

export type ProvisionEventCode =
  /** Provisioning was started from the UI or the Management API. */
  | "entitlement.provision";
export type ProvisionEvent = ZentitleEnvelope<ProvisionEventCode, JsonValue | undefined>;

export type UsageSummaryEventCode =
  /** An entitlement usage summary is available after a usage reset. */
  | "entitlement.usage.summary";
export type UsageSummaryEvent = ZentitleEnvelope<UsageSummaryEventCode, JsonValue | undefined>;

/** Every event code this version documents. */
export type KnownEventCode = CustomerEventCode | EntitlementEventCode | MaintenanceEventCode | SeatEventCode | EntitlementGroupEventCode | ProvisionEventCode | UsageSummaryEventCode;
/** An event with a documented code, its payload typed by the code. */
export type KnownZentitleEvent = CustomerEvent | EntitlementEvent | MaintenanceEvent | SeatEvent | EntitlementGroupEvent | ProvisionEvent | UsageSummaryEvent;
// END GENERATED EVENT TYPES

/** A successful `safeVerify`. */
export interface VerifySuccess {
  ok: true;
  event: ZentitleEvent;
  /** The id of the key that verified it (`null` with a single `key`). */
  keyId: string | null;
}

/** A failed `safeVerify`: the same fields as a `WebhookVerificationError`. */
export interface VerifyFailure {
  ok: false;
  code: WebhookErrorCode;
  message: string;
  status: number;
  hint: string | undefined;
  /** For `invalid_signature`: `"body"` (this key signed other bytes) or `"key"` (another key, or a damaged signature). */
  mismatch: SignatureMismatch | undefined;
  /** For `mismatch: "body"`: the change recognised, if any. */
  bodyChange: BodyChange | undefined;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

/** What `verifyRequest` resolves to. */
export interface VerifiedRequest {
  event: ZentitleEvent;
  /** The body as received (the request's body can be read only once). */
  rawBody: string;
  keyId: string | null;
}

/** Verifies the webhooks Zentitle2 sends with the account's RSA public key (or keys). */
export class WebhookVerifier {
  /**
   * Reads and prepares the keys once; build one verifier at start-up and reuse it.
   * @throws {WebhookVerificationError} `invalid_key` or `weak_key` for an unusable key.
   * @throws {TypeError} when the options are missing or of the wrong kind.
   */
  constructor(options: WebhookVerifierOptions);
  /**
   * `true` if the signature signs exactly this body under one of the keys; `false` for any
   * missing, malformed or wrong signature. Checks nothing else (no envelope, no window).
   * @throws {WebhookVerificationError} `body_not_raw` when `body` is not a raw body.
   */
  verifySignature(body: WebhookBody, signatureOrHeaders: SignatureOrHeaders | null | undefined): boolean;
  /**
   * Verifies the signature, the event envelope and the replay window, then returns the typed
   * event. (Processing each event once is the receiver's job: `WebhookReceiver` and a store.)
   * @throws {WebhookVerificationError} for anything that must not be trusted.
   * @throws {TypeError} for arguments of the wrong kind.
   */
  verify(body: WebhookBody, signatureOrHeaders: SignatureOrHeaders | null | undefined, options?: VerifyOptions): ZentitleEvent;
  /** `verify` that never throws, whatever it is given. */
  safeVerify(body: unknown, signatureOrHeaders?: unknown, options?: unknown): VerifyResult;
  /** `verify` as a promise, with the id of the key that verified; the way to verify with a key source. */
  verifyAsync(
    body: WebhookBody,
    signatureOrHeaders: SignatureOrHeaders | null | undefined,
    options?: VerifyOptions,
  ): Promise<{ event: ZentitleEvent; keyId: string | null }>;
  /** Reads a Fetch `Request`'s body once and verifies it with the request's headers. */
  verifyRequest(request: Request, options?: VerifyOptions): Promise<VerifiedRequest>;
  /** Frees the keys' memory in the wasm instance now (it is also freed when garbage-collected). */
  free(): void;
  [Symbol.dispose](): void;
}

/**
 * Types and validates an event body WITHOUT checking its signature: for bodies verified
 * elsewhere, and tests. Never use it on an unverified request.
 * @throws {WebhookVerificationError} `invalid_json` or `invalid_event`.
 */
export function parseEvent(body: WebhookBody): ZentitleEvent;

/** The event codes this version documents (generated from the Rust table). */
export const EVENT_CODES: readonly KnownEventCode[];

/** `true` if `code` is an event code this version documents. */
export function isKnownEventCode(code: unknown): code is KnownEventCode;

/**
 * Loads the WebAssembly module. Needed once, before first use, in browsers (the `browser`
 * and `default` entries); a no-op that resolves at once in Node, Deno, Bun, Workers and
 * Vercel Edge, where the module is ready on import. `input` overrides where the `.wasm` comes
 * from (its URL, its bytes, a `Response`, or a compiled module).
 */
export function init(input?: WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>): Promise<void>;

/**
 * Where the receiver records which events are processed, shared by every instance that
 * receives the same webhooks: `MemoryStore` (one process), `RedisStore`, `PostgresStore`,
 * `DurableObjectStore`, or your own. The contract is fenced: every lease has a token, and
 * `renew`, `complete` and `release` act only while that token holds the current, unexpired
 * lease, so that a stale instance never acts on another's lease (docs/stores.md; check a store
 * with `storeContractTests` from `zentitle-webhooks/testing`). A rejected promise means the
 * store could not answer.
 */
export interface WebhookStore {
  /** Atomic per eventId: `"claimed"` with a fresh token (run it now), `"done"` (processed before) or `"busy"` (another lease is live). */
  claim(eventId: string, leaseMs: number): Promise<StoreClaim>;
  /** Extends the lease to `leaseMs` from now while `token` holds it; `false`: the lease is lost. */
  renew(eventId: string, token: string, leaseMs: number): Promise<boolean>;
  /** Marks the event done while `token` holds the lease; `false`: nothing written (the lease was lost). */
  complete(eventId: string, token: string): Promise<boolean>;
  /** Ends the lease while `token` holds it, so that the next claim may run the event; `false`: nothing changed. */
  release(eventId: string, token: string): Promise<boolean>;
}

/** What `claim` resolves to: the lease's token when it is this caller's to run. */
export type StoreClaim = { state: "claimed"; token: string } | { state: "done" } | { state: "busy" };

/** `doneSeconds`: how long a processed eventId is remembered; a whole number, at least 3600. Default 604800 (7 days). */
export interface StoreDoneOptions {
  doneSeconds?: number;
}

/** The event of a known code (or union of codes), its payload typed by the code's family. */
export type ZentitleEventOf<C extends KnownEventCode> = KnownZentitleEvent extends infer E
  ? E extends ZentitleEnvelope<infer K, infer P>
    ? C extends K
      ? ZentitleEnvelope<C, P>
      : never
    : never
  : never;

/** The receiver's default store: one process, or one isolate. */
export class MemoryStore implements WebhookStore {
  /** @throws {TypeError} `doneSeconds` not a whole number of seconds from 3600. */
  constructor(options?: StoreDoneOptions);
  claim(eventId: string, leaseMs: number): Promise<StoreClaim>;
  renew(eventId: string, token: string, leaseMs: number): Promise<boolean>;
  complete(eventId: string, token: string): Promise<boolean>;
  release(eventId: string, token: string): Promise<boolean>;
}

/** Where the receiver's report lines go: `console` by default (while no `onError` is registered). */
export interface ReceiverLogger {
  info?(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
}

export interface WebhookReceiverOptions extends CommonOptions {
  /** The account's public key: the "RSA Modulus (n)" Zentitle shows, a JWK, a PEM or DER; or a key source (`zentitleKey(client)`) that follows the account's. */
  key?: WebhookKey | KeySource;
  /** Several keys (rotation): each `{ id, key }`. Give `key` or `keys`. */
  keys?: readonly KeyEntry[];
  /** Default: a new `MemoryStore` (one process). */
  store?: WebhookStore;
  /** How long a claim holds an event while its handlers run (renewed every third of it). Default 60. */
  leaseSeconds?: number;
  /**
   * How long the receiver waits for an event's handlers before it aborts `ctx.signal`, answers
   * 503 `handler_timeout` and lets the retry run the event. Shorter than `leaseSeconds`.
   * Default 25 (or half the lease, when that is shorter).
   */
  handlerTimeoutSeconds?: number;
  /** A store call slower than this counts as the store being down (503). Default 5. */
  storeTimeoutSeconds?: number;
  /**
   * Where report lines go (one per delivery not processed: outcome, code, eventId, hint; never
   * the body, key or signature). Default: `console`, while no `onError` handler is registered.
   * `false` logs nothing.
   */
  logger?: ReceiverLogger | false;
  /**
   * Inbox mode (docs/inbox.md): each verified delivery is stored once per eventId and answered
   * 200 (`stored`, or `duplicate`) when the write is durable; `work()` runs the handlers. Not
   * with `store`.
   */
  inbox?: Inbox;
}

/** What happened to a delivery. */
export type ReceiveOutcome =
  | "processed"
  | "duplicate"
  | "unhandled"
  | "busy"
  | "unfit"
  | "failed"
  | "timeout"
  | "lease_lost"
  | "store_error"
  | "key_unavailable"
  | "refused"
  /** Inbox mode: stored durably, to be run by `work()`. */
  | "stored";

/** The codes of `WebhookReceiverError` (the receiver's own, beside the verification codes). */
export type ReceiverErrorCode =
  | "no_handler"
  | "event_in_progress"
  | "payload_mismatch"
  | "handler_failed"
  | "handler_timeout"
  | "lease_lost"
  | "store_unavailable"
  | "method_not_allowed"
  | "body_unreadable"
  | "inbox_unavailable"
  | "stored_delivery_invalid";

/** What `receive` resolves to: answer the delivery with `status`. */
export interface ReceiveResult {
  status: number;
  outcome: ReceiveOutcome;
  /** Why it was not "processed": a `WebhookErrorCode` (refused) or a `ReceiverErrorCode`. */
  code?: WebhookErrorCode | "key_unavailable" | ReceiverErrorCode;
  eventId?: string;
}

/** What every handler gets besides the event. */
export interface HandlerContext {
  /**
   * Aborted when the receiver stops waiting: the lease was lost, a renewal failed, or the
   * handler timeout passed. Reading it checks the lease's clock first, so a handler paused past
   * its lease finds it aborted. Pass it to your own calls, or check `aborted` before a side effect.
   */
  readonly signal: AbortSignal;
  /** The event's `eventId`: the same across Zentitle's retries. Send it as the idempotency key of your own downstream calls. */
  readonly idempotencyKey: string;
  readonly eventId: string;
  readonly eventCode: string;
  /** The delivery's `callAttempt` (1 for the first). */
  readonly attempt: number;
  /** `true` when the event's code is known and its payload fits the code's type. */
  readonly typed: boolean;
  /** Whether this version of the package knows the event's code. */
  readonly known: boolean;
  /** When the payload did not fit its code's type: what did not fit (only `onAny` handlers see such events). */
  readonly mismatch?: string;
  /** Inbox mode: the delivery's `callAttempt` (`attempt` is then the worker's attempt, 1 for the first). */
  readonly callAttempt?: number;
  /** Inbox mode with `PostgresInbox`: a statement in the claim's transaction, committed with the done mark or not at all. */
  readonly sql?: (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
  /** Inbox mode with `PostgresInbox`: the pg client holding that transaction (never COMMIT, ROLLBACK or release it). */
  readonly client?: unknown;
}

/** @deprecated Use `HandlerContext`. */
export type ReceiveInfo = HandlerContext;

/** Why the receiver did not answer "processed" (given to `onError`; a handler's exception is its `cause`). */
export class WebhookReceiverError extends Error {
  readonly name: "WebhookReceiverError";
  readonly code: ReceiverErrorCode;
  readonly outcome: ReceiveOutcome;
  readonly status: number;
  readonly eventId?: string;
  /** For `payload_mismatch`: what did not fit. */
  readonly hint?: string;
  constructor(code: ReceiverErrorCode, message: string, details: { outcome: ReceiveOutcome; status: number; eventId?: string; hint?: string; cause?: unknown });
}

/** What `onError` handlers get besides the error. */
export interface ReceiveErrorInfo {
  outcome: Exclude<ReceiveOutcome, "processed" | "duplicate" | "stored"> | WorkOutcome;
  code: WebhookErrorCode | ReceiverErrorCode | "invalid_argument";
  /** The verified event's id and code (never set for a refused delivery). */
  eventId?: string;
  eventCode?: string;
  /** For a refused `invalid_signature`: what the signature shows (also on the error). */
  mismatch?: SignatureMismatch;
  /** For `mismatch: "body"`: the change to the body recognised, if any. */
  bodyChange?: BodyChange;
  /** Whether the event's handlers had run (all, or some) before this outcome: the retry runs them again. */
  handlersRan?: boolean | "partly";
  /** Inbox workers: the worker's attempt, the delivery's id in the inbox, and the delay before the next attempt. */
  attempt?: number;
  id?: string;
  delayMs?: number;
}

/** Node's `IncomingMessage` (or Express's `req`), as far as the receiver reads it. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, where a framework kept it (e.g. NestJS with `rawBody: true`). */
  rawBody?: unknown;
  /** A raw body (`express.raw`) or, refused with `body_not_raw`, a parsed one. */
  body?: unknown;
  readableEnded?: boolean;
}

/** Node's `ServerResponse`, as far as the receiver writes it. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
}

/** Verifies, types and dispatches deliveries, running each event's handlers once across retries and instances while they finish within their lease (docs/receiver.md). */
export class WebhookReceiver {
  /** @throws {TypeError} for a missing key, an unknown option, or timings that do not fit together. */
  constructor(options: WebhookReceiverOptions);
  /**
   * Runs for verified events of this code (or codes), typed by it. A code that no Zentitle
   * event has is a TypeError naming the closest known one.
   */
  on<C extends KnownEventCode>(code: C | readonly [C, ...C[]], handler: (event: ZentitleEventOf<C>, ctx: HandlerContext) => unknown): this;
  /** A code newer than this package: say so explicitly. */
  on(code: string | readonly [string, ...string[]], handler: (event: ZentitleEvent, ctx: HandlerContext) => unknown, options: { allowUnknownCode: true }): this;
  /** Runs for every event that is run, after its specific handlers (and for events whose payload did not fit, when no `on(code)` handler takes their code). */
  onAny(handler: (event: ZentitleEvent, ctx: HandlerContext) => unknown): this;
  /** Every delivery not answered "processed" or "duplicate": for logging and metrics. */
  onError(handler: (error: WebhookVerificationError | WebhookReceiverError | TypeError, info: ReceiveErrorInfo) => unknown): this;
  /** Receives one delivery; never throws. */
  receive(delivery: { body: WebhookBody | null | undefined; headers: SignatureOrHeaders | null | undefined } | null | undefined): Promise<ReceiveResult>;
  /** A Fetch handler: Workers, Deno.serve, Bun.serve, Hono, Next.js route handlers. Answers 405 (with `Allow: POST`) to other methods. */
  fetch(request: Request): Promise<Response>;
  /**
   * A Node handler for node:http, Express, Connect and Next.js Pages Router API routes (reads
   * the raw body itself, or takes `req.rawBody`). Its promise settles once the answer is sent;
   * it never rejects.
   */
  node(): (req: NodeRequestLike, res: NodeResponseLike, next?: (error?: unknown) => void) => Promise<void>;
  /**
   * Inbox mode: runs workers over the inbox with this receiver's handlers until
   * `options.signal` aborts; resolves once the deliveries in progress have finished.
   * @throws {TypeError} without `options.inbox`, or for an unknown option.
   */
  work(options?: WorkOptions): Promise<void>;
}

// Inbox mode --------------------------------------------------------------------------------

/** What an inbox worker reports to `onError` (beside the receiver's outcomes). */
export type WorkOutcome = "retry" | "dead" | "unfit" | "unhandled" | "lease_lost" | "inbox_error";

/** `receiver.work(options)`. */
export interface WorkOptions {
  /** Deliveries run at once by this process. Default 1. */
  concurrency?: number;
  /** Stops the workers: no new claims; `ctx.signal` of the running handlers is aborted. */
  signal?: AbortSignal;
  /** Attempts before a delivery is `dead` (kept, with its last error). Default 12. */
  maxAttempts?: number;
  /** Milliseconds before attempt `attempt + 1`. Default: exponential from 5 s, at most 1 h, with jitter. */
  backoff?: (attempt: number) => number;
  /** One event of a resourceId at a time, the earliest eventDate first (docs/inbox.md says exactly what holds). */
  ordered?: boolean;
  /** How long a claim is held without renewal before another worker may take it. Default 30. */
  leaseSeconds?: number;
  /** After this, `ctx.signal` is aborted and the attempt counts as failed. Default 300. */
  handlerTimeoutSeconds?: number;
  /** How often an idle worker looks for work. Default 0.5. */
  pollSeconds?: number;
  /** Names this process's claims (in `lockedBy`). Default: random. */
  workerId?: string;
  /** Stop when nothing is due instead of waiting for more (alarms, scheduled jobs). */
  drain?: boolean;
}

/** The states of a stored delivery. */
export type InboxState = "pending" | "running" | "done" | "dead" | "unfit";

/** What `inbox.add()` takes: a verified delivery's envelope, raw body and signature. */
export interface InboxRecord {
  eventId: string;
  eventCode?: string;
  resourceId?: string;
  eventDate?: string;
  callAttempt?: number;
  body: Uint8Array | string;
  signature: string;
  state?: "pending" | "unfit";
  error?: string;
}

export type InboxAddResult = { added: true; id: string } | { added: false; id: string | undefined; state: InboxState | undefined };

/** A stored delivery as the inbox reports it (`body` and `signature` left out by `list`). */
export interface InboxDelivery {
  id: string;
  eventId: string;
  eventCode: string;
  resourceId: string;
  eventDate: string | null;
  callAttempt: number | null;
  body?: Uint8Array;
  signature?: string;
  state: InboxState;
  attempts: number;
  runAt: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  receivedAt: Date | null;
  updatedAt: Date | null;
  finishedAt: Date | null;
}

/** Counts by state, and the age of the oldest unfinished delivery (null when none). */
export interface InboxStats {
  pending: number;
  running: number;
  done: number;
  dead: number;
  unfit: number;
  oldestPendingSeconds: number | null;
}

/** One claimed delivery, held by a worker until `finish`. */
export interface InboxClaim<Context> {
  delivery: InboxDelivery & { body: Uint8Array; signature: string };
  /** Added to the handlers' `ctx`. */
  context: Context;
  renew(): Promise<boolean>;
  /** Optional, called after the handlers returned: an Error when their work cannot be recorded (then a handler failure). */
  check?(): Promise<Error | undefined>;
  finish(change: { state: Exclude<InboxState, "running">; error?: string; delayMs?: number; refund?: boolean; abandon?: boolean }): Promise<boolean>;
}

/** What the receiver and its workers need of an inbox (PostgresInbox, RedisInbox, or your own). */
export interface Inbox<Context = unknown> {
  add(record: InboxRecord): Promise<InboxAddResult>;
  claim(options?: { workerId?: string; leaseMs?: number; ordered?: boolean }): Promise<InboxClaim<Context> | { deferred: true } | null>;
  stats?(): Promise<InboxStats>;
}
