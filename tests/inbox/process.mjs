// One process of the inbox's fault tests: ROLE=receiver (a node:http server storing verified
// deliveries in the inbox and answering 200) or ROLE=worker (the worker loop running a handler
// that fails at random, hangs where the test SIGKILLs it, and records what it did in the store's
// database for the test to count). ENGINE=postgres|redis, STORE_URL.
import { createServer } from "node:http";

import IORedis from "ioredis";
import pg from "pg";
import { createClient } from "redis";
import { WebhookReceiver } from "zentitle-webhooks";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

const { ROLE, ENGINE, STORE_URL } = process.env;
const failRate = Number(process.env.FAIL_RATE ?? 0);
const fixed = process.env.FIXED === "1";
const say = (line) => process.stdout.write(`${line}\n`);

let inbox;
let pool;
let redis;
if (ENGINE === "postgres") {
  pool = new pg.Pool({ connectionString: STORE_URL, max: ROLE === "worker" ? 8 : 4, connectionTimeoutMillis: 2000 });
  pool.on("error", () => {});
  inbox = new PostgresInbox(pool, { table: "inbox" });
} else if (ROLE === "worker") {
  // Workers on ioredis, receivers on node-redis: both clients in one run.
  redis = new IORedis(STORE_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 100 });
  redis.on("error", () => {});
  await new Promise((resolve) => redis.once("ready", resolve));
  inbox = new RedisInbox(redis, { prefix: "fault:" });
} else {
  redis = createClient({ url: STORE_URL, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } });
  redis.on("error", () => {});
  await redis.connect();
  inbox = new RedisInbox(redis, { prefix: "fault:" });
}

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS, inbox, logger: null });

if (ROLE === "receiver") {
  const server = createServer(receiver.node());
  server.listen(Number(process.env.PORT), "127.0.0.1", () => say("ready"));
} else {
  const runs = ENGINE === "postgres" ? (id) => pool.query("INSERT INTO runs (event_id) VALUES ($1)", [id]) : (id) => redis.incr(`runs:${id}`);
  // Each hanging event hangs once: on the first run that gets there, whatever its attempt (an
  // earlier attempt may have failed before it, e.g. while the store restarted).
  const firstHang = async (id) =>
    ENGINE === "postgres"
      ? (await pool.query("INSERT INTO hangs (event_id) VALUES ($1) ON CONFLICT DO NOTHING", [id])).rowCount === 1
      : (await redis.set(`hang:${id}`, "1", "NX")) === "OK";
  receiver.onAny(async (event, ctx) => {
    const p = event.payload ?? {};
    if (p.poison && !fixed) throw new Error("poison: this handler cannot take it yet");
    // A side effect outside the claim's transaction: a second run shows here.
    await runs(event.eventId);
    if (p.hang === "handler" && (await firstHang(event.eventId))) {
      say(`HANG handler ${event.eventId}`);
      await new Promise(() => {});
    }
    if (ENGINE === "postgres") {
      await ctx.sql("INSERT INTO effects (event_id, resource_id, event_date) VALUES ($1, $2, $3)", [event.eventId, event.resourceId, event.eventDate]);
    }
    if (p.hang === "transaction" && (await firstHang(event.eventId))) {
      say(`HANG transaction ${event.eventId}`);
      await new Promise(() => {});
    }
    if (Math.random() < failRate) throw new Error("injected failure");
    if (ENGINE === "redis") await redis.rpush(`applied:${event.resourceId}`, event.eventDate);
  });
  const controller = new AbortController();
  process.once("SIGTERM", () => controller.abort());
  const working = receiver.work({
    concurrency: Number(process.env.CONCURRENCY ?? 4),
    signal: controller.signal,
    ordered: true,
    leaseSeconds: Number(process.env.LEASE_SECONDS ?? 2),
    maxAttempts: 8,
    backoff: (attempt) => Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random() / 2),
    pollSeconds: 0.05,
  });
  say("ready");
  await working;
  await pool?.end();
  redis?.disconnect?.();
  say("stopped");
  process.exit(0);
}
