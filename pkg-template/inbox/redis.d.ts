// Typings of zentitle-webhooks/inbox/redis: the durable inbox on Redis Streams.
import type { Inbox, InboxAddResult, InboxClaim, InboxDelivery, InboxRecord, InboxState, InboxStats } from "../index.js";

/** A connected node-redis (4–6) client (`sendCommand`) or ioredis (5–6) client (`call`); RESP2 or RESP3. */
export type RedisInboxClient = { sendCommand(args: string[]): Promise<unknown> } | { call(command: string, ...args: (string | number)[]): Promise<unknown> };

/**
 * The durable inbox on Redis Streams with a consumer group: XADD de-duplicated by eventId in
 * one script, XREADGROUP, XAUTOCLAIM of entries whose worker died, a fenced XACK. One Redis,
 * not Redis Cluster; run it with AOF and `maxmemory-policy noeviction`.
 */
export declare class RedisInbox implements Inbox<Record<string, never>> {
  /** `new RedisInbox(client, { prefix = "zentitle:inbox:" })`. */
  constructor(client: RedisInboxClient, options?: { prefix?: string });
  readonly kind: "redis";
  /** Creates the stream and its consumer group if missing (add() and claim() call it). */
  ensureSchema(): Promise<void>;
  add(record: InboxRecord): Promise<InboxAddResult>;
  claim(options?: { workerId?: string; leaseMs?: number; ordered?: boolean }): Promise<InboxClaim<Record<string, never>> | { deferred: true } | null>;
  stats(): Promise<InboxStats>;
  list(options?: { state?: InboxState; limit?: number }): Promise<InboxDelivery[]>;
  get(eventId: string): Promise<InboxDelivery | undefined>;
  retry(target: string | { dead?: boolean; unfit?: boolean }): Promise<number>;
  purge(options: { olderThanMs: number; states?: ("done" | "dead" | "unfit")[] }): Promise<number>;
}
