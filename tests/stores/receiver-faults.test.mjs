// The receiver's guarantee under faults, with three receiver processes
// (tests/stores/receiver-process.mjs) sharing a real Redis, then a real PostgreSQL, each process
// reaching the store through its own loopback TCP proxy (tests/stores/tcp-proxy.mjs), and a
// sender that retries like Zentitle (the same eventId, callAttempt + 1, re-signed; a timeout
// per attempt). Scenarios: complete() failing after the side effect, a handler outliving its
// lease (a blocked event loop; a frozen store link), a hanging handler, an instance SIGKILLed
// mid-handler, Redis restarted with and without persistence, and many events with failing
// handlers. For each event it counts the handler runs, the runs that overlapped in time, the
// side effects, the statuses the sender saw, what each instance answered, and the time until
// the event was processed, and prints them as a table.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { keyForms, privateKeyPem } from "../js/fixtures.mjs";
import { printTable } from "./report-table.mjs";
import { freePort, startPostgres, startRedis } from "./servers.mjs";
import { startProxy } from "./tcp-proxy.mjs";

const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const newId = (label) => `${label}_${randomBytes(6).toString("hex")}`;
const rows = [];
after(() =>
  printTable(
    "receiver faults (three receiver processes on one store; per event)",
    ["store", "scenario", "runs", "overlapping", "side effects", "statuses seen by the sender", "answers of the instances", "processed after"],
    rows,
  ),
);

function delivery(eventId, attempt, payload = {}) {
  const body = JSON.stringify({
    eventId,
    eventDate: new Date().toISOString(),
    eventCode: "customer.created",
    resourceId: "cust_1",
    callAttempt: attempt,
    payload: { customerId: "cust_1", ...payload },
  });
  return { body, headers: { "content-type": "application/json", "n-signature": sign("sha256", Buffer.from(body), privateKey).toString("base64") } };
}

