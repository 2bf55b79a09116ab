// The stores under faults, on real servers, with each store user its own process
// (tests/stores/store-process.mjs): processes racing claims on the same events; a process
// frozen (SIGSTOP) past its lease whose late release, complete and renew come after another
// took over; calls held by a frozen network link (tests/stores/tcp-proxy.mjs) and delivered
// late; a slow link; the store down; Redis restarted without persistence and with AOF;
// PostgreSQL with a least-privilege role and six processes starting together on a missing
// table. Prints a table of the outcomes.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import pg from "pg";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";

import { redisClients } from "./redis-clients.mjs";
import { startPostgres, startRedis } from "./servers.mjs";
import { printTable } from "./report-table.mjs";
import { startProxy } from "./tcp-proxy.mjs";

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const ids = (n, label) => Array.from({ length: n }, (_, i) => `${label}_${randomBytes(6).toString("hex")}_${i}`);
const table = [];
after(() => printTable("store faults (each store user its own process)", ["store", "scenario", "outcome"], table));

/** A store-process: `call(op, ...args)`, `callAt(at, op, ...args)`, `pause()`, `resume()`, `kill()`. */
async function storeProcess(env) {
  const child = spawn(process.execPath, [fileURLToPath(new URL("store-process.mjs", import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const pending = new Map();
  let n = 0;
  let buffer = "";
  let errors = "";
  let ready;
  const readyPromise = new Promise((resolve) => (ready = resolve));
  child.stderr.on("data", (d) => (errors += d));
  child.stdout.on("data", (d) => {
    buffer += d;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      const message = JSON.parse(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      if (message.ready) ready(message.ready);
      else pending.get(message.n)?.(message);
    }
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const name = await Promise.race([readyPromise, exited.then(() => Promise.reject(new Error(`store process exited: ${errors}`)))]);
  const send = (op, args, at) =>
    new Promise((resolve) => {
      const id = ++n;
      pending.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ n: id, op, args, at })}\n`);
    });
  return {
    name,
    /** Resolves to the value; rejects with the store's error. */
    call: async (op, ...args) => {
      const r = await send(op, args);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    },
    /** Resolves to `{ ok, value | error, ms }`. */
    raw: (op, ...args) => send(op, args),
    callAt: (at, op, ...args) => send(op, args, at),
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    kill: async () => {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The scenarios every store runs; `setup` gives `env(extra)` for a process and `through(proxy)`. */
function sharedScenarios(storeName, setup) {
  test("4 processes racing claims of the same 200 events: each claimed exactly once; the completes then make them done for all", async () => {
    const procs = await Promise.all([0, 1, 2, 3].map((i) => storeProcess(setup().env(i))));
    try {
      const events = ids(200, "race");
      const at = Date.now() + 300;
      const answers = await Promise.all(procs.map((p) => p.callAt(at, "claimAll", events, 30_000)));
      assert.ok(answers.every((a) => a.ok));
      const winners = events.map((_, e) => answers.map((a, p) => (a.value[e].state === "claimed" ? p : -1)).filter((p) => p >= 0));
      const errors = answers.flatMap((a) => a.value.filter((c) => c.error)).length;
      const once = winners.filter((w) => w.length === 1).length;
      assert.equal(errors, 0);
      assert.equal(once, events.length, "each event claimed by exactly one process");
      // Each winner completes; everyone's next claim is done.
      await Promise.all(events.map((eventId, e) => procs[winners[e][0]].call("complete", eventId, answers[winners[e][0]].value[e].token)));
      const again = await Promise.all(procs.map((p) => p.call("claimAll", events, 30_000)));
      const done = again.flat().filter((c) => c.state === "done").length;
      assert.equal(done, events.length * procs.length);
      table.push([
        storeName,
        "4 processes race claims of 200 events",
        `claimed once ${once}/200, twice 0, errors ${errors}; after completes: done ${done}/${events.length * procs.length}`,
      ]);
    } finally {
      await Promise.all(procs.map((p) => p.kill()));
    }
  });

  test("a process frozen (SIGSTOP) past its lease: after another took over, its late release, complete and renew change nothing", async () => {
    const [stale, fresh, observer] = await Promise.all([0, 1, 2].map((i) => storeProcess(setup().env(i))));
    try {
      const [eventId] = ids(1, "stale");
      const old = await stale.call("claim", eventId, 600);
      assert.equal(old.state, "claimed");
      stale.pause();
      await wait(900);
      const current = await fresh.call("claim", eventId, 30_000);
      assert.equal(current.state, "claimed", "the lease ended while the holder was frozen");
      // The frozen process's calls, sent now and run once it is resumed.
      const late = [stale.call("release", eventId, old.token), stale.call("complete", eventId, old.token), stale.call("renew", eventId, old.token, 30_000)];
      await wait(100);
      stale.resume();
      const [released, completed, renewed] = await Promise.all(late);
      assert.deepEqual([released, completed, renewed], [false, false, false]);
      assert.deepEqual(await observer.call("claim", eventId, 30_000), { state: "busy" }, "the new holder's lease is intact, not done");
      assert.equal(await fresh.call("complete", eventId, current.token), true);
      assert.deepEqual(await observer.call("claim", eventId, 30_000), { state: "done" });
      table.push([
        storeName,
        "holder SIGSTOPped past its lease, another takes over",
        "late release/complete/renew → false/false/false; the new lease intact; its complete → done",
      ]);
    } finally {
      await Promise.all([stale, fresh, observer].map((p) => p.kill()));
    }
  });

  test("a frozen link: a renew and a complete held in the network arrive after another took over, and change nothing", async () => {
    const proxy = await startProxy(setup().port);
    const slowProc = await storeProcess(setup().env(0, proxy.port));
    const [fresh, observer] = await Promise.all([1, 2].map((i) => storeProcess(setup().env(i))));
    try {
      const [eventId] = ids(1, "frozen");
      const old = await slowProc.call("claim", eventId, 600);
      assert.equal(old.state, "claimed");
      proxy.freeze();
      const held = [slowProc.raw("renew", eventId, old.token, 30_000), slowProc.raw("complete", eventId, old.token)];
      await wait(900);
      const current = await fresh.call("claim", eventId, 30_000);
      assert.equal(current.state, "claimed");
      proxy.thaw();
      const [renewed, completed] = await Promise.all(held);
      assert.deepEqual([renewed.value, completed.value], [false, false], JSON.stringify([renewed, completed]));
      assert.deepEqual(await observer.call("claim", eventId, 30_000), { state: "busy" });
      assert.equal(await fresh.call("complete", eventId, current.token), true);
      table.push([
        storeName,
        "link frozen 0.9 s with a renew and a complete in it",
        `delivered after another's claim: renew ${renewed.value}, complete ${completed.value} (after ${completed.ms} ms); the new lease intact`,
      ]);
    } finally {
      await Promise.all([slowProc, fresh, observer].map((p) => p.kill()));
      await proxy.close();
    }
  });

  test("a slow link (every chunk 400 ms late): calls succeed, slower; a renew that arrives after the lease ended cannot revive it", async () => {
    const proxy = await startProxy(setup().port);
    const slowProc = await storeProcess(setup().env(0, proxy.port));
    const observer = await storeProcess(setup().env(1));
    try {
      proxy.delay(400);
      const [eventId] = ids(1, "slow");
      const claim = await slowProc.raw("claim", eventId, 600);
      assert.equal(claim.value.state, "claimed");
      // The answer took two delays; the renew takes one more to arrive: past the lease's end.
      const renew = await slowProc.raw("renew", eventId, claim.value.token, 30_000);
      assert.equal(renew.value, false, "a renew arriving after the end of the lease");
      const taken = await observer.call("claim", eventId, 30_000);
      assert.equal(taken.state, "claimed");
      const [other] = ids(1, "slow-ok");
      const ok = await slowProc.raw("claim", other, 10_000);
      const done = await slowProc.raw("complete", other, ok.value.token);
      assert.equal(done.value, true);
      table.push([
        storeName,
        "link delaying every chunk 400 ms",
        `claim ${claim.ms} ms; renew after the 600 ms lease → false; with a 10 s lease: claim ${ok.ms} ms, complete ${done.ms} ms → true`,
      ]);
    } finally {
      await Promise.all([slowProc, observer].map((p) => p.kill()));
      await proxy.close();
    }
  });

  test("the store unreachable (its connections cut, nothing listening): calls reject, none hangs", async () => {
    const proxy = await startProxy(setup().port);
    const proc = await storeProcess(setup().env(0, proxy.port));
    try {
      const [eventId] = ids(1, "down");
      const claim = await proc.call("claim", eventId, 30_000);
      await proxy.close(); // connections cut, the port closed
      const results = await Promise.all([
        proc.raw("renew", eventId, claim.token, 30_000),
        proc.raw("complete", eventId, claim.token),
        proc.raw("claim", `${eventId}_2`, 30_000),
      ]);
      const slowest = Math.max(...results.map((r) => r.ms));
      assert.ok(
        results.every((r) => !r.ok),
        JSON.stringify(results),
      );
      assert.ok(slowest < 5000, `rejected within 5 s (${slowest} ms)`);
      table.push([storeName, "store unreachable", `renew, complete, claim rejected after at most ${slowest} ms ("${results[0].error.slice(0, 40)}")`]);
    } finally {
      await proc.kill();
    }
  });
}

