// `MemoryStore`: the receiver's default store, for one process or one isolate. Several
// instances (replicas, serverless, Workers isolates) need a shared store: Redis, PostgreSQL
// or a Durable Object. It follows the fenced store contract (docs/stores.md): every lease has
// a token, and only the current, unexpired token renews, completes or releases it.

const DEFAULT_DONE_SECONDS = 7 * 24 * 60 * 60;
const MIN_DONE_SECONDS = 3600;

export class MemoryStore {
  /** eventId → { state: "running", token, until } | { state: "done", until } */
  #entries = new Map();
  #doneMs;

  /** `doneSeconds`: how long processed ids are remembered (a whole number ≥ 3600; default 7 days). */
  constructor(options) {
    const doneSeconds = options?.doneSeconds ?? DEFAULT_DONE_SECONDS;
    if (!Number.isInteger(doneSeconds) || doneSeconds < MIN_DONE_SECONDS) {
      throw new TypeError(`MemoryStore: doneSeconds must be a whole number of seconds, at least ${MIN_DONE_SECONDS} (Zentitle retries for hours).`);
    }
    this.#doneMs = doneSeconds * 1000;
  }

  async claim(eventId, leaseMs) {
    const now = Date.now();
    this.#sweep(now);
    const entry = this.#entries.get(eventId);
    if (entry && entry.until > now) return entry.state === "done" ? { state: "done" } : { state: "busy" };
    const token = randomToken();
    this.#entries.delete(eventId);
    this.#entries.set(eventId, { state: "running", token, until: now + leaseMs });
    return { state: "claimed", token };
  }

  async renew(eventId, token, leaseMs) {
    const entry = this.#held(eventId, token);
    if (entry === undefined) return false;
    entry.until = Date.now() + leaseMs;
    return true;
  }

  async complete(eventId, token) {
    if (this.#held(eventId, token) === undefined) return false;
    this.#entries.delete(eventId);
    this.#entries.set(eventId, { state: "done", until: Date.now() + this.#doneMs });
    return true;
  }

  async release(eventId, token) {
    if (this.#held(eventId, token) === undefined) return false;
    this.#entries.delete(eventId);
    return true;
  }

  /** The entry while `token` is its current, unexpired lease. */
  #held(eventId, token) {
    const entry = this.#entries.get(eventId);
    return entry?.state === "running" && entry.token === token && entry.until > Date.now() ? entry : undefined;
  }

  #sweep(now) {
    // Oldest first; a bounded number per call keeps each claim cheap.
    let budget = 64;
    for (const [id, entry] of this.#entries) {
      if (budget-- === 0 || entry.until > now) break;
      this.#entries.delete(id);
    }
  }
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let token = "";
  for (const b of bytes) token += b.toString(16).padStart(2, "0");
  return token;
}
