// RedisInbox on a real Redis (started by the test), with node-redis 4, 5 and 6 and ioredis 5
// and 6: one copy
// per eventId (NUL included), retries then `dead` and `retry`, an entry whose worker died taken
// over by XAUTOCLAIM, a stale worker fenced out, stored bytes verified again, unfit parked,
// per-resource order, stats, list and purge.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import IORedis from "ioredis";
import IORedis6 from "ioredis6";
import { createClient } from "redis";
import { createClient as createClient5 } from "redis5";
import { createClient as createClient6 } from "redis6";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

import { startRedis } from "../stores/servers.mjs";
import { delivery, quiet, record, until, verifier, verifyWith, wait, work } from "./support.mjs";

let server;
const clients = {};

before(async () => {
  server = await startRedis();
  for (const [name, create] of [
    ["node-redis", createClient],
    ["node-redis 5", createClient5],
    ["node-redis 6", createClient6],
  ]) {
    clients[name] = create({ url: server.url });
    await clients[name].connect();
  }
  clients.ioredis = new IORedis(server.url);
  clients["ioredis 6"] = new IORedis6(server.url);
});
after(async () => {
  for (const name of ["node-redis", "node-redis 5", "node-redis 6"]) await clients[name]?.quit();
  clients.ioredis?.disconnect();
  clients["ioredis 6"]?.disconnect();
  await server?.close();
});

let prefixes = 0;

async function runUntil(options, done, what) {
  const controller = new AbortController();
  const running = work({ verify: verifyWith(verifier), logger: quiet, pollSeconds: 0.05, ...options, signal: controller.signal });
  try {
    await until(done, what);
  } finally {
    controller.abort();
    await running;
  }
}