describe("RedisStore, processes with node-redis 4, 5, 6 and ioredis 5, 6 mixed", () => {
  let server;
  const prefix = `faults:${randomBytes(3).toString("hex")}:`;
  before(async () => {
    server = await startRedis();
  });
  after(() => server?.close());
  const setup = () => ({
    port: server.port,
    env: (i, port = server.port) => ({ STORE: "redis", STORE_URL: `redis://127.0.0.1:${port}`, REDIS_CLIENT: String(i % redisClients.length), PREFIX: prefix }),
  });
  sharedScenarios("Redis", setup);

  for (const aof of [false, true]) {
    test(`Redis restarted (SIGKILL) ${aof ? "with AOF (appendfsync always)" : "without persistence"}: done marks ${aof ? "kept" : "forgotten, so a retry runs again"}`, async () => {
      const own = await startRedis({ aof });
      const url = `redis://127.0.0.1:${own.port}`;
      try {
        let proc = await storeProcess({ STORE: "redis", STORE_URL: url, REDIS_CLIENT: "0", PREFIX: "restart:" });
        const events = ids(100, "restart");
        const claims = await proc.call("claimAll", events, 30_000);
        for (const [e, eventId] of events.entries()) assert.equal(await proc.call("complete", eventId, claims[e].token), true);
        const [leased] = ids(1, "leased");
        assert.equal((await proc.call("claim", leased, 60_000)).state, "claimed");
        await proc.kill();
        await own.stop();
        await own.start();
        proc = await storeProcess({ STORE: "redis", STORE_URL: url, REDIS_CLIENT: "3", PREFIX: "restart:" });
        const after = await proc.call("claimAll", events, 30_000);
        const done = after.filter((c) => c.state === "done").length;
        const again = after.filter((c) => c.state === "claimed").length;
        const lease = (await proc.call("claim", leased, 60_000)).state;
        await proc.kill();
        if (aof) {
          assert.equal(done, 100);
          assert.equal(lease, "busy", "a live lease survives the restart");
        } else {
          assert.equal(again, 100, "without persistence every done mark is gone");
          assert.equal(lease, "claimed", "and the live lease too: a second instance may run it at once");
        }
        table.push([
          "Redis",
          `restart ${aof ? "with AOF (appendfsync always)" : "without persistence"}`,
          `100 done events: ${done} still done, ${again} claimable again (would run again); a live lease: ${lease}`,
        ]);
      } finally {
        await own.close();
      }
    });
  }
});

