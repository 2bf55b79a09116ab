// `MemoryStore`: the receiver's default store, for one process or one isolate. Several
// instances (replicas, serverless, Workers isolates) need a shared store: Redis, PostgreSQL
// or a Durable Object.

/**
 * The store contract, which any store (DynamoDB, Firestore, ...) can implement:
 * - `claim(eventId, leaseMs)` → `"claimed"` (run it: nobody else holds it), `"done"` (already
 *   processed) or `"busy"` (another instance holds a live lease). Atomic per eventId.
 * - `complete(eventId)`: processed; later claims answer `"done"`.
 * - `release(eventId)`: not processed (a handler failed); the next claim may run it again.
 * - `renew(eventId, leaseMs)` (optional): extends the lease while handlers still run.
 */
export class MemoryStore {
  /** eventId → { state: "running" | "done", until } */
  #entries = new Map();
  #doneMs;

  /** `doneSeconds`: how long processed ids are remembered (default 7 days). */
  constructor({ doneSeconds = 7 * 24 * 60 * 60 } = {}) {
    this.#doneMs = doneSeconds * 1000;
  }

  async claim(eventId, leaseMs) {
    const now = Date.now();
    this.#sweep(now);
    const entry = this.#entries.get(eventId);
    if (entry && entry.until > now) return entry.state === "done" ? "done" : "busy";
    this.#entries.set(eventId, { state: "running", until: now + leaseMs });
    return "claimed";
  }

  async renew(eventId, leaseMs) {
    const entry = this.#entries.get(eventId);
    if (entry?.state === "running") entry.until = Date.now() + leaseMs;
  }

  async complete(eventId) {
    this.#entries.delete(eventId);
    this.#entries.set(eventId, { state: "done", until: Date.now() + this.#doneMs });
  }

  async release(eventId) {
    if (this.#entries.get(eventId)?.state === "running") this.#entries.delete(eventId);
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
