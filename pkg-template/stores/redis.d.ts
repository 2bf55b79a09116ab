import type { WebhookStore } from "../index.js";

/** A connected node-redis (≥ 4) or ioredis client: only `sendCommand` or `call` is used. */
export type RedisClientLike = { sendCommand(args: string[]): Promise<unknown> } | { call(command: string, ...args: (string | number)[]): Promise<unknown> };

/** The receiver's store on Redis, shared by every instance: a lease per event (SET NX PX), then "done". */
export class RedisStore implements WebhookStore {
  constructor(client: RedisClientLike, options?: { prefix?: string; doneSeconds?: number });
  claim(eventId: string, leaseMs: number): Promise<"claimed" | "done" | "busy">;
  renew(eventId: string, leaseMs: number): Promise<void>;
  complete(eventId: string): Promise<void>;
  release(eventId: string): Promise<void>;
}