describe("Redis full (maxmemory reached by another application's keys)", () => {
  for (const policy of ["volatile-lru", "noeviction"]) {
    test(`maxmemory-policy ${policy}: ${policy === "noeviction" ? "writes refused (claims fail: 503, retried), no done mark lost" : "the store's done marks (the keys with a TTL) evicted: their events would run again"}`, async () => {
      const own = await startRedis({ args: ["--maxmemory", "4mb", "--maxmemory-policy", policy] });
      const url = `redis://127.0.0.1:${own.port}`;
      const { client, close } = await redisClients[0].connect(url);
      const { RedisStore } = await import("zentitle-webhooks/stores/redis");
      const warnings = [];
      const store = new RedisStore(client, { prefix: "full:", logger: (line) => warnings.push(line) });
      try {
        const events = ids(100, "full");
        for (const eventId of events) {
          const claim = await store.claim(eventId, 30_000);
          assert.equal(await store.complete(eventId, claim.token), true);
        }
        // Another application fills the memory (keys without a TTL).
        let refusedFill = 0;
        const filler = "x".repeat(10_000);
        for (let i = 0; i < 800; i++) await client.set(`other:${i}`, filler).catch(() => refusedFill++);
        const after = await Promise.allSettled(events.map((eventId) => store.claim(eventId, 30_000)));
        const done = after.filter((r) => r.value?.state === "done").length;
        const again = after.filter((r) => r.value?.state === "claimed").length;
        const failed = after.filter((r) => r.status === "rejected").length;
        // A new event's claim must write: under noeviction Redis refuses it (OOM, so the receiver
        // answers 503) while the memory is over the limit, and takes it once just under.
        const fresh = await store.claim(ids(1, "fresh")[0], 30_000).then(
          (c) => c.state,
          (e) => `refused (${String(e?.message).slice(0, 30)})`,
        );
        if (policy === "noeviction") {
          assert.equal(again, 0, "no done mark lost");
          assert.ok(refusedFill > 0, "the filler was refused once full");
          assert.deepEqual(warnings, []);
        } else {
          assert.ok(again > 0, "done marks were evicted");
          assert.equal(warnings.length, 1, "the store warned once");
          assert.equal(fresh, "claimed");
        }
        table.push([
          "Redis",
          `full, maxmemory-policy ${policy}`,
          `100 done events, then 800 × 10 KB of other keys: ${done} still done, ${again} claimable again, ${failed} claims refused; a new event's claim: ${fresh}; the store ${warnings.length ? "warned" : "did not warn"}`,
        ]);
      } finally {
        await close();
        await own.close();
      }
    });
  }
});

