// PostgresInbox on a real PostgreSQL (started by the test): one copy per eventId (any eventId,
// NUL included), a role with DML rights only, ctx.sql's writes committed with the done mark
// or rolled back with a failure, retries then `dead` and `retry`, stored bytes verified again,
// unfit deliveries parked, per-resource order, stats, list and purge.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";

import { startPostgres } from "../stores/servers.mjs";
import { delivery, newEventId, quiet, record, until, verifier, verifyWith, wait, work } from "./support.mjs";

let server;
let pool;

before(async () => {
  server = await startPostgres();
  pool = new pg.Pool({ connectionString: server.url, max: 8 });
  pool.on("error", () => {});
});
after(async () => {
  await pool?.end();
  await server?.close();
});

let tables = 0;
async function freshInbox() {
  const inbox = new PostgresInbox(pool, { table: `inbox_${++tables}` });
  await inbox.ensureSchema();
  return inbox;
}

/** Runs workers until `done()` holds, then stops them. */
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

describe("PostgresInbox", () => {
  test("schema: ensureSchema is idempotent and tolerates concurrent creation", async () => {
    const inbox = new PostgresInbox(pool, { table: "inbox_race" });
    await Promise.all([inbox.ensureSchema(), inbox.ensureSchema(), new PostgresInbox(pool, { table: "inbox_race" }).ensureSchema()]);
    await inbox.ensureSchema();
    assert.equal((await inbox.stats()).pending, 0);
  });

  test("a missing table is a clear error naming the fix", async () => {
    const inbox = new PostgresInbox(pool, { table: "inbox_missing" });
    await assert.rejects(inbox.add(record(delivery())), /ensureSchema\(\)/);
  });

  test("one row per eventId; any JSON-string eventId (NUL, backslashes) is stored and read back", async () => {
    const inbox = await freshInbox();
    const ids = ["event_\u0000x", "event_\\0x", "event_\\\\\u0000", "event_ü✓\u0001"];
    for (const eventId of ids) {
      const d = delivery({ eventId });
      const first = await inbox.add(record(d));
      const second = await inbox.add(record(delivery({ eventId, callAttempt: 2 })));
      assert.equal(first.added, true);
      assert.deepEqual(second, { added: false, id: first.id, state: "pending" });
      const stored = await inbox.get(eventId);
      assert.equal(stored.eventId, eventId);
      assert.deepEqual(Buffer.from(stored.body), d.body);
      assert.equal(stored.signature, d.signature);
    }
    assert.equal((await inbox.stats()).pending, ids.length);
  });

  test("a role with DML rights only adds, claims and finishes", async () => {
    await freshInbox();
    const table = `inbox_${tables}`;
    await pool.query("DROP ROLE IF EXISTS inbox_dml");
    await pool.query("CREATE ROLE inbox_dml LOGIN");
    await pool.query("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
    await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO inbox_dml`);
    await pool.query(`GRANT USAGE ON SEQUENCE ${table}_id_seq TO inbox_dml`);
    const limited = new pg.Pool({ connectionString: server.url.replace("postgres@", "inbox_dml@"), max: 2 });
    try {
      await assert.rejects(limited.query("CREATE TABLE nope (x int)"), /permission denied/);
      const dml = new PostgresInbox(limited, { table });
      await dml.add(record(delivery()));
      let ran = 0;
      await runUntil({ inbox: dml, handle: () => ran++ }, async () => (await dml.stats()).done === 1, "done");
      assert.equal(ran, 1);
    } finally {
      await limited.end();
    }
  });

  test("ctx.sql: a failed attempt's writes roll back, the successful one's commit with the done mark", async () => {
    const inbox = await freshInbox();
    await pool.query("CREATE TABLE IF NOT EXISTS effects (event_id text, attempt int)");
    const ids = [];
    for (let i = 0; i < 20; i++) {
      const d = delivery();
      ids.push(d.event.eventId);
      await inbox.add(record(d));
    }
    await runUntil(
      {
        inbox,
        concurrency: 4,
        backoff: () => 10,
        handle: async (event, ctx) => {
          await ctx.sql("INSERT INTO effects VALUES ($1, $2)", [event.eventId, ctx.attempt]);
          if (ctx.attempt < 3) throw new Error("fails twice");
        },
      },
      async () => (await inbox.stats()).done === 20,
      "20 done",
    );
    const rows = await pool.query("SELECT event_id, count(*)::int AS n, min(attempt) AS a FROM effects WHERE event_id = ANY($1) GROUP BY event_id", [ids]);
    assert.equal(rows.rowCount, 20);
    for (const row of rows.rows) assert.deepEqual([row.n, row.a], [1, 3]);
    await assert.rejects(
      (async () => {
        let kept;
        await inbox.add(record(delivery()));
        await runUntil({ inbox, handle: (_e, ctx) => (kept = ctx.sql) }, async () => (await inbox.stats()).done === 21, "21 done");
        await kept("SELECT 1");
      })(),
      /transaction is over/,
    );
  });

  test("ctx.sql: a failed statement the handler catches is a handler failure (retried, then dead), not a lost inbox", async () => {
    const inbox = await freshInbox();
    await pool.query("CREATE TABLE IF NOT EXISTS swallowed (event_id text, attempt int)");
    const d = delivery();
    await inbox.add(record(d));
    const reported = [];
    await runUntil(
      {
        inbox,
        maxAttempts: 2,
        backoff: () => 10,
        leaseSeconds: 10, // not what is tested: a lease running out on a slow machine must not end the attempt
        onError: (_error, info) => reported.push(info),
        handle: async (event, ctx) => {
          await ctx.sql("INSERT INTO swallowed VALUES ($1, $2)", [event.eventId, ctx.attempt]);
          try {
            await ctx.sql("SELECT 1 / 0");
          } catch {
            // swallowed: the transaction is aborted all the same
          }
        },
      },
      async () => (await inbox.stats()).dead === 1,
      "dead",
    );
    const stored = await inbox.get(d.event.eventId);
    assert.equal(stored.attempts, 2);
    assert.match(stored.lastError, /ctx\.sql .*failed.*aborted/);
    assert.deepEqual(
      reported.map((info) => [info.outcome, info.code]),
      [
        ["retry", "handler_failed"],
        ["dead", "handler_failed"],
      ],
    );
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM swallowed WHERE event_id = $1", [d.event.eventId])).rows[0].n, 0);
  });

  test("synchronousCommit: false keeps writes and done mark together (and is checked)", async () => {
    assert.throws(() => new PostgresInbox(pool, { synchronousCommit: "no" }), /synchronousCommit/);
    const inbox = new PostgresInbox(pool, { table: `inbox_${++tables}`, synchronousCommit: false });
    await inbox.ensureSchema();
    await pool.query("CREATE TABLE IF NOT EXISTS relaxed_effects (event_id text)");
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const d = delivery();
      ids.push(d.event.eventId);
      await inbox.add(record(d));
    }
    await runUntil(
      {
        inbox,
        concurrency: 3,
        backoff: () => 10,
        handle: async (event, ctx) => {
          await ctx.sql("INSERT INTO relaxed_effects VALUES ($1)", [event.eventId]);
          if (ctx.attempt === 1) throw new Error("first attempt fails after its write");
        },
      },
      async () => (await inbox.stats()).done === 10,
      "10 done",
    );
    const rows = await pool.query("SELECT event_id FROM relaxed_effects ORDER BY event_id");
    assert.deepEqual(
      rows.rows.map((r) => r.event_id),
      ids.sort(),
    );
  });

  test("a delivery that always fails ends dead with its last error; retry runs it once fixed", async () => {
    const inbox = await freshInbox();
    const d = delivery();
    await inbox.add(record(d));
    let broken = true;
    const handle = () => {
      if (broken) throw new Error("the CRM is down");
    };
    await runUntil({ inbox, handle, maxAttempts: 3, backoff: () => 10 }, async () => (await inbox.stats()).dead === 1, "dead");
    const dead = await inbox.get(d.event.eventId);
    assert.equal(dead.state, "dead");
    assert.equal(dead.attempts, 3);
    assert.equal(dead.lastError, "the CRM is down");
    broken = false;
    assert.equal(await inbox.retry(dead.id), 1);
    assert.equal(await inbox.retry(dead.id), 0, "only dead or unfit deliveries are re-queued");
    await runUntil({ inbox, handle, maxAttempts: 3 }, async () => (await inbox.stats()).done === 1, "done after retry");
    assert.equal((await inbox.get(dead.id)).attempts, 1);
  });

  test("a delivery whose worker stops during every attempt ends dead at maxAttempts, not claimed forever", async () => {
    const inbox = await freshInbox();
    const d = delivery();
    await inbox.add(record(d));
    // Three workers in a row die while running it: the connection drops, the transaction with it.
    for (let i = 0; i < 3; i++) {
      const taken = await until(() => inbox.claim({ workerId: `dies-${i}`, leaseMs: 100 }), "a claim");
      assert.equal(taken.delivery.attempts, i + 1);
      taken.context.client.release(new Error("worker killed"));
      await wait(150);
    }
    let ran = 0;
    await runUntil({ inbox, maxAttempts: 3, leaseSeconds: 0.1, handle: () => ran++ }, async () => (await inbox.stats()).dead === 1, "dead");
    const stored = await inbox.get(d.event.eventId);
    assert.equal(ran, 0, "not run again");
    assert.equal(stored.attempts, 3);
    assert.match(stored.lastError, /worker stopped .* maxAttempts \(3\)/);
  });

  test("stored bytes are verified again: a body changed in the database ends dead, its handler never runs", async () => {
    const inbox = await freshInbox();
    const d = delivery();
    const { id } = await inbox.add(record(d));
    await pool.query(`UPDATE inbox_${tables} SET body = convert_to(replace(convert_from(body, 'UTF8'), 'cust_1', 'cust_2'), 'UTF8') WHERE id = $1`, [id]);
    let ran = 0;
    await runUntil({ inbox, handle: () => ran++ }, async () => (await inbox.stats()).dead === 1, "dead");
    assert.equal(ran, 0);
    assert.match((await inbox.get(id)).lastError, /stored delivery refused: invalid_signature/);
  });

  test("a delivery whose payload does not fit is parked unfit; retry({ unfit }) re-queues it", async () => {
    const inbox = await freshInbox();
    const d = delivery({ payload: { customerId: 42 } });
    await inbox.add(record(d));
    let ran = 0;
    await runUntil({ inbox, handle: () => ran++ }, async () => (await inbox.stats()).unfit === 1, "unfit");
    assert.equal(ran, 0);
    assert.match((await inbox.get(d.event.eventId)).lastError, /payload does not fit/);
    assert.equal(await inbox.retry({ unfit: true }), 1);
    assert.equal((await inbox.stats()).pending, 1);
  });

  test("ordered: one event of a resource at a time, the earliest eventDate first, even when it arrived last", async () => {
    const inbox = await freshInbox();
    const base = Date.parse("2026-01-01T00:00:00Z");
    const at = (s) => new Date(base + s * 1000).toISOString();
    // Two resources; each gets its events in scrambled arrival order.
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
          // The second event of cust_A fails once: the later ones wait for its retry.
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

  test("ordered: an older event arriving while a newer one runs waits for it, never runs beside it", async () => {
    const inbox = await freshInbox();
    const newer = delivery({ resourceId: "cust_C", eventDate: "2026-01-01T00:00:10Z" });
    const older = delivery({ resourceId: "cust_C", eventDate: "2026-01-01T00:00:05Z" });
    await inbox.add(record(newer));
    const order = [];
    let running = 0;
    let overlap = 0;
    await runUntil(
      {
        inbox,
        ordered: true,
        concurrency: 3,
        handle: async (event) => {
          if (running++ > 0) overlap++;
          if (event.eventId === newer.event.eventId) {
            await inbox.add(record(older));
            await wait(300);
          }
          order.push(event.eventId);
          running--;
        },
      },
      async () => (await inbox.stats()).done === 2,
      "2 done",
    );
    assert.equal(overlap, 0);
    assert.deepEqual(order, [newer.event.eventId, older.event.eventId]);
  });

  test("stats, list, get and purge", async () => {
    const inbox = await freshInbox();
    for (let i = 0; i < 3; i++) await inbox.add(record(delivery()));
    await runUntil({ inbox, handle: () => {} }, async () => (await inbox.stats()).done === 3, "done");
    await inbox.add(record(delivery()));
    const stats = await inbox.stats();
    assert.equal(stats.done, 3);
    assert.equal(stats.pending, 1);
    assert.ok(stats.oldestPendingSeconds >= 0 && stats.oldestPendingSeconds < 60);
    const listed = await inbox.list({ state: "done" });
    assert.equal(listed.length, 3);
    assert.equal(listed[0].body, undefined, "list leaves the bodies out");
    assert.equal(await inbox.purge({ olderThanMs: 60_000 }), 0);
    await wait(20);
    assert.equal(await inbox.purge({ olderThanMs: 10 }), 3);
    assert.deepEqual(Object.values(await inbox.stats()).slice(0, 5), [1, 0, 0, 0, 0]);
    assert.equal(await inbox.get(newEventId()), undefined);
  });
});
