// `WebhookReceiver`: verify → claim → run the handlers → complete → answer, turning Zentitle's
// at-least-once delivery into handlers that run once per event while they finish within their
// lease (docs/receiver.md states the guarantee and its assumptions). This file holds the
// options and the public methods; the flow for one event is receiver/flow.mjs, the handlers
// receiver/handlers.mjs, the one reporting path receiver/report.mjs, and the runtimes' adapters
// receiver/fetch-adapter.mjs and receiver/node-adapter.mjs.
import { argumentError, isOurs, receiverError, verificationError } from "./errors.mjs";
import { acceptDelivery, checkInbox, startWorkers } from "./inbox-mode.mjs";
import { MemoryStore } from "./memory-store.mjs";
import { guard, readOptions } from "./read.mjs";
import { handleFetch } from "./receiver/fetch-adapter.mjs";
import { processEvent } from "./receiver/flow.mjs";
import { Handlers } from "./receiver/handlers.mjs";
import { nodeHandler } from "./receiver/node-adapter.mjs";
import { Reporter } from "./receiver/report.mjs";
import { DEFAULT_MAX_BODY_BYTES, WebhookVerifier } from "./verifier.mjs";

const OPTIONS = [
  "key",
  "keys",
  "store",
  "leaseSeconds",
  "handlerTimeoutSeconds",
  "storeTimeoutSeconds",
  "maxAgeSeconds",
  "minKeyBits",
  "maxBodyBytes",
  "logger",
  "inbox",
];
const VERIFIER_OPTIONS = ["key", "keys", "maxAgeSeconds", "minKeyBits", "maxBodyBytes"];
const STORE_METHODS = ["claim", "renew", "complete", "release"];

const DEFAULT_LEASE_SECONDS = 60;
const DEFAULT_HANDLER_TIMEOUT_SECONDS = 25;
const DEFAULT_STORE_TIMEOUT_SECONDS = 5;

export class WebhookReceiver {
  #verifier;
  #store;
  #leaseMs;
  #handlerTimeoutMs;
  #storeTimeoutMs;
  #maxBodyBytes;
  #handlers = new Handlers();
  #reporter;
  #inbox;

  /**
   * `new WebhookReceiver({ key | keys, store = new MemoryStore(), leaseSeconds = 60,
   * handlerTimeoutSeconds = 25 (at most half the lease when the lease is shorter),
   * storeTimeoutSeconds = 5, maxAgeSeconds?, minKeyBits?, maxBodyBytes?, logger? })`.
   */
  constructor(options) {
    const o = readOptions(options, OPTIONS, "new WebhookReceiver(options)");
    const verifierOptions = {};
    for (const name of VERIFIER_OPTIONS) {
      if (o[name] !== undefined) verifierOptions[name] = o[name];
    }
    if (o.key === undefined && o.keys === undefined) {
      throw argumentError(
        "new WebhookReceiver(options): options.key is missing. Pass the account's public key (the \"RSA Modulus (n)\" of Zentitle's API Credentials page, a JWK or a PEM), e.g. from an environment variable that is set where this runs.",
      );
    }
    this.#verifier = new WebhookVerifier(verifierOptions);
    this.#maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const lease = seconds(o.leaseSeconds, DEFAULT_LEASE_SECONDS, "leaseSeconds");
    const handlerTimeout = seconds(o.handlerTimeoutSeconds, Math.min(DEFAULT_HANDLER_TIMEOUT_SECONDS, lease / 2), "handlerTimeoutSeconds");
    if (handlerTimeout >= lease) {
      throw argumentError(
        `options.handlerTimeoutSeconds (${handlerTimeout}) must be shorter than options.leaseSeconds (${lease}): the receiver gives up on a handler before its lease could run out unrenewed.`,
      );
    }
    this.#leaseMs = Math.ceil(lease * 1000);
    this.#handlerTimeoutMs = Math.ceil(handlerTimeout * 1000);
    this.#storeTimeoutMs = Math.ceil(seconds(o.storeTimeoutSeconds, DEFAULT_STORE_TIMEOUT_SECONDS, "storeTimeoutSeconds") * 1000);
    this.#store = o.store ?? new MemoryStore();
    guard("options.store", () => {
      for (const method of STORE_METHODS) {
        if (typeof this.#store[method] !== "function") {
          throw argumentError(
            `options.store has no ${method}() method: a store implements claim, renew, complete and release with lease tokens (the fenced store contract, docs/stores.md).`,
          );
        }
      }
    });
    this.#reporter = new Reporter(o.logger);
    if (o.inbox !== undefined) {
      // Inbox mode (docs/inbox.md): deliveries are stored and answered; work() runs them.
      if (o.store !== undefined) throw argumentError("Give options.store (handlers run in the request) or options.inbox (workers run them), not both.");
      this.#inbox = checkInbox(o.inbox);
    }
  }

  /**
   * Runs `handler(event, ctx)` for verified events of `code` (or of each code of a list), in
   * order. An unknown code is a TypeError naming the closest known one, unless
   * `{ allowUnknownCode: true }` is passed (a code newer than this package).
   */
  on(code, handler, options) {
    this.#handlers.on(code, handler, options);
    return this;
  }

  /** Runs `handler(event, ctx)` for every verified event that is run, after its specific handlers. */
  onAny(handler) {
    this.#handlers.onAny(handler);
    return this;
  }