describe("PostgresStore, processes with a least-privilege role (DML grants only, no CREATE)", () => {
  let server;
  before(async () => {
    server = await startPostgres();
    const admin = new pg.Pool({ connectionString: server.url, max: 2 });
    await new PostgresStore(admin, { table: "fault_events" }).ensureTable();
    await admin.query("CREATE ROLE webhooks LOGIN");
    await admin.query("GRANT SELECT, INSERT, UPDATE, DELETE ON fault_events TO webhooks");
    await admin.end();
  });
  after(() => server?.close());
  const setup = () => ({
    port: server.port,
    env: (_i, port = server.port) => ({ STORE: "postgres", STORE_URL: `postgres://webhooks@127.0.0.1:${port}/postgres`, TABLE: "fault_events" }),
  });
  sharedScenarios("PostgreSQL", setup);

  test("six processes starting together on a missing table: no error, one claim wins (3 rounds)", async () => {
    let errors = 0;
    let winners = 0;
    for (let round = 0; round < 3; round++) {
      const procs = await Promise.all(
        Array.from({ length: 6 }, () => storeProcess({ STORE: "postgres", STORE_URL: server.url, TABLE: `six_${round}_events`, POOL_MAX: "2" })),
      );
      try {
        const [eventId] = ids(1, "six");
        const at = Date.now() + 300;
        const results = await Promise.all(procs.map((p) => p.callAt(at, "claim", eventId, 30_000)));
        errors += results.filter((r) => !r.ok).length;
        winners += results.filter((r) => r.value?.state === "claimed").length;
      } finally {
        await Promise.all(procs.map((p) => p.kill()));
      }
    }
    assert.equal(errors, 0);
    assert.equal(winners, 3);
    table.push(["PostgreSQL", "six processes start together on a missing table (3 rounds)", `errors ${errors}/18, one winner per round (${winners}/3)`]);
  });
});