/** One receiver process, its store link through its own proxy: `{ name, url, logs, proxy, kill() }`. */
async function startReceiver(name, storePort, env) {
  const proxy = await startProxy(storePort);
  const port = await freePort();
  const storeUrl = env.STORE === "redis" ? `redis://127.0.0.1:${proxy.port}` : `postgres://postgres@127.0.0.1:${proxy.port}/postgres`;
  const child = spawn(process.execPath, [fileURLToPath(new URL("receiver-process.mjs", import.meta.url))], {
    env: { ...process.env, ...env, NAME: name, PORT: String(port), STORE_URL: storeUrl, ZENTITLE_RSA_MODULUS: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs = [];
  let errors = "";
  let buffer = "";
  child.stderr.on("data", (d) => (errors += d));
  child.stdout.on("data", (d) => {
    buffer += d;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      logs.push(JSON.parse(buffer.slice(0, i)));
      buffer = buffer.slice(i + 1);
    }
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  for (let i = 0; i < 200 && !logs.some((l) => l.what === "ready"); i++) {
    if (child.exitCode !== null) break;
    await wait(50);
  }
  assert.ok(
    logs.some((l) => l.what === "ready"),
    `${name} did not start: ${errors}`,
  );
  const instance = {
    name,
    url: `http://127.0.0.1:${port}/`,
    logs,
    proxy,
    killedAt: undefined,
    kill: async () => {
      if (child.exitCode === null && instance.killedAt === undefined) {
        instance.killedAt = Date.now();
        child.kill("SIGKILL");
        await exited;
      }
      await proxy.close();
    },
  };
  return instance;
}

/** POSTs one delivery: its status, or 0 when no answer came within `timeoutMs` (Zentitle's timeout). */
async function post(url, d, timeoutMs) {
  try {
    const response = await fetch(url, { method: "POST", body: d.body, headers: d.headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Delivers like Zentitle: the first attempt to `targets[0]`, then attempt N to
 * `retryTargets[N % length]` (default: all the targets in turn), each retried `intervalMs`
 * after a non-2xx until a 2xx: `{ statuses, ms }` (ms: from the first attempt to the 2xx).
 */
async function deliver(eventId, payload, targets, { intervalMs = 500, timeoutMs = 2000, maxAttempts = 40, first = 1, retryTargets } = {}) {
  const started = Date.now();
  const statuses = [];
  for (let attempt = first; attempt < first + maxAttempts; attempt++) {
    const n = attempt - first;
    const target = n === 0 || !retryTargets ? targets[n % targets.length] : retryTargets[n % retryTargets.length];
    const status = await post(target.url, delivery(eventId, attempt, payload), timeoutMs);
    statuses.push(status);
    if (status >= 200 && status < 300) return { statuses, ms: Date.now() - started };
    await wait(intervalMs);
  }
  return { statuses, ms: undefined };
}

async function until(check, what, ms = 10_000) {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (check()) return;
    await wait(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The counts for one event across the instances' logs. */
function count(instances, eventId) {
  const runs = [];
  let sideEffects = 0;
  const answers = [];
  for (const instance of instances) {
    const open = [];
    for (const line of instance.logs) {
      if (line.eventId !== eventId) continue;
      if (line.what === "run-start") {
        const run = { name: instance.name, start: line.t, end: instance.killedAt ?? Number.POSITIVE_INFINITY };
        runs.push(run);
        open.push(run);
      } else if (line.what === "run-end") {
        const run = open.shift();
        if (run) run.end = line.t;
      } else if (line.what === "commit") sideEffects++;
      else if (line.what === "answer") answers.push({ t: line.t, text: `${instance.name} ${line.status} ${line.outcome}` });
    }
  }
  let overlapping = 0;
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) if (runs[i].start < runs[j].end && runs[j].start < runs[i].end) overlapping++;
  }
  return {
    runs: runs.length,
    overlapping,
    sideEffects,
    unfinished: runs.filter((r) => r.end === Number.POSITIVE_INFINITY).map((r) => r.name),
    answers: answers.sort((a, b) => a.t - b.t).map((a) => a.text),
  };
}

function row(store, scenario, counts, sent) {
  const statuses = sent.statuses.map((s) => (s === 0 ? "no answer" : String(s)));
  rows.push([
    store,
    scenario,
    String(counts.runs),
    `${counts.overlapping}${counts.unfinished.length ? ` (${counts.unfinished.join(", ")} never returned)` : ""}`,
    String(counts.sideEffects),
    compress(statuses),
    compress(counts.answers),
    sent.ms === undefined ? "never" : `${(sent.ms / 1000).toFixed(1)} s`,
  ]);
}

/** `409, 409, 409` → `409 ×3`. */
function compress(items) {
  const out = [];
  for (const item of items) {
    const last = out.at(-1);
    if (last && last.item === item) last.n++;
    else out.push({ item, n: 1 });
  }
  return out.map(({ item, n }) => (n > 1 ? `${item} ×${n}` : item)).join(", ");
}

const stores = {
  Redis: async () => {
    const server = await startRedis();
    const prefix = `rf:${randomBytes(3).toString("hex")}:`;
    // The three instances use three different clients.
    return { port: server.port, env: (i) => ({ STORE: "redis", REDIS_CLIENT: String([0, 3, 1][i]), PREFIX: prefix }), server, close: () => server.close() };
  },
  PostgreSQL: async () => {
    const server = await startPostgres();
    return { port: server.port, env: () => ({ STORE: "postgres", TABLE: "receiver_fault_events" }), server, close: () => server.close() };
  },
};

for (const [storeName, setUp] of Object.entries(stores)) {
  describe(`three receivers on ${storeName}`, () => {
    let setup;
    let running = [];
    const start = async (settings) => {
      running = await Promise.all(["A", "B", "C"].map((name, i) => startReceiver(name, setup.port, { ...setup.env(i), ...settings })));
      return running;
    };
    before(async () => {
      setup = await setUp();
    });
    after(async () => {
      await Promise.all(running.map((r) => r.kill()));
      await setup?.close();
    });
    const stop = async () => {
      await wait(300); // late log lines of abandoned handlers
      await Promise.all(running.map((r) => r.kill()));
      running = [];
    };

    test("complete() failing after the side effect (A's store link frozen once its handler committed): 503, the retry runs it again", async () => {
      const [a, b, c] = await start({ LEASE_SECONDS: "2", STORE_TIMEOUT_SECONDS: "1" });
      const eventId = newId("complete-fails");
      const sending = deliver(eventId, { work: { A: { afterCommitMs: 300 } } }, [a, b, c]);
      await until(() => a.logs.some((l) => l.what === "commit" && l.eventId === eventId), "A's side effect");
      a.proxy.freeze();
      const sent = await sending;
      const counts = count([a, b, c], eventId);
      await stop();
      row(storeName, "complete() fails after the side effect", counts, sent);
      assert.equal(sent.statuses[0], 503, "the first delivery is not answered 2xx");
      assert.equal(sent.statuses.at(-1), 200);
      assert.equal(counts.overlapping, 0);
      assert.equal(counts.sideEffects, 2, "the retry runs it again: side effects must be idempotent (ctx.idempotencyKey)");
    });

    test("a handler outliving its lease, its event loop blocked 4 s (lease 1 s): never answered 200", async () => {
      const [a, b, c] = await start({ LEASE_SECONDS: "1", STORE_TIMEOUT_SECONDS: "1" });
      const eventId = newId("blocked");
      const sent = await deliver(eventId, { work: { A: { blockMs: 4000 } } }, [a, b, c]);
      await until(() => a.logs.some((l) => l.what === "answer" && l.eventId === eventId), "A's late answer");
      const counts = count([a, b, c], eventId);
      await stop();
      row(storeName, "handler outlives its lease: event loop blocked 4 s, lease 1 s", counts, sent);
      const late = counts.answers.find((t) => t.startsWith("A "));
      assert.match(late, /^A 503 lease_lost/, "the blocked instance's answer is 503 lease_lost, never 200");
      assert.equal(counts.answers.filter((t) => / 200 processed$/.test(t)).length, 1, "one instance answered 200 processed");
      // The blocked handler could not see ctx.signal while it blocked: its side effect ran too.
      assert.ok(counts.sideEffects <= 2);
    });

    test("a handler outliving its lease, its store link frozen (lease 3 s): aborted by ctx.signal, 503; the retry runs it once", async () => {
      const [a, b, c] = await start({ LEASE_SECONDS: "3", HANDLER_TIMEOUT_SECONDS: "2.5", STORE_TIMEOUT_SECONDS: "1" });
      const eventId = newId("frozen");
      const sending = deliver(eventId, { work: { A: { sleepMs: 8000 } } }, [a, b, c], { timeoutMs: 10_000 });
      await until(() => a.logs.some((l) => l.what === "run-start" && l.eventId === eventId), "A's run");
      a.proxy.freeze();
      const sent = await sending;
      const counts = count([a, b, c], eventId);
      await stop();
      row(storeName, "handler outlives its lease: store link frozen, lease 3 s", counts, sent);
      assert.equal(sent.statuses[0], 503);
      assert.match(counts.answers[0], /^A 503 lease_lost/);
      assert.equal(counts.sideEffects, 1);
      assert.equal(counts.overlapping, 0);
    });

    test("a hanging handler (never settles, ignores ctx.signal; handlerTimeoutSeconds 1): 503, then another instance runs it", async () => {
      const [a, b, c] = await start({ LEASE_SECONDS: "3", HANDLER_TIMEOUT_SECONDS: "1", STORE_TIMEOUT_SECONDS: "1" });
      const eventId = newId("hang");
      // A's downstream is stuck; the retries reach the other instances.
      const sent = await deliver(eventId, { work: { A: { hang: true } } }, [a, b, c], { timeoutMs: 10_000, retryTargets: [b, c] });
      const counts = count([a, b, c], eventId);
      await stop();
      row(storeName, "hanging handler, handlerTimeoutSeconds 1, lease 3 s", counts, sent);
      assert.equal(sent.statuses[0], 503, "answered when the handler timeout passed");
      assert.equal(sent.statuses.at(-1), 200);
      assert.equal(counts.sideEffects, 1);
    });

    test("an instance SIGKILLed mid-handler (lease 2 s): the retry runs it once, after the lease", async () => {
      const [a, b, c] = await start({ LEASE_SECONDS: "2", STORE_TIMEOUT_SECONDS: "1" });
      const eventId = newId("killed");
      const sending = deliver(eventId, { work: { A: { sleepMs: 60_000 } } }, [a, b, c], { timeoutMs: 10_000 });
      await until(() => a.logs.some((l) => l.what === "run-start" && l.eventId === eventId), "A's run");
      await a.kill();
      const sent = await sending;
      const counts = count([a, b, c], eventId);
      await stop();
      row(storeName, "instance SIGKILLed mid-handler, lease 2 s", counts, sent);
      assert.equal(counts.sideEffects, 1);
      assert.equal(counts.overlapping, 0);
    });

    test("60 events, each attempt sent to all three at once, 15 % of handler runs failing: each side effect once", async () => {
      const instances = await start({ FAIL_RATE: "0.15" });
      const events = Array.from({ length: 60 }, () => newId("many"));
      const sentAll = await Promise.all(
        events.map(async (eventId) => {
          const started = Date.now();
          const statuses = [];
          for (let attempt = 1; attempt <= 40; attempt++) {
            const d = delivery(eventId, attempt);
            const answers = await Promise.all(instances.map((i) => post(i.url, d, 5000)));
            statuses.push(...answers);
            if (answers.some((s) => s === 200)) return { statuses, ms: Date.now() - started };
            await wait(50);
          }
          return { statuses, ms: undefined };
        }),
      );
      const counts = events.map((eventId) => count(instances, eventId));
      await stop();
      const sum = (f) => counts.reduce((n, c) => n + f(c), 0);
      const statusTotals = {};
      for (const s of sentAll.flatMap((x) => x.statuses)) statusTotals[s] = (statusTotals[s] ?? 0) + 1;
      const times = sentAll.map((x) => x.ms).sort((p, q) => p - q);
      rows.push([
        storeName,
        "60 events × 3 instances at once, 15 % of runs failing",
        `${sum((c) => c.runs)} (${(sum((c) => c.runs) / 60).toFixed(2)}/event)`,
        String(sum((c) => c.overlapping)),
        `${sum((c) => c.sideEffects)} (max ${Math.max(...counts.map((c) => c.sideEffects))}/event)`,
        Object.entries(statusTotals)
          .map(([s, n]) => `${s} ×${n}`)
          .join(", "),
        "",
        `median ${(times[30] / 1000).toFixed(2)} s, max ${(times.at(-1) / 1000).toFixed(2)} s`,
      ]);
      assert.ok(counts.every((c) => c.sideEffects === 1));
      assert.equal(
        sum((c) => c.overlapping),
        0,
      );
    });

    if (storeName === "PostgreSQL") {
      for (const shared of [true, false]) {
        test(`the handler's 3 s query on ${shared ? "the store's pool (max 1): renewals queue behind it, the lease is lost, 503" : "a pool of its own: renewals go through, 200"}`, async () => {
          const [a, b, c] = await start({
            LEASE_SECONDS: "6",
            HANDLER_TIMEOUT_SECONDS: "5",
            STORE_TIMEOUT_SECONDS: "1",
            POOL_MAX: "1",
            SHARED_POOL: shared ? "1" : "0",
          });
          const eventId = newId(shared ? "shared-pool" : "own-pool");
          const sent = await deliver(eventId, { work: { A: { pgSleepMs: 3000 } } }, [a, b, c], { timeoutMs: 10_000, retryTargets: [b, c] });
          await until(() => a.logs.some((l) => l.what === "run-end" && l.eventId === eventId), "A's run to end");
          const counts = count([a, b, c], eventId);
          await stop();
          row(storeName, `handler's 3 s query on ${shared ? "the store's pool (max 1)" : "its own pool"}, lease 6 s`, counts, sent);
          if (shared) {
            assert.match(counts.answers[0], /^A 503 lease_lost/);
            assert.equal(counts.sideEffects, 1, "the aborted handler did not commit");
          } else {
            assert.deepEqual(sent.statuses, [200]);
            assert.equal(counts.runs, 1);
          }
        });
      }
    }

    if (storeName === "Redis") {
      for (const aof of [false, true]) {
        test(`Redis restarted ${aof ? "with AOF" : "without persistence"} after an event was processed: a retry ${aof ? "is a duplicate" : "runs it again"}`, async () => {
          const own = await startRedis({ aof });
          const instances = await Promise.all(["A", "B", "C"].map((name, i) => startReceiver(name, own.port, { ...setup.env(i) })));
          running = instances;
          try {
            const eventId = newId(aof ? "aof" : "volatile");
            const first = await deliver(eventId, {}, instances);
            await own.stop();
            await own.start();
            await wait(1000); // the clients reconnect
            const retry = await deliver(eventId, {}, instances.slice(1), { first: 2 });
            const counts = count(instances, eventId);
            await stop();
            const sent = { statuses: [...first.statuses, ...retry.statuses], ms: first.ms };
            row("Redis", `restart ${aof ? "with AOF (appendfsync always)" : "without persistence"} between the 200 and a retry`, counts, sent);
            assert.equal(counts.sideEffects, aof ? 1 : 2);
          } finally {
            await own.close();
          }
        });
      }
    }
  });
}
