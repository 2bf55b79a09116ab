// The stores' typings against the real clients and the fenced contract: RedisStore takes
// node-redis 4, 5 and 6 and ioredis 5 and 6 as their own typings declare them; a store of
// one's own must have all four methods with tokens; storeContractTests takes any test runner.
import { Redis } from "ioredis";
import { Redis as Redis6 } from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient5 } from "redis5";
import { createClient as createClient6 } from "redis6";
import { MemoryStore, type StoreClaim, WebhookReceiver, type WebhookStore } from "zentitle-webhooks";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";
import { storeContractTests } from "zentitle-webhooks/testing";

/** A runner's test(name, fn), as node:test, Vitest and Jest have it. */
declare const test: (name: string, fn: () => Promise<void>) => void;

new RedisStore(createClient());
new RedisStore(createClient5());
new RedisStore(createClient6());
new RedisStore(new Redis());
new RedisStore(new Redis6(), { prefix: "p:", doneSeconds: 3600, logger: console });
new RedisStore(new Redis(), { logger: (line: string) => void line });
new RedisStore(createClient(), { logger: false });
// @ts-expect-error doneSeconds is a number of seconds, not a string
new RedisStore(new Redis(), { doneSeconds: "7d" });
// @ts-expect-error not a Redis client
new RedisStore({ get: () => null });

declare const pool: { query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: Array<Record<string, unknown>> }> };
const postgres = new PostgresStore(pool, { table: "events", createTable: false, doneSeconds: 86400 });
export const made: Promise<void> = postgres.ensureTable();

export async function use(store: WebhookStore): Promise<string | undefined> {
  const claim: StoreClaim = await store.claim("evt_1", 60_000);
  if (claim.state !== "claimed") return undefined;
  const held: boolean = await store.renew("evt_1", claim.token, 60_000);
  const done: boolean = await store.complete("evt_1", claim.token);
  const released: boolean = await store.release("evt_1", claim.token);
  return `${held} ${done} ${released}`;
}

// A store of one's own with the version-1 shape (no tokens) is refused.
const v1 = {
  claim: async (_eventId: string, _leaseMs: number) => "claimed" as const,
  complete: async (_eventId: string) => {},
  release: async (_eventId: string) => {},
};
// @ts-expect-error claim must resolve to { state, token }, and renew is required
new WebhookReceiver({ key: "n", store: v1 });

const shared = new MemoryStore();
export const names: string[] = storeContractTests((options) => (options ? new MemoryStore(options as { doneSeconds?: number }) : shared), { test, name: "MemoryStore" });
storeContractTests(() => shared, { test: (name: string, fn: () => Promise<void>) => ({ name, fn }), leaseMs: 200, concurrency: 8, doneSeconds: false });
