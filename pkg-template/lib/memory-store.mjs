// `MemoryStore`: the receiver's default store, for one process or one isolate. Several
// instances (replicas, serverless, Workers isolates) need a shared store: Redis, PostgreSQL
// or a Durable Object. It keeps the fenced contract (docs/stores.md) like the others: every
// lease has a token, and renew, complete and release act only for the current one.
import { checkEventId, checkToken, leaseToken, readDoneSeconds, readLeaseMs, readStoreOptions } from "./store-shared.mjs";

/**
 * Milliseconds on a clock that no wall-clock step moves: a lease must not end early (or last
 * longer) because the system clock was set. Leases and done marks live only in this process.
 */
const monotonicNow = typeof performance === "object" && typeof performance?.now === "function" ? () => performance.now() : () => Date.now();

/** How many expired entries one call clears at most: each call stays cheap. */
const SWEEP_BUDGET = 64;

export class MemoryStore {
  /** eventId → { token, until }: live or expired leases, in the order they were taken. */
  #leases = new Map();
  /** eventId → until: done marks, in the order they were made (so, of their expiry). */
  #done = new Map();
  #doneMs;

  /** `new MemoryStore({ doneSeconds = 604800 })`: how long processed ids are remembered (at least 3600). */
  constructor(options) {
    const { doneSeconds } = readStoreOptions(options, ["doneSeconds"], "new MemoryStore(options)");
    this.#doneMs = readDoneSeconds(doneSeconds, "new MemoryStore(options)") * 1000;
  }

  async claim(eventId, leaseMs) {
    checkEventId(eventId, "MemoryStore.claim");
    const ms = readLeaseMs(leaseMs, "MemoryStore.claim");
    const now = monotonicNow();
    this.#sweep(now);
    const doneUntil = this.#done.get(eventId);
    if (doneUntil !== undefined && doneUntil > now) return { state: "done" };
    const lease = this.#leases.get(eventId);
    if (lease && lease.until > now) return { state: "busy" };
    const token = leaseToken();
    this.#done.delete(eventId);
    this.#leases.delete(eventId);
    this.#leases.set(eventId, { token, until: now + ms });
    return { state: "claimed", token };
  }

  async renew(eventId, token, leaseMs) {
    const ms = readLeaseMs(leaseMs, "MemoryStore.renew");
    const lease = this.#current(eventId, token, "MemoryStore.renew");
    if (!lease) return false;
    lease.until = monotonicNow() + ms;
    return true;
  }

  async complete(eventId, token) {
    if (!this.#current(eventId, token, "MemoryStore.complete")) return false;
    this.#leases.delete(eventId);
    this.#done.set(eventId, monotonicNow() + this.#doneMs);
    return true;
  }

  async release(eventId, token) {
    if (!this.#current(eventId, token, "MemoryStore.release")) return false;
    this.#leases.delete(eventId);
    return true;
  }

  /** The lease of `eventId` if `token` holds it now (live, not taken over). */
  #current(eventId, token, what) {
    checkEventId(eventId, what);
    checkToken(token, what);
    const lease = this.#leases.get(eventId);
    return lease && lease.token === token && lease.until > monotonicNow() ? lease : undefined;
  }

  #sweep(now) {
    let budget = SWEEP_BUDGET;
    // Done marks expire in the order they were made: stop at the first live one.
    for (const [id, until] of this.#done) {
      if (budget-- <= 0 || until > now) break;
      this.#done.delete(id);
    }
    // Leases are renewed out of order: look at a bounded number from the front, moving the
    // live ones to the back, so that successive sweeps go round all of them.
    for (const [id, lease] of this.#leases) {
      if (budget-- <= 0) break;
      this.#leases.delete(id);
      if (lease.until > now) this.#leases.set(id, lease);
    }
  }
}
