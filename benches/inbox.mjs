// `make bench-inbox`: the durable inbox's figures on this machine, each engine on a real server
// started here (loopback, PostgreSQL with its default fsync, Redis with AOF `everysec`):
//   1. the accept path: a signed delivery (2048-bit key) POSTed over loopback HTTP to a
//      node:http server with `new WebhookReceiver({ key, inbox })`, verified, stored durably and
//      answered 200: latency p50 / p99 of sequential requests, and throughput with 16 in flight;
//   2. worker throughput with a no-op handler: events stored beforehand, then drained by one
//      process running `receiver.work()` with concurrency 1 and 4;
//   3. memory: many events through receive() and work() in one process, the heap after a full
//      GC sampled as they go (flat = no growth with the count).
// A benchmark, not a test: it prints figures and asserts nothing.
//
//   node --expose-gc benches/inbox.mjs [--quick]   (ZW_BENCH_MEMORY_EVENTS, default 100,000;
//                                                   ZW_BENCH_ENGINES=postgres,redis)
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { once } from "node:events";
import { Agent, createServer, request } from "node:http";
import { readFileSync } from "node:fs";

import pg from "pg";
import { createClient } from "redis";
import { WebhookReceiver } from "zentitle-webhooks";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

import { startPostgres, startRedis } from "../tests/inbox/servers.mjs";

const quick = process.argv.includes("--quick");
const only = process.env.ZW_BENCH_ENGINES?.split(",");
const ACCEPT_REQUESTS = quick ? 500 : 3000;
const DRAIN_EVENTS = quick ? 2000 : 10_000;
const MEMORY_EVENTS = Number(process.env.ZW_BENCH_MEMORY_EVENTS ?? (quick ? 10_000 : 100_000));

const root = new URL("../", import.meta.url);
const key = readFileSync(new URL("tests/fixtures/keys/rsa2048.modulus.txt", root), "utf8");
const privateKey = createPrivateKey(readFileSync(new URL("tests/fixtures/keys/rsa2048.key.pem", root), "utf8"));

function delivery(i) {
  const eventId = `event_${randomBytes(16).toString("base64url").slice(0, 22)}`;
  const body = Buffer.from(
    JSON.stringify({
      eventId,
      eventDate: new Date().toISOString(),
      eventCode: "customer.created",
      resourceId: `cust_${i}`,
      callAttempt: 1,
      payload: { customerId: `cust_${i}` },
    }),
  );
  return { body, headers: { "content-type": "application/json", "n-signature": sign("sha256", body, privateKey).toString("base64") } };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (n) => `${n.toFixed(2)} ms`;
const gc = () => globalThis.gc?.();
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const ENGINES = {
  postgres: async () => {
    const server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url, max: 10 });
    pool.on("error", () => {});
    let n = 0;
    return {
      fresh: async (options = {}) => {
        const inbox = new PostgresInbox(pool, { table: `bench_${++n}`, ...options });
        await inbox.ensureSchema();
        return inbox;
      },
      close: async () => {
        await pool.end();
        await server.close();
      },
    };
  },
  redis: async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url });
    await client.connect();
    await client.sendCommand(["CONFIG", "SET", "appendfsync", "everysec"]);
    let n = 0;
    return {
      fresh: async () => new RedisInbox(client, { prefix: `bench${++n}:` }),
      close: async () => {
        await client.quit();
        await server.close();
      },
    };
  },
};

async function acceptPath(inbox) {
  const receiver = new WebhookReceiver({ key, inbox, logger: null });
  const server = createServer(receiver.node()).listen(0, "127.0.0.1");
  await once(server, "listening");
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const port = server.address().port;
  const post = (d) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", agent, headers: d.headers }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on("error", reject);
      req.end(d.body);
    });
  const deliveries = Array.from({ length: ACCEPT_REQUESTS + 200 }, (_, i) => delivery(i));
  for (const d of deliveries.slice(0, 200)) await post(d); // warm-up
  const times = [];
  for (const d of deliveries.slice(200)) times.push(await post(d));
  times.sort((a, b) => a - b);
  const parallel = Array.from({ length: ACCEPT_REQUESTS }, (_, i) => delivery(i));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < parallel.length) await post(parallel[next++]);
    }),
  );
  const perSecond = parallel.length / ((performance.now() - started) / 1000);
  agent.destroy();
  server.close();
  return { p50: percentile(times, 50), p99: percentile(times, 99), perSecond };
}

