// One store user as its own process, for the fault tests: a RedisStore (REDIS_CLIENT: the index
// of a client in redis-clients.mjs) or a PostgresStore on STORE_URL, driven by JSON lines on
// stdin (`{ n, op, args, at? }`, `op` a store method, or "claimAll" to claim many eventIds at
// once) and answering `{ n, ok, value | error, ms }` on stdout. `at` (epoch ms) makes several
// processes start a step together.
import { createInterface } from "node:readline";

import pg from "pg";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";

import { redisClients } from "./redis-clients.mjs";

let store;
let client;
if (process.env.STORE === "redis") {
  const chosen = redisClients[Number(process.env.REDIS_CLIENT ?? 0)];
  ({ client } = await chosen.connect(process.env.STORE_URL));
  store = new RedisStore(client, { prefix: process.env.PREFIX ?? "faults:", logger: () => {} });
  console.log(JSON.stringify({ ready: chosen.name }));
} else {
  const pool = new pg.Pool({ connectionString: process.env.STORE_URL, max: Number(process.env.POOL_MAX ?? 4) });
  pool.on("error", () => {});
  store = new PostgresStore(pool, { table: process.env.TABLE ?? "fault_events" });
  console.log(JSON.stringify({ ready: "pg" }));
}

const ops = {
  claim: (eventId, leaseMs) => store.claim(eventId, leaseMs),
  renew: (eventId, token, leaseMs) => store.renew(eventId, token, leaseMs),
  complete: (eventId, token) => store.complete(eventId, token),
  release: (eventId, token) => store.release(eventId, token),
  claimAll: (eventIds, leaseMs) => Promise.all(eventIds.map((eventId) => store.claim(eventId, leaseMs).catch((e) => ({ error: String(e?.message ?? e) })))),
};

for await (const line of createInterface({ input: process.stdin })) {
  const { n, op, args, at } = JSON.parse(line);
  (async () => {
    if (at) await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    const started = Date.now();
    try {
      const value = await ops[op](...args);
      process.stdout.write(`${JSON.stringify({ n, ok: true, value, ms: Date.now() - started })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ n, ok: false, error: String(error?.message ?? error), ms: Date.now() - started })}\n`);
    }
  })();
}
process.exit(0);
