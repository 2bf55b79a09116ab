// Types of zentitle-webhooks/testing: the test kit.
import type { JsonValue, KnownEventCode, RsaJsonWebKey, UnknownZentitleEvent, WebhookStore, ZentitleEvent, ZentitleEventOf } from "./index.js";

export interface TestKeyPair {
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`): for `signPayload` and `buildSignedRequest`. */
  privateKeyPem: string;
  /** SPKI PEM (`BEGIN PUBLIC KEY`). */
  publicKeyPem: string;
  /** The modulus as the Zentitle UI shows it ("RSA Modulus (n)"): base64url, no padding. */
  modulus: string;
  /** The public key as a JWK. */
  jwk: RsaJsonWebKey;
}

/** A private key: PEM text (PKCS#8 or PKCS#1) or DER bytes. */
export type PrivateKeyInput = string | Uint8Array | ArrayBuffer;

/** Replaces envelope members; a `payload` object is merged into the payload (`null` removes a field). */
export type EventOverrides = { [member: string]: JsonValue | undefined; payload?: { [field: string]: JsonValue } };

/**
 * A new RSA key pair (`bits`: 1024 to 4096 in steps of 256; default 2048), exponent 65537, from
 * the runtime's WebCrypto (tens to hundreds of milliseconds). Tests that need a key but not a
 * fresh one take {@link testKeyPair}, which is instant.
 */
export function generateTestKeyPair(options?: { bits?: number }): Promise<TestKeyPair>;

/**
 * A ready-made 2048-bit test key pair, returned at once. Its private key ships in this package,
 * so anyone can sign with it: never configure a real receiver with it.
 */
export function testKeyPair(): TestKeyPair;

/** The event `createTestEvent` makes for `C`: typed by its code's family, or an unknown event. */
export type TestEventOf<C extends string> = string extends C ? ZentitleEvent : C extends KnownEventCode ? ZentitleEventOf<C> : UnknownZentitleEvent;

/** The `N-Signature` value for `body`: RSASSA-PKCS1-v1_5 with SHA-256, standard base64. An event object is signed as its JSON text. */
export function signPayload(body: string | Uint8Array | ArrayBuffer | object, privateKey: PrivateKeyInput): string;

/**
 * A realistic event (fresh ids, `eventDate` = now) for a documented code, the test event
 * (`"webhook.test"`) or any other code; typed by its code. Its text carries what Zentitle's
 * .NET serialiser escapes (a name with accents, a `+`, `<`, `&`), as real events do.
 */
export function createTestEvent<C extends KnownEventCode | (string & {})>(
  eventCode: C,
  overrides?: EventOverrides,
  options?: { now?: Date | number },
): TestEventOf<C>;

export interface SignedRequest {
  /** The body text that was signed. */
  body: string;
  signature: string;
  /** `content-type` and `n-signature`, as Zentitle sends them. */
  headers: { "content-type": string; "n-signature": string };
  /** A Fetch `Request` (POST to `url`), where the runtime has `Request`. */
  request: Request;
}

/**
 * A signed delivery: of a new event (`eventCode`, `overrides`), of an `event` object (both
 * written as Zentitle's .NET serialiser writes JSON: `é` as `\u00E9`, `+` as `\u002B`), or of a
 * raw `body`, signed byte for byte as given.
 */
export function buildSignedRequest(options: {
  privateKey: PrivateKeyInput;
  eventCode?: KnownEventCode | (string & {});
  overrides?: EventOverrides;
  event?: object;
  body?: string | Uint8Array;
  url?: string;
  now?: Date | number;
}): SignedRequest;

/** One delivery attempt of a sender: its `callAttempt` and the HTTP status (0: no answer). */
export interface SendAttempt {
  attempt: number;
  status: number;
}

/** A sender that delivers like Zentitle: same eventId, `callAttempt` counting up, re-signed, retried until a 2xx. */
export interface Sender {
  send(event: KnownEventCode | (string & {}) | object, overrides?: EventOverrides): Promise<{ eventId: string; delivered: boolean; attempts: SendAttempt[] }>;
}

/** `maxAttempts` (default 8) attempts, `backoffMs` (default 250) doubled after each failure. */
export function createSender(options: {
  privateKey: PrivateKeyInput;
  url: string;
  maxAttempts?: number;
  backoffMs?: number;
  fetch?: (url: string, init: { method: string; body: string; headers: Record<string, string> }) => Promise<Response>;
}): Sender;

/** The body with one character changed (still JSON for a JSON body): its signature no longer verifies. */
export function tamperBody(body: string | Uint8Array | object): string;

/** The signature with one bit flipped (still valid base64): it no longer verifies. */
export function tamperSignature(signature: string): string;

/** Loads the test kit's WebAssembly in browsers; a no-op elsewhere. */
export function init(input?: WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>): Promise<void>;

/** The options of `storeContractTests`. */
export interface StoreContractTestOptions {
  /** Your runner's `test(name, fn)`: node:test, Vitest, Jest, Deno.test, Bun's, or a loop of your own. */
  test: (name: string, fn: () => Promise<void>) => unknown;
  /** Prefix of each case's name. Default `"store contract"`. */
  name?: string;
  /** The short lease of the expiry cases, in milliseconds (at least 50). Default 400. */
  leaseMs?: number;
  /** Claims raced at once on one eventId (at least 2). Default 32. */
  concurrency?: number;
  /** Register the `doneSeconds` validation case (`createStore({ doneSeconds })`). Default true. */
  doneSeconds?: boolean;
}

/**
 * Registers the fenced store contract's cases (claim, busy, done, renew, release, expiry, stale
 * tokens, races, any eventId, `doneSeconds`) with `options.test`; returns their names.
 * `createStore(options)` returns a store over one shared backend each time it is called (an
 * in-process store: the same object when `options` is undefined); it is called with
 * `{ doneSeconds }` to check that option.
 */
export function storeContractTests(
  createStore: (options?: { doneSeconds?: unknown }) => WebhookStore | Promise<WebhookStore>,
  options: StoreContractTestOptions,
): string[];
