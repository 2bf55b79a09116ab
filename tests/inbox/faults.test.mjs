// The inbox under faults, on a real PostgreSQL and then a real Redis (AOF): three receiver
// processes and three worker processes share the store; every event is delivered 1–3 times
// at once to random receivers and retried like Zentitle (same eventId, callAttempt + 1,
// re-signed) until answered 2xx; handlers fail 15 % of the time; one worker is SIGKILLed in
// the middle of a claim's transaction and one in the middle of a handler; the store is
// restarted once. Then: every event is processed; on PostgreSQL each effect written through
// ctx.sql exists exactly once (counted in the database), and the side effects written outside
// it show how many runs were repeated (printed); poison events end dead and run once `inbox
// retry` has been applied with the fixed handler; the events of a resource delivered out of
// order are applied in eventDate order; bad signatures are answered 401 and never stored.
// ZW_INBOX_EVENTS sets the number of events (default 1,000); ZW_INBOX_ENGINES=postgres,redis
// picks the engines.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";

import IORedis from "ioredis";
import pg from "pg";

import { freePort } from "../stores/servers.mjs";
import { delivery, key, newEventId, wait } from "./support.mjs";
import { startPostgres, startRedis } from "./servers.mjs";

const EVENTS = Number(process.env.ZW_INBOX_EVENTS ?? 1000);
const ORDERED_RESOURCES = 5;
const PER_RESOURCE = 6;
const POISON = 5;
const script = fileURLToPath(new URL("process.mjs", import.meta.url));
const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));

function startProcess(env) {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, ZENTITLE_RSA_MODULUS: key }, stdio: ["ignore", "pipe", "pipe"] });
  const proc = { child, output: "", listeners: [] };
  const onData = (d) => {
    proc.output += d;
    for (const listener of proc.listeners) listener(proc.output);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  proc.exited = new Promise((resolve) => child.once("exit", resolve));
  proc.ready = (async () => {
    for (let i = 0; i < 400 && !proc.output.includes("ready"); i++) await wait(25);
    assert.ok(proc.output.includes("ready"), proc.output);
  })();
  proc.kill = async (signal = "SIGKILL") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await proc.exited;
  };
  return proc;
}

async function startReceiver(env) {
  const port = await freePort();
  const proc = startProcess({ ...env, ROLE: "receiver", PORT: String(port) });
  await proc.ready;
  proc.url = `http://127.0.0.1:${port}/`;
  return proc;
}

/** Delivers one event like Zentitle: re-signed with callAttempt + 1 until answered 2xx. */
async function deliverCopy(urls, make, statuses) {
  for (let attempt = 1; attempt <= 200; attempt++) {
    const d = make(attempt);
    const url = urls[Math.floor(Math.random() * urls.length)];
    let status = 0;
    try {
      const response = await fetch(url, { method: "POST", body: d.body, headers: d.headers });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = "network";
    }
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status === 200) return attempt;
    await wait(50 + Math.random() * 100);
  }
  throw new Error("an event was never accepted");
}

async function inParallel(items, limit, run) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await run(items[next++]);
    }),
  );
}

function runCli(args, env) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, out })));
}

