import type { StoreClaim, StoreDoneOptions, WebhookStore } from "../index.js";

/**
 * A connected client: node-redis 4, 5 or 6 (`createClient()`; its `sendCommand(args)` is used),
 * or ioredis 5 or 6 (`new Redis()`; its `call(command, ...args)` is used).
 */
export type RedisClientLike = { call(command: string, ...args: string[]): Promise<unknown> } | { sendCommand(args: string[]): Promise<unknown> };

export interface RedisStoreOptions extends StoreDoneOptions {
  /** Prefix of the store's keys. Default `"zentitle:event:"`. */
  prefix?: string;
  /** Where the one-line warning goes when the server may evict keys: an object with `warn` (console, pino), a function, or `false` for nowhere. Default `console`. */
  logger?: { warn(line: string): unknown } | ((line: string) => unknown) | false;
}

/**
 * The receiver's store on Redis, shared by every instance: per event, a key holding the lease's
 * token (with the lease's TTL), then "done" for `doneSeconds`; every operation one Lua script.
 * Run Redis with persistence (AOF) and `maxmemory-policy noeviction` (docs/stores.md).
 */
export class RedisStore implements WebhookStore {
  /** @throws {TypeError} not a node-redis or ioredis client; a wrong option. */
  constructor(client: RedisClientLike, options?: RedisStoreOptions);
  claim(eventId: string, leaseMs: number): Promise<StoreClaim>;
  renew(eventId: string, token: string, leaseMs: number): Promise<boolean>;
  complete(eventId: string, token: string): Promise<boolean>;
  release(eventId: string, token: string): Promise<boolean>;
}
