// `WebhookReceiver`: verify → type → claim → run the handlers → complete → 2xx, turning
// Zentitle's at-least-once delivery into exactly-once processing through a store that all
// instances share. Orchestration only: verification is the WebhookVerifier's.
import { argumentError as typeError, isOurs } from "./errors.mjs";
import { MemoryStore } from "./memory-store.mjs";
import { guard, readOptions } from "./read.mjs";
import { DEFAULT_MAX_BODY_BYTES, WebhookVerifier } from "./verifier.mjs";

const OPTIONS = ["key", "keys", "store", "leaseSeconds", "storeTimeoutSeconds", "maxAgeSeconds", "minKeyBits", "maxBodyBytes"];

/** What each outcome answers: status and response body. */
const ANSWERS = {
  processed: 200,
  duplicate: 200,
  busy: 409,
  failed: 500,
  store_error: 503,
};

export class WebhookReceiver {
  #verifier;
  #store;
  #leaseMs;
  #storeTimeoutMs;
  #maxBodyBytes;
  #handlers = new Map();
  #any = [];
  #errors = [];

  /**
   * `new WebhookReceiver({ key | keys, store = new MemoryStore(), leaseSeconds = 60,
   * storeTimeoutSeconds = 5, maxAgeSeconds?, minKeyBits?, maxBodyBytes? })`. A store call that
   * takes longer than `storeTimeoutSeconds` counts as the store being down (503).
   */
  constructor(options) {
    const o = readOptions(options, OPTIONS, "new WebhookReceiver(options)");
    const verifierOptions = {};
    for (const name of ["key", "keys", "maxAgeSeconds", "minKeyBits", "maxBodyBytes"]) {
      if (o[name] !== undefined) verifierOptions[name] = o[name];
    }
    this.#verifier = new WebhookVerifier(verifierOptions);
    this.#maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const lease = o.leaseSeconds ?? 60;
    if (typeof lease !== "number" || !(lease > 0) || !Number.isFinite(lease)) throw typeError("options.leaseSeconds must be a positive number of seconds.");
    this.#leaseMs = Math.ceil(lease * 1000);
    const timeout = o.storeTimeoutSeconds ?? 5;
    if (typeof timeout !== "number" || !(timeout > 0) || !Number.isFinite(timeout))
      throw typeError("options.storeTimeoutSeconds must be a positive number of seconds.");
    this.#storeTimeoutMs = Math.ceil(timeout * 1000);
    this.#store = o.store ?? new MemoryStore();
    guard("options.store", () => {
      for (const method of ["claim", "complete", "release"]) {
        if (typeof this.#store[method] !== "function") throw typeError(`options.store must have ${method}(eventId): see the store contract in the README.`);
      }
    });
  }

  /** Runs `handler(event)` for verified events of `code` (or of each code of a list), in order. */
  on(code, handler) {
    const codes = Array.isArray(code) ? code : [code];
    if (codes.some((c) => typeof c !== "string") || typeof handler !== "function")
      throw typeError("on(eventCode | eventCodes, handler): codes are strings, handler a function.");
    for (const c of codes) {
      if (!this.#handlers.has(c)) this.#handlers.set(c, []);
      this.#handlers.get(c).push(handler);
    }
    return this;
  }

  /** Runs `handler(event, info)` for every verified event, after its specific handlers. */
  onAny(handler) {
    if (typeof handler !== "function") throw typeError("onAny(handler): handler must be a function.");
    this.#any.push(handler);
    return this;
  }

  /** Runs `handler(error, info)` for refused deliveries and failed handlers (logging, metrics). */
  onError(handler) {
    if (typeof handler !== "function") throw typeError("onError(handler): handler must be a function.");
    this.#errors.push(handler);
    return this;
  }

  /**
   * Receives one delivery: `{ status, code?, eventId?, outcome }`. Never throws: answer with
   * `status` (and, over HTTP, a body `{ ok, code? }`).
   */
  async receive({ body, headers } = {}) {
    let verified;
    try {
      verified = await this.#verify(body, headers);
    } catch (error) {
      const code = isOurs(error) ? error.code : "invalid_argument";
      const status = isOurs(error) && typeof error.status === "number" ? error.status : 500;
      const diagnosis = isOurs(error) && error.mismatch !== undefined ? { mismatch: error.mismatch, bodyChange: error.bodyChange } : {};
      await this.#report(error, { outcome: "refused", code, ...diagnosis });
      return { status, code, outcome: "refused" };
    }
    const { event, mismatch } = verified;
    const eventId = event.eventId;
    let claim;
    try {
      claim = await this.#storeCall("claim", eventId, this.#leaseMs);
    } catch (error) {
      await this.#report(error, { outcome: "store_error", code: "store_unavailable", eventId });
      return { status: ANSWERS.store_error, code: "store_unavailable", eventId, outcome: "store_error" };
    }
    if (claim === "done") return { status: ANSWERS.duplicate, eventId, outcome: "duplicate" };
    if (claim !== "claimed") return { status: ANSWERS.busy, code: "event_in_progress", eventId, outcome: "busy" };
    const renewal = this.#keepLease(eventId);
    try {
      await this.#run(event, mismatch);
    } catch (error) {
      renewal.stop();
      await this.#report(error, { outcome: "failed", code: "handler_failed", eventId, event });
      try {
        await this.#storeCall("release", eventId);
      } catch (releaseError) {
        // The lease runs out by itself; the retry runs the event then.
        await this.#report(releaseError, { outcome: "store_error", code: "store_unavailable", eventId });
      }
      return { status: ANSWERS.failed, code: "handler_failed", eventId, outcome: "failed" };
    }
    renewal.stop();
    try {
      await this.#storeCall("complete", eventId);
    } catch (error) {
      // Processed, but not recorded: a retry would run it again, so say 5xx only if the
      // store is down (the retry then meets "claimed" after the lease, and runs again).
      await this.#report(error, { outcome: "store_error", code: "store_unavailable", eventId });
      return { status: ANSWERS.store_error, code: "store_unavailable", eventId, outcome: "store_error" };
    }
    return { status: ANSWERS.processed, eventId, outcome: "processed" };
  }

  /** A Fetch handler: `(request) => Promise<Response>` (Workers, Deno.serve, Bun.serve, Hono, Next.js). */
  async fetch(request) {
    let body;
    let headers;
    try {
      headers = request.headers;
      const declared = Number(headers?.get?.("content-length"));
      if (declared > this.#maxBodyBytes) return respond({ status: 413, code: "body_too_large", outcome: "refused" });
      body = new Uint8Array(await request.arrayBuffer());
    } catch {
      body = null;
    }
    return respond(await this.receive({ body, headers }));
  }

  /**
   * A Node handler `(req, res, next?)` for node:http, Express and Connect. It reads the raw body
   * itself, or takes `req.rawBody` or a raw `req.body` (Buffer or string) that a body parser
   * kept; a parsed `req.body` is refused with `body_not_raw` and a hint.
   */
  node() {
    return (req, res) =>
      this.#nodeBody(req)
        .then(
          (body) => this.receive({ body, headers: req.headers }),
          (error) => ({ status: error.status ?? 500, code: error.code ?? "invalid_argument", outcome: "refused" }),
        )
        .then((result) => {
          res.statusCode = result.status;
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify(answerBody(result)));
        });
  }

  async #nodeBody(req) {
    // Raw bytes or text a body parser kept, or a parsed body (refused with body_not_raw).
    const kept = req.rawBody ?? req.body;
    if (kept !== undefined && kept !== null) return kept;
    if (req.readableEnded) return undefined;
    const chunks = [];
    let size = 0;
    for await (const chunk of req) {
      size += chunk.length;
      if (size > this.#maxBodyBytes) throw Object.assign(new Error("too large"), { status: 413, code: "body_too_large" });
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  async #verify(body, headers) {
    try {
      // The diagnosis of a bad signature is only reported to onError handlers: without one,
      // none is searched for.
      const diagnosis = this.#errors.length > 0 ? "bounded" : "off";
      return { event: await this.#verifier.verifyAsync(body, headers, { diagnosis }).then((r) => r.event) };
    } catch (error) {
      // An authentic event whose payload does not fit the documented shape: it is not refused
      // (Zentitle would retry it forever); it goes to onAny, flagged, and not to on(code).
      if (isOurs(error) && error.event !== undefined) return { event: error.event, mismatch: error.hint };
      throw error;
    }
  }

  async #run(event, mismatch) {
    if (mismatch === undefined) {
      for (const handler of this.#handlers.get(event.eventCode) ?? []) await handler(event);
    }
    const info = { typed: mismatch === undefined, mismatch };
    for (const handler of this.#any) await handler(event, info);
  }

  /** A store call, bounded by `storeTimeoutSeconds`. */
  #storeCall(method, ...args) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`The store's ${method}() did not answer within ${this.#storeTimeoutMs} ms.`)), this.#storeTimeoutMs);
    });
    return Promise.race([Promise.resolve().then(() => this.#store[method](...args)), timeout]).finally(() => clearTimeout(timer));
  }

  /** Renews the lease at a third of its length while handlers run (when the store can). */
  #keepLease(eventId) {
    if (typeof this.#store.renew !== "function") return { stop() {} };
    const timer = setInterval(
      () => {
        Promise.resolve(this.#store.renew(eventId, this.#leaseMs)).catch(() => {});
      },
      Math.max(1000, Math.floor(this.#leaseMs / 3)),
    );
    timer.unref?.();
    return { stop: () => clearInterval(timer) };
  }

  async #report(error, info) {
    for (const handler of this.#errors) {
      try {
        await handler(error, info);
      } catch {
        // An error handler's own failure changes nothing about the answer.
      }
    }
  }
}

function answerBody(result) {
  return result.status >= 200 && result.status < 300 ? { ok: true, outcome: result.outcome } : { ok: false, code: result.code };
}

function respond(result) {
  return new Response(JSON.stringify(answerBody(result)), { status: result.status, headers: { "content-type": "application/json" } });
}