const ENGINES = {
  postgres: {
    start: () => startPostgres(),
    async open(url) {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      pool.on("error", () => {});
      const { PostgresInbox } = await import("zentitle-webhooks/inbox/postgres");
      const inbox = new PostgresInbox(pool, { table: "inbox" });
      await inbox.ensureSchema();
      await pool.query("CREATE TABLE runs (event_id text NOT NULL)");
      await pool.query("CREATE TABLE hangs (event_id text PRIMARY KEY)");
      await pool.query("CREATE TABLE effects (seq bigserial, event_id text NOT NULL, resource_id text NOT NULL, event_date text NOT NULL)");
      return {
        inbox,
        close: () => pool.end(),
        async counts() {
          const effects = await pool.query("SELECT event_id, count(*)::int AS n FROM effects GROUP BY event_id");
          const runs = await pool.query("SELECT event_id, count(*)::int AS n FROM runs GROUP BY event_id");
          return { effects: new Map(effects.rows.map((r) => [r.event_id, r.n])), runs: new Map(runs.rows.map((r) => [r.event_id, r.n])) };
        },
        async applied(resourceId) {
          const rows = await pool.query("SELECT event_date FROM effects WHERE resource_id = $1 ORDER BY seq", [resourceId]);
          return rows.rows.map((r) => r.event_date);
        },
        async stored(eventId) {
          return (await pool.query("SELECT count(*)::int AS n FROM inbox WHERE event_id = $1", [eventId])).rows[0].n;
        },
      };
    },
    cliArgs: (url) => ["--postgres", url, "--table", "inbox"],
  },
  redis: {
    start: () => startRedis(),
    async open(url) {
      const client = new IORedis(url, { retryStrategy: () => 100 });
      client.on("error", () => {});
      const { RedisInbox } = await import("zentitle-webhooks/inbox/redis");
      const inbox = new RedisInbox(client, { prefix: "fault:" });
      return {
        inbox,
        close: async () => client.disconnect(),
        async counts() {
          const runs = new Map();
          const keys = await client.keys("runs:*");
          for (let i = 0; i < keys.length; i += 500) {
            const batch = keys.slice(i, i + 500);
            const values = await client.mget(batch);
            for (const [j, k] of batch.entries()) runs.set(k.slice(5), Number(values[j]));
          }
          return { effects: undefined, runs };
        },
        async applied(resourceId) {
          // A run killed after its push is re-run at once: collapse consecutive repeats.
          return (await client.lrange(`applied:${resourceId}`, 0, -1)).filter((d, i, all) => i === 0 || all[i - 1] !== d);
        },
        async stored(eventId) {
          return client.exists(`fault:d:${eventId}`);
        },
      };
    },
    cliArgs: (url) => ["--redis", url, "--prefix", "fault:"],
  },
};

