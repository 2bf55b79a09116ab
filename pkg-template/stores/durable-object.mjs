// The receiver's store on Cloudflare Durable Objects: one object per eventId, so that every
// claim of an event is decided inside one single-threaded object (atomic across isolates and
// locations), unlike Workers KV. Bind the class in wrangler.toml and export it from the worker:
//
//   export { ZentitleEventObject } from "zentitle-webhooks/stores/durable-object";
//   new WebhookReceiver({ key, store: new DurableObjectStore(env.WEBHOOK_EVENTS) })
//
// Every lease has a random token, which renew, complete and release must present: the object
// acts only for the current, unexpired lease. A finished event is remembered for `doneSeconds`
// (default 7 days); an alarm then clears the object's storage (and that of a lease whose
// instance went away).
import {
  checkEventId,
  checkToken,
  leaseToken,
  MAX_LEASE_MS,
  MIN_DONE_SECONDS,
  readDoneSeconds,
  readLeaseMs,
  readStoreOptions,
  storageKey,
  typeError,
} from "../lib/store-shared.mjs";

const ORIGIN = "https://zentitle-event.internal";
const WHAT = "new DurableObjectStore(namespace, options)";

/** The store: talks to one `ZentitleEventObject` per eventId through the namespace binding. */
export class DurableObjectStore {
  #namespace;
  #doneSeconds;

  /** `new DurableObjectStore(env.WEBHOOK_EVENTS, { doneSeconds = 604800 })`. */
  constructor(namespace, options) {
    let idFromName;
    let get;
    try {
      idFromName = namespace?.idFromName;
      get = namespace?.get;
    } catch (error) {
      throw typeError(`${WHAT}: reading the namespace threw an exception (see error.cause).`, error);
    }
    if (typeof idFromName !== "function" || typeof get !== "function") {
      throw typeError(`${WHAT}: namespace must be a Durable Object namespace binding (env.WEBHOOK_EVENTS).`);
    }
    const { doneSeconds } = readStoreOptions(options, ["doneSeconds"], WHAT);
    this.#namespace = namespace;
    this.#doneSeconds = readDoneSeconds(doneSeconds, WHAT);
  }

  async #call(eventId, operation, body) {
    const stub = this.#namespace.get(this.#namespace.idFromName(await storageKey(eventId)));
    const response = await stub.fetch(`${ORIGIN}/${operation}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`DurableObjectStore: the Durable Object answered ${response.status} to ${operation}.`);
    return response.json();
  }

  async claim(eventId, leaseMs) {
    checkEventId(eventId, "DurableObjectStore.claim");
    const ms = readLeaseMs(leaseMs, "DurableObjectStore.claim");
    const { state, token } = await this.#call(eventId, "claim", { leaseMs: ms });
    if (state === "claimed" && typeof token === "string") return { state, token };
    if (state === "done" || state === "busy") return { state };
    throw new Error("DurableObjectStore.claim: unexpected answer from the Durable Object.");
  }

  async renew(eventId, token, leaseMs) {
    checkEventId(eventId, "DurableObjectStore.renew");
    checkToken(token, "DurableObjectStore.renew");
    const ms = readLeaseMs(leaseMs, "DurableObjectStore.renew");
    return (await this.#call(eventId, "renew", { token, leaseMs: ms })).held === true;
  }

  async complete(eventId, token) {
    checkEventId(eventId, "DurableObjectStore.complete");
    checkToken(token, "DurableObjectStore.complete");
    return (await this.#call(eventId, "complete", { token, doneSeconds: this.#doneSeconds })).held === true;
  }

  async release(eventId, token) {
    checkEventId(eventId, "DurableObjectStore.release");
    checkToken(token, "DurableObjectStore.release");
    return (await this.#call(eventId, "release", { token })).held === true;
  }
}

/**
 * The Durable Object class: one instance per eventId. Its storage holds one entry, a lease
 * `{ state: "running", token, until }` or a done mark `{ state: "done", until }`.
 */
export class ZentitleEventObject {
  #storage;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    const operation = new URL(request.url).pathname.slice(1);
    let body;
    try {
      body = await request.json();
    } catch {
      return new Response("the body must be JSON", { status: 400 });
    }
    if (!validBody(operation, body)) return new Response("bad request", { status: 400 });
    const now = Date.now();
    // The object's input gate lets no other request in between the storage calls below, so
    // that the read of the entry and its write are one atomic step.
    const entry = await this.#storage.get("entry");
    const live = entry !== undefined && entry.until > now;
    const held = live && entry.state === "running" && entry.token === body.token;
    switch (operation) {
      case "claim": {
        if (live) return answer({ state: entry.state === "done" ? "done" : "busy" });
        const token = leaseToken();
        const until = now + body.leaseMs;
        await this.#storage.put("entry", { state: "running", token, until });
        await this.#storage.setAlarm(until);
        return answer({ state: "claimed", token });
      }
      case "renew":
        if (held) await this.#storage.put("entry", { ...entry, until: now + body.leaseMs });
        return answer({ held });
      case "complete":
        if (held) {
          const until = now + body.doneSeconds * 1000;
          await this.#storage.put("entry", { state: "done", until });
          await this.#storage.setAlarm(until);
        }
        return answer({ held });
      case "release":
        if (held) await this.#storage.delete("entry");
        return answer({ held });
      default:
        return new Response("unknown operation", { status: 404 });
    }
  }

  /** Clears the storage once its entry has ended; a renewed lease sets the alarm again. */
  async alarm() {
    const entry = await this.#storage.get("entry");
    if (entry !== undefined && entry.until > Date.now()) await this.#storage.setAlarm(entry.until);
    else await this.#storage.deleteAll();
  }
}

function validBody(operation, body) {
  if (typeof body !== "object" || body === null) return false;
  const lease = (ms) => Number.isInteger(ms) && ms > 0 && ms <= MAX_LEASE_MS;
  const token = typeof body.token === "string";
  switch (operation) {
    case "claim":
      return lease(body.leaseMs);
    case "renew":
      return token && lease(body.leaseMs);
    case "complete":
      return token && Number.isInteger(body.doneSeconds) && body.doneSeconds >= MIN_DONE_SECONDS;
    case "release":
      return token;
    default:
      return true; // answered 404 below
  }
}

function answer(value) {
  return new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });
}
