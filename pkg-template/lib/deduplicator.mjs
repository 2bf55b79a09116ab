// `MemoryDeduplicator`: remembers accepted event ids for a while, in this process (one isolate
// on an edge runtime). Behind a load balancer or across isolates, use a shared store.
import { disposable, argumentError as typeError } from "./errors.mjs";
import { readOptions, readTime } from "./read.mjs";

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_MAX_ENTRIES = 100_000;

export class MemoryDeduplicator {
  #ttlMs;
  #maxEntries;
  /** eventId → expiry (ms), in insertion order: the oldest first. */
  #expiry = new Map();

  /** `new MemoryDeduplicator({ ttlSeconds = 86400, maxEntries = 100000 })`. */
  constructor(options) {
    const o = readOptions(options, ["ttlSeconds", "maxEntries"], "new MemoryDeduplicator(options)", { optional: true });
    const number = (value, fallback) => {
      if (value === undefined) return fallback;
      if (typeof value === "number" && value >= 1 && Number.isFinite(value)) return value;
      throw typeError("MemoryDeduplicator: ttlSeconds and maxEntries must be numbers of at least 1.");
    };
    this.#ttlMs = Math.floor(Math.min(number(o.ttlSeconds, DEFAULT_TTL_SECONDS), 0xffffffff)) * 1000;
    this.#maxEntries = Math.floor(Math.min(number(o.maxEntries, DEFAULT_MAX_ENTRIES), 1e9));
  }

  /**
   * `true` the first time `eventId` is seen within the TTL (and remembers it); `false` for a
   * duplicate. `now` (a `Date` or epoch milliseconds) defaults to the clock.
   */
  remember(eventId, now) {
    if (typeof eventId !== "string") throw typeError("remember(eventId): eventId must be a string.");
    const at = readTime(now, "remember(eventId, now): now must be a Date or epoch milliseconds.") ?? Date.now();
    for (const [id, until] of this.#expiry) {
      if (until > at) break;
      this.#expiry.delete(id);
    }
    const until = this.#expiry.get(eventId);
    if (until !== undefined && until > at) return false;
    this.#expiry.delete(eventId);
    while (this.#expiry.size >= this.#maxEntries) {
      this.#expiry.delete(this.#expiry.keys().next().value);
    }
    this.#expiry.set(eventId, at + this.#ttlMs);
    return true;
  }

  /** How many event ids are remembered now. */
  get size() {
    return this.#expiry.size;
  }

  /** Forgets every id. (Kept for the `free()` of earlier versions; nothing else to free.) */
  free() {
    this.#expiry.clear();
  }
}

disposable(MemoryDeduplicator);