const only = process.env.ZW_INBOX_ENGINES?.split(",");
for (const [engine, setup] of Object.entries(ENGINES).filter(([name]) => !only || only.includes(name))) {
  describe(`inbox under faults on ${engine}`, { timeout: 600_000 }, () => {
    test(`${EVENTS} events, 3 receivers, 3 workers, SIGKILLs and a store restart`, async (t) => {
      const started = Date.now();
      const server = await setup.start();
      const db = await setup.open(server.url);
      const env = { ENGINE: engine, STORE_URL: server.url, FAIL_RATE: "0.15" };
      const receivers = [];
      const workers = new Set();
      const killed = new Set();
      try {
        for (let i = 0; i < 3; i++) receivers.push(await startReceiver(env));
        const urls = receivers.map((r) => r.url);
        const statuses = {};

        // The events: a few resources whose events arrive in scrambled eventDate order, two
        // that hang (SIGKILL points), five poison events, the rest plain.
        const base = Date.parse("2026-03-01T00:00:00Z");
        const ordered = [];
        for (let r = 0; r < ORDERED_RESOURCES; r++) {
          const seconds = Array.from({ length: PER_RESOURCE }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
          for (const s of seconds) {
            ordered.push({
              eventId: newEventId(),
              resourceId: `cust_order${r}`,
              eventDate: new Date(base + s * 1000).toISOString(),
              payload: { customerId: `cust_order${r}` },
            });
          }
        }
        const rest = [];
        for (let i = ordered.length; i < EVENTS; i++) {
          const payload = { customerId: `cust_${i}` };
          if (i === ordered.length + 10) payload.hang = "transaction";
          if (i === ordered.length + 20) payload.hang = "handler";
          if (i >= EVENTS - POISON) payload.poison = true;
          rest.push({ eventId: newEventId(), resourceId: `cust_${i}`, eventDate: new Date(base + i * 1000).toISOString(), payload });
        }
        const all = [...ordered, ...rest];
        const copies = new Map(all.map((e) => [e.eventId, 1 + Math.floor(Math.random() * 3)]));
        const send = (e) =>
          Promise.all(Array.from({ length: copies.get(e.eventId) }, () => deliverCopy(urls, (attempt) => delivery({ ...e, callAttempt: attempt }), statuses)));

        // Bad signatures: refused, never stored.
        const forged = [];
        for (let i = 0; i < 10; i++) {
          const d = delivery();
          d.headers["n-signature"] = delivery().signature;
          const response = await fetch(urls[i % 3], { method: "POST", body: d.body, headers: d.headers });
          assert.equal(response.status, 401);
          forged.push(d.event.eventId);
        }

        // The ordered resources' events are all in before any worker runs (Zentitle delivered
        // them out of order while the workers were down).
        await inParallel(ordered, 8, send);

        const startWorker = async (extra = {}) => {
          const proc = startProcess({ ...env, ROLE: "worker", ...extra });
          workers.add(proc);
          proc.listeners.push((output) => {
            // Both hanging events may run in one worker (it runs four deliveries at once): every
            // HANG line it printed is counted, and one SIGKILL ends them all.
            const hangs = [...output.matchAll(/HANG (transaction|handler) (\S+)/g)].map((m) => m[1]);
            for (const kind of hangs) killed.add(kind);
            if (hangs.length > 0 && !proc.hangSeen) {
              proc.hangSeen = true;
              workers.delete(proc);
              proc.kill().then(() => startWorker(extra));
            }
          });
          await proc.ready;
          return proc;
        };
        for (let i = 0; i < 3; i++) await startWorker();

        // The rest, with the store restarted halfway through the deliveries.
        let sent = 0;
        let restarted = false;
        await inParallel(rest, 12, async (e) => {
          await send(e);
          if (++sent === Math.floor(rest.length / 2) && !restarted) {
            restarted = true;
            await server.stop();
            await wait(1000);
            await server.start();
          }
        });
        const deliveredAt = Date.now();

        const settled = async (what, check) => {
          for (let i = 0; i < 1800; i++) {
            const stats = await db.inbox.stats().catch(() => undefined);
            if (stats && check(stats)) return stats;
            await wait(100);
          }
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await db.inbox.stats())}`);
        };
        const firstPass = await settled(
          "all but the poison events done",
          (s) => s.done === EVENTS - POISON && s.dead === POISON && s.pending + s.running === 0,
        );
        const processedAt = Date.now();
        assert.deepEqual([...killed].sort(), ["handler", "transaction"]);

        // The handler is fixed (a new deployment): dead events are retried from the CLI.
        await Promise.all([...workers].map((w) => w.kill("SIGTERM")));
        workers.clear();
        await startWorker({ FIXED: "1" });
        const retried = await runCli(["inbox", "retry", "--dead", ...setup.cliArgs(server.url)], {});
        assert.equal(retried.code, 0, retried.out);
        assert.match(retried.out, new RegExp(`${POISON} `));
        const final = await settled("every event done", (s) => s.done === EVENTS);
        assert.equal(final.dead + final.unfit + final.pending + final.running, 0);

        // Every event stored once; forged ones never.
        for (const e of all.slice(0, 50)) assert.equal(await db.stored(e.eventId), 1);
        for (const id of forged) assert.equal(await db.stored(id), 0);

        const { effects, runs } = await db.counts();
        if (effects) {
          const wrong = all.filter((e) => effects.get(e.eventId) !== 1);
          assert.deepEqual(
            wrong.map((e) => [e.eventId, effects.get(e.eventId)]),
            [],
            "each effect written through ctx.sql exists exactly once",
          );
        }
        const repeated = all.filter((e) => (runs.get(e.eventId) ?? 0) > 1);
        const missing = all.filter((e) => !e.payload.poison && (runs.get(e.eventId) ?? 0) < 1);
        assert.deepEqual(missing, []);

        for (let r = 0; r < ORDERED_RESOURCES; r++) {
          const applied = await db.applied(`cust_order${r}`);
          assert.deepEqual(applied, [...applied].sort(), `cust_order${r} applied in eventDate order`);
          assert.equal(new Set(applied).size, PER_RESOURCE);
        }

        const totalRuns = [...runs.values()].reduce((a, b) => a + b, 0);
        const line = [
          `${engine}: ${EVENTS} events (${[...copies.values()].reduce((a, b) => a + b, 0)} copies delivered)`,
          `answers ${JSON.stringify(statuses)}`,
          `killed mid-${[...killed].join(", mid-")}`,
          `after the deliveries all but ${POISON} poison events done in ${((processedAt - deliveredAt) / 1000).toFixed(1)} s`,
          `${firstPass.dead} dead, then done after retry`,
          effects ? "effects through ctx.sql: each exactly once" : "no transactional effects on Redis",
          `side effects outside the transaction: ${totalRuns} runs, ${repeated.length} events run more than once`,
          `total ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ].join("; ");
        t.diagnostic(line);
        console.log(line);
      } finally {
        await Promise.all([...workers].map((w) => w.kill()));
        await Promise.all(receivers.map((r) => r.kill()));
        await db.close();
        await server.close();
      }
    });
  });
}