  /**
   * Runs `handler(error, info)` for every delivery not answered "processed" or "duplicate":
   * refused deliveries, failed or timed-out handlers, store errors, lost leases, unfit
   * payloads, events no handler takes. While none is registered, these are logged (`logger`).
   */
  onError(handler) {
    this.#reporter.add(handler);
    return this;
  }

  /**
   * Receives one delivery: `{ status, outcome, code?, eventId? }`. Never throws: answer with
   * `status` (and, over HTTP, a body `{ ok, outcome, code? }`).
   */
  async receive(delivery) {
    let body;
    let headers;
    try {
      ({ body, headers } = guard("the delivery", () =>
        typeof delivery === "object" && delivery !== null ? { body: delivery.body, headers: delivery.headers } : { body: undefined, headers: undefined },
      ));
    } catch (error) {
      return this.#refused(error);
    }
    let verified;
    try {
      verified = await this.#verify(body, headers);
    } catch (error) {
      return this.#refused(error);
    }
    if (this.#inbox !== undefined) {
      return acceptDelivery(verified.event, {
        inbox: this.#inbox,
        body,
        headers,
        maxBodyBytes: this.#maxBodyBytes,
        timeoutMs: this.#storeTimeoutMs,
        reporter: this.#reporter,
      });
    }
    return processEvent(verified.event, verified.mismatch, {
      store: this.#store,
      handlers: this.#handlers,
      reporter: this.#reporter,
      leaseMs: this.#leaseMs,
      handlerTimeoutMs: this.#handlerTimeoutMs,
      storeTimeoutMs: this.#storeTimeoutMs,
    });
  }

  /**
   * Inbox mode: runs workers over the inbox with this receiver's handlers until
   * `options.signal` aborts — `{ concurrency = 1, signal, maxAttempts = 12, backoff?, ordered,
   * leaseSeconds = 30, handlerTimeoutSeconds = 300, pollSeconds = 0.5, workerId? }`.
   */
  work(options = {}) {
    if (this.#inbox === undefined) throw argumentError("work() runs an inbox's deliveries: create the receiver with { key, inbox } (docs/inbox.md).");
    return startWorkers(options, { inbox: this.#inbox, verifier: this.#verifier, handlers: this.#handlers, reporter: this.#reporter });
  }

  /** A Fetch handler: `(request) => Promise<Response>` (Workers, Deno.serve, Bun.serve, Hono, Next.js). */
  fetch(request) {
    return handleFetch(request, this.#adapter());
  }

  /**
   * A Node handler `(req, res, next?)` for node:http, Express and Connect. It reads the raw body
   * itself, or takes `req.rawBody` or a raw `req.body` (Buffer or string) that a body parser
   * kept; a parsed `req.body` is refused with `body_not_raw` and a hint.
   */
  node() {
    return nodeHandler(this.#adapter());
  }

  #adapter() {
    return {
      receive: (delivery) => this.receive(delivery),
      refuse: (code, hint) => this.#refuse(code, hint),
      maxBodyBytes: this.#maxBodyBytes,
    };
  }

  /** A refusal decided by an adapter (405, 413, a body already read), reported like the others. */
  async #refuse(code, hint) {
    const error =
      code === "method_not_allowed"
        ? receiverError(code, "Zentitle delivers webhooks with POST; this request used another method.", { outcome: "refused", status: 405 })
        : code === "body_unreadable"
          ? receiverError(code, "The request's body could not be read to its end (the connection failed or closed mid-body).", {
              outcome: "refused",
              status: 400,
            })
          : verificationError(code, hint);
    return this.#refused(error);
  }

  async #refused(error) {
    const code = isOurs(error) ? error.code : "invalid_argument";
    const status = isOurs(error) && typeof error.status === "number" ? error.status : 500;
    const diagnosis = isOurs(error) && error.mismatch !== undefined ? { mismatch: error.mismatch, bodyChange: error.bodyChange } : {};
    // A key source that could not fetch the key: nothing was checked, so this is no refusal of
    // the delivery (503: Zentitle retries), and it is logged as an error.
    const outcome = code === "key_unavailable" ? "key_unavailable" : "refused";
    await this.#reporter.report(error, { outcome, code, ...diagnosis });
    return { status, code, outcome };
  }

  async #verify(body, headers) {
    try {
      // The diagnosis of a bad signature is only reported (onError, the log line): where nothing
      // listens, none is searched for.
      const diagnosis = this.#reporter.listening ? "bounded" : "off";
      return { event: (await this.#verifier.verifyAsync(body, headers, { diagnosis })).event };
    } catch (error) {
      // An authentic event whose payload does not fit the documented shape: the error carries
      // the verified event (the flow decides what runs and what is answered).
      if (isOurs(error) && error.event !== undefined) return { event: error.event, mismatch: error.hint ?? error.message };
      throw error;
    }
  }
}

/** The largest of each timing: timers hold at most 2^31 - 1 ms, and stores refuse longer leases. */
const MAX_SECONDS = { leaseSeconds: 86400, handlerTimeoutSeconds: 86400, storeTimeoutSeconds: 600 };

/** A positive number of seconds up to the option's maximum, or `fallback` when not given. */
function seconds(value, fallback, name) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value > 0) || !(value <= MAX_SECONDS[name])) {
    throw argumentError(`options.${name} must be a positive number of seconds, at most ${MAX_SECONDS[name]}.`);
  }
  return value;
}