for (const library of ["node-redis", "node-redis 5", "node-redis 6", "ioredis", "ioredis 6"]) {
  describe(`RedisInbox with ${library}`, () => {
    const fresh = () => new RedisInbox(clients[library], { prefix: `t${++prefixes}:` });

    test("one entry per eventId; any JSON-string eventId (NUL, backslashes) is stored and read back", async () => {
      const inbox = fresh();
      const ids = ["event_\u0000x", "event_\\0x", "event_ü✓\u0001"];
      for (const eventId of ids) {
        const d = delivery({ eventId });
        assert.equal((await inbox.add(record(d))).added, true);
        assert.deepEqual(await inbox.add(record(delivery({ eventId, callAttempt: 2 }))), { added: false, id: eventId, state: "pending" });
        const stored = await inbox.get(eventId);
        assert.equal(stored.eventId, eventId);
        assert.deepEqual(Buffer.from(stored.body), d.body);
        assert.equal(stored.signature, d.signature);
      }
      assert.equal((await inbox.stats()).pending, ids.length);
      const seen = [];
      await runUntil({ inbox, handle: (e) => seen.push(e.eventId) }, async () => (await inbox.stats()).done === 3, "3 done");
      assert.deepEqual(seen.sort(), [...ids].sort());
    });

    test("failures retry with back-off, then dead with the last error; retry runs it once fixed", async () => {
      const inbox = fresh();
      const d = delivery();
      await inbox.add(record(d));
      let broken = true;
      const attempts = [];
      const handle = (_e, ctx) => {
        attempts.push(ctx.attempt);
        if (broken) throw new Error("the CRM is down");
      };
      await runUntil({ inbox, handle, maxAttempts: 3, backoff: () => 30 }, async () => (await inbox.stats()).dead === 1, "dead");
      assert.deepEqual(attempts, [1, 2, 3]);
      const dead = await inbox.get(d.event.eventId);
      assert.equal(dead.lastError, "the CRM is down");
      broken = false;
      assert.equal(await inbox.retry({ dead: true }), 1);
      await runUntil({ inbox, handle }, async () => (await inbox.stats()).done === 1, "done after retry");
      assert.deepEqual(attempts, [1, 2, 3, 1]);
    });

    test("an entry whose worker died is taken over after the lease; the stale worker is fenced out", async () => {
      const inbox = fresh();
      await inbox.add(record(delivery()));
      const stale = await inbox.claim({ workerId: "dead-worker", leaseMs: 200 });
      assert.equal(stale.delivery.attempts, 1);
      assert.equal(await inbox.claim({ workerId: "other", leaseMs: 200 }), null, "not before the lease ends");
      await wait(300);
      const taken = await inbox.claim({ workerId: "other", leaseMs: 200 });
      assert.equal(taken.delivery.attempts, 2);
      assert.equal(await stale.renew(), false);
      assert.equal(await stale.finish({ state: "done" }), false);
      assert.equal((await inbox.stats()).done, 0);
      assert.equal(await taken.finish({ state: "done" }), true);
      assert.equal((await inbox.stats()).done, 1);
    });

    test("stored bytes are verified again; unfit payloads are parked", async () => {
      const inbox = fresh();
      const d = delivery();
      const tampered = { ...record(d), body: Buffer.from(d.body.toString().replace("cust_1", "cust_2")) };
      await inbox.add(tampered);
      const unfit = delivery({ payload: { customerId: 42 } });
      await inbox.add(record(unfit));
      let ran = 0;
      await runUntil(
        { inbox, handle: () => ran++ },
        async () => {
          const s = await inbox.stats();
          return s.dead === 1 && s.unfit === 1;
        },
        "dead and unfit",
      );
      assert.equal(ran, 0);
      assert.match((await inbox.get(d.event.eventId)).lastError, /invalid_signature/);
      assert.equal(await inbox.retry({ unfit: true }), 1);
      assert.equal((await inbox.stats()).pending, 1);
    });

    test("ordered: one event of a resource at a time, the earliest eventDate first", async () => {
      const inbox = fresh();
      const base = Date.parse("2026-01-01T00:00:00Z");
      const at = (s) => new Date(base + s * 1000).toISOString();
      for (const [resourceId, seconds] of [
        ["cust_A", [5, 3, 4, 1, 2]],
        ["cust_B", [2, 1, 3]],
      ]) {
        for (const s of seconds) await inbox.add(record(delivery({ resourceId, eventDate: at(s), payload: { customerId: resourceId } })));
      }
      const seen = { cust_A: [], cust_B: [] };
      const active = new Map();
      let overlap = 0;
      let failedOnce = false;
      await runUntil(
        {
          inbox,
          ordered: true,
          concurrency: 4,
          backoff: () => 20,
          handle: async (event) => {
            if (active.get(event.resourceId)) overlap++;
            active.set(event.resourceId, true);
            await wait(15);
            active.set(event.resourceId, false);
            if (event.eventDate === at(2) && event.resourceId === "cust_A" && !failedOnce) {
              failedOnce = true;
              throw new Error("once");
            }
            seen[event.resourceId].push((Date.parse(event.eventDate) - base) / 1000);
          },
        },
        async () => (await inbox.stats()).done === 8,
        "8 done",
      );
      assert.equal(overlap, 0);
      assert.deepEqual(seen, { cust_A: [1, 2, 3, 4, 5], cust_B: [1, 2, 3] });
    });

    test("ordered: a newer event whose worker died does not block an older one that arrives later (the slot follows the lease)", async () => {
      const inbox = fresh();
      const base = Date.parse("2026-01-01T00:00:00Z");
      const newer = delivery({ resourceId: "cust_D", eventDate: new Date(base + 60_000).toISOString() });
      const older = delivery({ resourceId: "cust_D", eventDate: new Date(base).toISOString() });
      await inbox.add(record(newer));
      // A worker claims the newer event and dies (never finishes, never renews).
      const dying = await inbox.claim({ workerId: "dies", leaseMs: 300, ordered: true });
      assert.equal(dying.delivery.eventId, newer.event.eventId);
      await inbox.add(record(older));
      // A healthy worker reads the older one while the newer one's lease still holds: parked.
      assert.deepEqual(await inbox.claim({ workerId: "healthy", leaseMs: 300, ordered: true }), { deferred: true });
      await wait(400);
      const seen = [];
      const controller = new AbortController();
      const running = work({
        inbox,
        verify: verifyWith(verifier),
        logger: quiet,
        pollSeconds: 0.05,
        ordered: true,
        leaseSeconds: 0.3,
        signal: controller.signal,
        handle: (event) => seen.push(event.eventId),
      });
      try {
        await until(async () => (await inbox.stats()).done === 2, "both events of the resource done", 6000);
      } finally {
        controller.abort();
        await running;
      }
      assert.deepEqual(seen, [older.event.eventId, newer.event.eventId]);
      assert.equal(await dying.finish({ state: "done" }), false, "the dead worker is fenced out");
    });

    test("a delivery whose worker stops during every attempt ends dead at maxAttempts, not claimed forever", async () => {
      const inbox = fresh();
      const d = delivery();
      await inbox.add(record(d));
      // Three workers in a row die while running it (killed, OOM): no outcome recorded.
      for (let i = 0; i < 3; i++) {
        const taken = await until(() => inbox.claim({ workerId: `dies-${i}`, leaseMs: 100 }), "a claim");
        assert.equal(taken.delivery.attempts, i + 1);
        await wait(150);
      }
      let ran = 0;
      await runUntil({ inbox, maxAttempts: 3, leaseSeconds: 0.1, handle: () => ran++ }, async () => (await inbox.stats()).dead === 1, "dead");
      const stored = await inbox.get(d.event.eventId);
      assert.equal(ran, 0, "not run again");
      assert.equal(stored.attempts, 3);
      assert.match(stored.lastError, /worker stopped .* maxAttempts \(3\)/);
    });

    test("stats, list and purge", async () => {
      const inbox = fresh();
      for (let i = 0; i < 3; i++) await inbox.add(record(delivery()));
      await runUntil({ inbox, handle: () => {} }, async () => (await inbox.stats()).done === 3, "done");
      await inbox.add(record(delivery()));
      const stats = await inbox.stats();
      assert.deepEqual([stats.pending, stats.running, stats.done, stats.dead, stats.unfit], [1, 0, 3, 0, 0]);
      assert.ok(stats.oldestPendingSeconds >= 0 && stats.oldestPendingSeconds < 60);
      const listed = await inbox.list({ state: "done" });
      assert.equal(listed.length, 3);
      assert.equal(listed[0].body, undefined);
      assert.equal(await inbox.purge({ olderThanMs: 60_000 }), 0);
      await wait(20);
      assert.equal(await inbox.purge({ olderThanMs: 10 }), 3);
      assert.equal((await inbox.stats()).done, 0);
    });
  });
}

test("a Redis restarted without persistence: the inbox makes its stream and group again", async () => {
  const volatile = await startRedis();
  const client = createClient({ url: volatile.url, socket: { reconnectStrategy: () => 50 } });
  client.on("error", () => {});
  await client.connect();
  try {
    const inbox = new RedisInbox(client, { prefix: "volatile:" });
    await inbox.add(record(delivery()));
    await runUntil({ inbox, handle: () => {} }, async () => (await inbox.stats()).done === 1, "done before the restart");
    await volatile.stop();
    await volatile.start();
    // Everything was lost with the server's memory (asked until the client has reconnected).
    await until(
      () =>
        inbox.stats().then(
          (s) => s.done === 0,
          () => false,
        ),
      "reconnected, nothing left",
    );
    await inbox.add(record(delivery()));
    await runUntil({ inbox, handle: () => {} }, async () => (await inbox.stats()).done === 1, "done after the restart");
  } finally {
    await client.quit();
    await volatile.close();
  }
});