async function drain(inbox, concurrency) {
  const receiver = new WebhookReceiver({ key, inbox, logger: null });
  receiver.onAny(() => {});
  const deliveries = Array.from({ length: DRAIN_EVENTS }, (_, i) => delivery(i));
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++];
        const result = await receiver.receive({ body: d.body, headers: d.headers });
        if (result.status !== 200) throw new Error(`accept: ${result.status}`);
      }
    }),
  );
  const controller = new AbortController();
  const started = performance.now();
  const working = receiver.work({ concurrency, signal: controller.signal, pollSeconds: 0.01 });
  for (;;) {
    const stats = await inbox.stats();
    if (stats.done === DRAIN_EVENTS) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const perSecond = DRAIN_EVENTS / ((performance.now() - started) / 1000);
  controller.abort();
  await working;
  return perSecond;
}

async function memory(inbox) {
  const receiver = new WebhookReceiver({ key, inbox, logger: null });
  receiver.onAny(() => {});
  const samples = [];
  const controller = new AbortController();
  const working = receiver.work({ concurrency: 4, signal: controller.signal, pollSeconds: 0.01 });
  const step = Math.max(1000, MEMORY_EVENTS / 10);
  const base = heapMb();
  for (let sent = 0; sent < MEMORY_EVENTS; ) {
    const batch = Array.from({ length: Math.min(step, MEMORY_EVENTS - sent) }, (_, i) => delivery(sent + i));
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batch.length) {
          const d = batch[next++];
          await receiver.receive({ body: d.body, headers: d.headers });
        }
      }),
    );
    sent += batch.length;
    for (;;) {
      const stats = await inbox.stats();
      if (stats.done === sent) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    samples.push([sent, heapMb()]);
  }
  controller.abort();
  await working;
  return { base, samples, rssMb: process.memoryUsage().rss / 2 ** 20 };
}

if (!globalThis.gc) console.log("(run with --expose-gc for the memory figures after a full GC)");
const results = {};
for (const [name, open] of Object.entries(ENGINES).filter(([n]) => !only || only.includes(n))) {
  const engine = await open();
  try {
    const accept = await acceptPath(await engine.fresh());
    console.log(
      `${name}: accept (verify + durable write + 200, loopback HTTP): p50 ${ms(accept.p50)}, p99 ${ms(accept.p99)} over ${ACCEPT_REQUESTS} sequential requests; ${accept.perSecond.toFixed(0)}/s with 16 in flight`,
    );
    const one = await drain(await engine.fresh(), 1);
    const four = await drain(await engine.fresh(), 4);
    console.log(`${name}: worker throughput, no-op handler, ${DRAIN_EVENTS} events: ${one.toFixed(0)}/s with 1 worker, ${four.toFixed(0)}/s with 4`);
    let relaxed;
    if (name === "postgres") {
      relaxed = await drain(await engine.fresh({ synchronousCommit: false }), 4);
      console.log(`${name}: the same with synchronousCommit: false (done marks not awaited on disk): ${relaxed.toFixed(0)}/s with 4`);
    }
    // The process's memory is what is measured here, not the disk: on PostgreSQL the claims'
    // commits do not wait for it (synchronousCommit: false), so that the run takes minutes.
    const mem = await memory(await engine.fresh(name === "postgres" ? { synchronousCommit: false } : undefined));
    console.log(
      `${name}: heap after GC over ${MEMORY_EVENTS} events accepted and worked in one process: ${mem.base.toFixed(1)} MB before, then ${mem.samples.map(([n, mb]) => `${n}: ${mb.toFixed(1)}`).join(", ")} MB (RSS ${mem.rssMb.toFixed(0)} MB at the end)`,
    );
    results[name] = { accept, workers: { 1: one, 4: four, relaxed4: relaxed }, memory: mem };
  } finally {
    await engine.close();
  }
}
console.log(JSON.stringify(results));
