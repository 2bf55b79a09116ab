// One receiver instance, as its own process: a node:http server with a WebhookReceiver on a
// shared store (STORE=redis|postgres, STORE_URL). Its handler fails at random (FAIL_RATE), sleeps
// for events whose payload asks it to (so that the test can SIGKILL it mid-handler), and
// counts each success in the store's database, where the test reads the counts.
import { createServer } from "node:http";

import pg from "pg";
import { createClient } from "redis";
import { WebhookReceiver } from "zentitle-webhooks";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";

const failRate = Number(process.env.FAIL_RATE ?? 0);
let store;
let record;
if (process.env.STORE === "redis") {
  const client = createClient({ url: process.env.STORE_URL, disableOfflineQueue: true });
  client.on("error", () => {});
  await client.connect();
  store = new RedisStore(client, { prefix: "instances:" });
  record = (eventId) => client.incr(`processed:${eventId}`);
} else {
  const pool = new pg.Pool({ connectionString: process.env.STORE_URL, max: 4 });
  pool.on("error", () => {});
  await pool.query("CREATE TABLE IF NOT EXISTS processed (event_id text PRIMARY KEY, n int NOT NULL)");
  store = new PostgresStore(pool, { table: "instances_events" });
  record = (eventId) => pool.query("INSERT INTO processed VALUES ($1, 1) ON CONFLICT (event_id) DO UPDATE SET n = processed.n + 1", [eventId]);
}

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS, store, leaseSeconds: Number(process.env.LEASE_SECONDS ?? 30) });
receiver.onAny(async (event) => {
  if (event.payload?.slow) {
    console.log(`started ${event.eventId}`);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  if (Math.random() < failRate) throw new Error("injected failure");
  await record(event.eventId);
});

const server = createServer(receiver.node());
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("ready"));
