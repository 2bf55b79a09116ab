// Inbox mode's typings, checked by tsc: the inboxes' constructors, receiver.work(), ctx.sql,
// and what must not compile.
import { createClient } from "redis";
import { type InboxStats, WebhookReceiver } from "zentitle-webhooks";
import { PostgresInbox, type PostgresInboxPool } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

declare const pool: PostgresInboxPool; // a pg Pool
const inbox = new PostgresInbox(pool, { table: "zentitle_webhook_inbox" });
const sql: string = PostgresInbox.schemaSql();
void sql;
void inbox.ensureSchema();
const receiver = new WebhookReceiver({ key: "n", inbox });
receiver.on("customer.created", async (event, ctx) => {
  const id: string = event.payload.customerId ?? "";
  await ctx.sql?.("INSERT INTO customers (id) VALUES ($1)", [id]);
  const key: string = ctx.idempotencyKey;
  const attempt: number = ctx.attempt;
  void key;
  void attempt;
});
const controller = new AbortController();
const done: Promise<void> = receiver.work({ concurrency: 4, signal: controller.signal, ordered: true, maxAttempts: 5, backoff: (n) => n * 1000 });
void done;
// @ts-expect-error concurrency is a number
receiver.work({ concurrency: "4" });
// @ts-expect-error an inbox needs a pool, not a URL
new PostgresInbox("postgres://localhost");

const redisInbox = new RedisInbox(createClient(), { prefix: "app:inbox:" });
new WebhookReceiver({ key: "n", inbox: redisInbox });
const stats: Promise<InboxStats> = redisInbox.stats();
void stats;
void redisInbox.retry({ dead: true });
void redisInbox.purge({ olderThanMs: 7 * 86_400_000 });
