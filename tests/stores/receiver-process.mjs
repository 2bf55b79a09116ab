// One receiver instance as its own process, for the receiver fault suite: a node:http server
// passing each delivery to a WebhookReceiver on a shared store (STORE=redis|postgres, STORE_URL,
// which the test may route through a TCP proxy it can freeze). Its handler does what the
// event's payload asks of this instance (`payload.work[NAME]`: block the event loop, sleep,
// hang, fail) and then its side effect, unless ctx.signal was aborted; it prints each step
// and each answer as a JSON line with the time, which the test counts.
import { createServer } from "node:http";

import pg from "pg";
import { WebhookReceiver } from "zentitle-webhooks";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";

import { redisClients } from "./redis-clients.mjs";

const NAME = process.env.NAME;
const log = (what, eventId, extra = {}) => process.stdout.write(`${JSON.stringify({ what, eventId, t: Date.now(), name: NAME, ...extra })}\n`);
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

let store;
/** The pool the handler's own queries use (`payload.work[NAME].pgSleepMs`): the store's when SHARED_POOL=1. */
let handlerPool;
if (process.env.STORE === "redis") {
  const { client } = await redisClients[Number(process.env.REDIS_CLIENT ?? 0)].connect(process.env.STORE_URL);
  store = new RedisStore(client, { prefix: process.env.PREFIX, logger: false });
} else {
  const pool = new pg.Pool({ connectionString: process.env.STORE_URL, max: Number(process.env.POOL_MAX ?? 3) });
  pool.on("error", () => {});
  store = new PostgresStore(pool, { table: process.env.TABLE });
  handlerPool = process.env.SHARED_POOL === "1" ? pool : new pg.Pool({ connectionString: process.env.STORE_URL, max: Number(process.env.POOL_MAX ?? 3) });
  handlerPool.on("error", () => {});
}

const number = (name) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const receiver = new WebhookReceiver({
  key: process.env.ZENTITLE_RSA_MODULUS,
  store,
  leaseSeconds: number("LEASE_SECONDS"),
  handlerTimeoutSeconds: number("HANDLER_TIMEOUT_SECONDS"),
  storeTimeoutSeconds: number("STORE_TIMEOUT_SECONDS"),
  logger: false, // the answers are printed below
});
const failRate = Number(process.env.FAIL_RATE ?? 0);

receiver.onAny(async (event, ctx) => {
  const work = event.payload?.work?.[NAME] ?? {};
  const eventId = event.eventId;
  log("run-start", eventId);
  try {
    if (work.blockMs) {
      const until = Date.now() + work.blockMs; // CPU-bound work: nothing else runs meanwhile
      while (Date.now() < until);
    }
    if (work.sleepMs) await sleep(work.sleepMs, ctx.signal); // I/O that honours ctx.signal
    if (work.pgSleepMs) await handlerPool.query("SELECT pg_sleep($1)", [work.pgSleepMs / 1000]); // the handler's own slow queries
    if (work.hang) await new Promise(() => {}); // never settles, ignores ctx.signal
    if (Math.random() < failRate) throw new Error("injected failure");
    // The side effect, as a downstream call given ctx.signal would do it: not once aborted.
    if (ctx.signal.aborted) throw new Error("aborted before the side effect");
    log("commit", eventId);
    if (work.afterCommitMs) await sleep(work.afterCommitMs);
  } catch (error) {
    log("run-end", eventId, { threw: String(error?.message ?? error) });
    throw error;
  }
  log("run-end", eventId);
});

const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const result = await receiver.receive({ body: Buffer.concat(chunks), headers: req.headers });
  log("answer", result.eventId, { status: result.status, outcome: result.outcome, code: result.code });
  res.statusCode = result.status;
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ ok: result.status < 300, outcome: result.outcome, code: result.code }));
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ what: "ready", name: NAME })}\n`));
