// Verification with a key source: a key that is fetched (from the Management API, a secrets
// store...) and can change, instead of a key value given once. Like a JWKS client, the key is
// fetched on first use and fetched again only when a signature shows that another key made it.
//
// A key source is any object with
//   getKey(): Promise<key>    the current key (any form WebhookVerifier takes: modulus, JWK, PEM, DER)
//   refresh?(): Promise<key>  fetch it again; the source applies its own cooldown, so that forged
//                             deliveries cannot make it hammer the key's origin
// (`zentitleKey(client)` of zentitle-webhooks/management is one).
//
// API (the receiver and WebhookVerifier's async methods use exactly this):
//   isKeySource(value) → boolean
//   new SourcedVerifier(source, verifierOptions)   verifierOptions: WebhookVerifier's options
//                                                  without key/keys (minKeyBits, maxAgeSeconds,
//                                                  maxBodyBytes)
//   await sourcedVerifier.verify(body, headers, callOptions) → the event, as WebhookVerifier#verify
//     (resolves to the event or rejects with the same WebhookVerificationError)
//   sourcedVerifier.free()
//
// One WebhookVerifier is kept for the current key (the previous one is freed when the key
// changes). On `invalid_signature` with `mismatch: "key"` (another key made the signature), or
// `signature_length` (a key of another size), the source is asked to refresh; if the key it
// answers differs from the one used, the delivery is verified once more with it. A source that
// fails (getKey or refresh throws) makes the delivery fail with `key_unavailable`, HTTP 503, so
// that Zentitle retries: a delivery that could not be checked is never answered 401.
import { argumentError, isOurs, keyUnavailableError } from "./errors.mjs";
import { guard, readKey, readOptions } from "./read.mjs";
import { WebhookVerifier } from "./verifier.mjs";

const VERIFIER_OPTIONS = ["minKeyBits", "maxAgeSeconds", "maxBodyBytes"];

/** Whether `value` is a key source (an object with a `getKey` method), not a key value. Runs no code of a key value's. */
export function isKeySource(value) {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return false;
  return guard("the key", () => !Array.isArray(value) && typeof value.getKey === "function");
}

/** Whether the refusal says another key (or a key of another size) made the signature. */
const signedByAnotherKey = (error) => isOurs(error) && ((error.code === "invalid_signature" && error.mismatch === "key") || error.code === "signature_length");

export class SourcedVerifier {
  #source;
  #options;
  #current; // { id, verifier }

  constructor(source, verifierOptions) {
    if (!isKeySource(source)) throw argumentError("new SourcedVerifier(source, options): source must have getKey() (and may have refresh()).");
    const o = readOptions(verifierOptions, VERIFIER_OPTIONS, "The verifier options", { optional: true });
    this.#options = {};
    for (const name of VERIFIER_OPTIONS) if (o[name] !== undefined) this.#options[name] = o[name];
    this.#source = source;
  }

  /** Verifies with the source's key (refreshed once if another key signed); resolves to the event. */
  async verify(body, headers, callOptions) {
    const key = await this.#ask("getKey");
    const verifier = this.#verifierFor(key);
    try {
      return (await verifier.verifier.verifyAsync(body, headers, callOptions)).event;
    } catch (error) {
      if (!signedByAnotherKey(error)) throw error;
      const canRefresh = guard("the key source", () => typeof this.#source.refresh === "function");
      if (!canRefresh) throw error;
      const fresh = this.#verifierFor(await this.#ask("refresh"));
      if (fresh.id === verifier.id) throw error;
      return (await fresh.verifier.verifyAsync(body, headers, callOptions)).event;
    }
  }

  /** Frees the current verifier's keys in the wasm instance. */
  free() {
    this.#current?.verifier.free();
    this.#current = undefined;
  }

  async #ask(method) {
    let key;
    try {
      key = await this.#source[method]();
    } catch (error) {
      throw keyUnavailableError(error);
    }
    if (key === undefined || key === null) throw keyUnavailableError(argumentError(`The key source's ${method}() gave no key.`));
    return key;
  }

  /** The verifier of `key`: the cached one when the key is the same bytes. */
  #verifierFor(key) {
    const id = readKey(key, "the key source's key").join(",");
    if (this.#current?.id === id) return this.#current;
    const verifier = new WebhookVerifier({ ...this.#options, key });
    this.#current?.verifier.free();
    this.#current = { id, verifier };
    return this.#current;
  }
}
