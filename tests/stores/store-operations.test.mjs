// The stores where users run them, on real servers: RedisStore's clients told apart and its
// warning for a Redis that evicts keys (said once, and nothing where CONFIG is refused);
// PostgresStore's table made ahead (ensureTable) and used by a role with DML grants only and
// no CREATE on the schema (PostgreSQL 15's default), six instances starting together on a
// missing table, done rows deleted once doneSeconds have passed, ids with NUL stored under a
// digest; and every store's options checked.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { MemoryStore } from "zentitle-webhooks";
import { DurableObjectStore } from "zentitle-webhooks/stores/durable-object";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";

import { redisClients } from "./redis-clients.mjs";
import { startPostgres, startRedis } from "./servers.mjs";

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const id = () => `event_${randomBytes(8).toString("hex")}`;

describe("options and arguments, every store", () => {
  const client = { sendCommand: async () => null };
  const pool = { query: async () => ({ rowCount: 0, rows: [] }) };
  const namespace = { idFromName: () => ({}), get: () => ({}) };
  const makers = {
    MemoryStore: (o) => new MemoryStore(o),
    RedisStore: (o) => new RedisStore(client, o),
    PostgresStore: (o) => new PostgresStore(pool, o),
    DurableObjectStore: (o) => new DurableObjectStore(namespace, o),
  };
  for (const [name, make] of Object.entries(makers)) {
    test(`${name}: doneSeconds refused unless a whole number of seconds from 3600; the error is coded and names it`, () => {
      for (const bad of [0, 0.5, -3600, 3599, 3600.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, "7d", "604800", 604800n, null, {}, []]) {
        assert.throws(
          () => make({ doneSeconds: bad }),
          (e) => e instanceof TypeError && e.code === "invalid_argument" && /doneSeconds/.test(e.message),
          `doneSeconds ${String(bad)}`,
        );
      }
      for (const good of [undefined, 3600, 604800, 2 ** 31 - 1]) make({ doneSeconds: good });
      make();
    });
    test(`${name}: an unknown option (a typo), a non-object or a throwing getter is a coded TypeError`, () => {
      assert.throws(
        () => make({ doneSecond: 3600 }),
        (e) => e instanceof TypeError && e.code === "invalid_argument" && /doneSecond/.test(e.message),
      );
      assert.throws(
        () => make("7d"),
        (e) => e instanceof TypeError && e.code === "invalid_argument",
      );
      const hostile = new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("trap");
          },
        },
      );
      assert.throws(
        () => make(hostile),
        (e) => e instanceof TypeError && e.code === "invalid_argument" && e.cause?.message === "trap",
      );
    });
  }

  test("wrong arguments to claim, renew, complete, release: a rejected TypeError, nothing stored", async () => {
    const s = new MemoryStore();
    await assert.rejects(s.claim(42, 1000), TypeError);
    await assert.rejects(s.claim("a", 0), TypeError);
    await assert.rejects(s.claim("a", Number.NaN), TypeError);
    await assert.rejects(s.claim("\uD800lone", 1000), /well-formed/);
    await assert.rejects(s.renew("a", undefined, 1000), TypeError);
    await assert.rejects(s.complete("a", 7), TypeError);
    await assert.rejects(s.release("a", null), TypeError);
    assert.equal((await s.claim("a", 1000)).state, "claimed");
  });

  test("RedisStore: a client that is neither node-redis nor ioredis, or whose getters throw, is a coded TypeError", () => {
    for (const bad of [undefined, null, {}, { get() {} }, "redis://localhost"]) {
      assert.throws(
        () => new RedisStore(bad),
        (e) => e instanceof TypeError && e.code === "invalid_argument" && /node-redis .*ioredis/.test(e.message),
      );
    }
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
      },
    );
    assert.throws(
      () => new RedisStore(hostile),
      (e) => e instanceof TypeError && e.code === "invalid_argument",
    );
    assert.throws(() => new RedisStore(client, { logger: "console" }), /logger/);
    assert.throws(() => new RedisStore(client, { prefix: 7 }), /prefix/);
  });

  test("PostgresStore: a table name that is not a plain identifier is refused", () => {
    for (const table of ["x; DROP TABLE y", "a-b", "1abc", "", "a.b.c", `"quoted"`, 7]) assert.throws(() => new PostgresStore(pool, { table }), /table/);
    new PostgresStore(pool, { table: "webhooks.events" });
    assert.throws(() => new PostgresStore(pool, { createTable: "no" }), /createTable/);
  });
});

describe("RedisStore on real Redis servers", () => {
  test("each client is told apart and works (ioredis has a sendCommand too)", async () => {
    const server = await startRedis();
    try {
      for (const { name, connect } of redisClients) {
        const { client, close } = await connect(server.url);
        try {
          const store = new RedisStore(client, { prefix: `clients:${name}:`, logger: () => {} });
          const eventId = id();
          const claim = await store.claim(eventId, 5000);
          assert.equal(claim.state, "claimed", name);
          assert.equal(await store.complete(eventId, claim.token), true, name);
          assert.deepEqual(await store.claim(eventId, 5000), { state: "done" }, name);
        } finally {
          await close();
        }
      }
    } finally {
      await server.close();
    }
  });

  test("a Redis that may evict keys (volatile-lru): one warning line, once, through logger; noeviction: none", async () => {
    const server = await startRedis({ args: ["--maxmemory-policy", "volatile-lru"] });
    try {
      for (const { name, connect } of redisClients) {
        const { client, close } = await connect(server.url);
        try {
          const lines = [];
          const store = new RedisStore(client, { prefix: "warn:", logger: (line) => lines.push(line) });
          for (let i = 0; i < 5; i++) await store.claim(id(), 1000);
          for (let i = 0; i < 50 && lines.length === 0; i++) await wait(10);
          await wait(50);
          assert.equal(lines.length, 1, `${name}: ${JSON.stringify(lines)}`);
          assert.match(lines[0], /maxmemory-policy volatile-lru.*noeviction/);
          assert.doesNotMatch(lines[0], /\n/);
          // An object with warn() is a logger too.
          const warned = [];
          await new RedisStore(client, { prefix: "warn:", logger: { warn: (line) => warned.push(line) } }).claim(id(), 1000);
          for (let i = 0; i < 50 && warned.length === 0; i++) await wait(10);
          assert.equal(warned.length, 1, name);
          // false: nothing said.
          const silent = new RedisStore(client, { prefix: "warn:", logger: false });
          await silent.claim(id(), 1000);
        } finally {
          await close();
        }
      }
    } finally {
      await server.close();
    }
    const quiet = await startRedis(); // noeviction, Redis's default
    try {
      const { client, close } = await redisClients[0].connect(quiet.url);
      const lines = [];
      await new RedisStore(client, { logger: (line) => lines.push(line) }).claim(id(), 1000);
      await wait(200);
      assert.deepEqual(lines, []);
      await close();
    } finally {
      await quiet.close();
    }
  });

  test("CONFIG refused (renamed away, as managed services do): no warning, no failure", async () => {
    const server = await startRedis({ args: ["--maxmemory-policy", "allkeys-lru", "--rename-command", "CONFIG", ""] });
    try {
      for (const { name, connect } of redisClients) {
        const { client, close } = await connect(server.url);
        try {
          const lines = [];
          const store = new RedisStore(client, { prefix: "noconfig:", logger: (line) => lines.push(line) });
          const eventId = id();
          const claim = await store.claim(eventId, 5000);
          assert.equal(await store.complete(eventId, claim.token), true);
          await wait(200);
          assert.deepEqual(lines, [], name);
        } finally {
          await close();
        }
      }
    } finally {
      await server.close();
    }
  });
});

describe("PostgresStore on a real PostgreSQL 15", () => {
  let server;
  let admin;
  before(async () => {
    server = await startPostgres();
    admin = new pg.Pool({ connectionString: server.url, max: 4 });
    admin.on("error", () => {});
  });
  after(async () => {
    await admin?.end();
    await server?.close();
  });

  test("a role with SELECT, INSERT, UPDATE, DELETE on a table made ahead and no CREATE on the schema: works", async () => {
    const { rows } = await admin.query("SHOW server_version");
    assert.match(rows[0].server_version, /^1[5-9]|^[2-9]\d/, "PostgreSQL 15 or later (no CREATE on public for PUBLIC)");
    await new PostgresStore(admin, { table: "least_events" }).ensureTable(); // by the owner, at deployment
    await admin.query("CREATE ROLE webhooks LOGIN");
    await admin.query("GRANT SELECT, INSERT, UPDATE, DELETE ON least_events TO webhooks");
    const pool = new pg.Pool({ connectionString: server.urlAs("webhooks"), max: 2 });
    try {
      // The role may not create anything: the setting the store must live with.
      await assert.rejects(pool.query("CREATE TABLE probe (x int)"), (e) => e.code === "42501");
      for (const createTable of [true, false]) {
        const store = new PostgresStore(pool, { table: "least_events", createTable });
        const eventId = id();
        const claim = await store.claim(eventId, 5000);
        assert.equal(claim.state, "claimed");
        assert.equal(await store.renew(eventId, claim.token, 5000), true);
        assert.equal(await store.complete(eventId, claim.token), true);
        assert.deepEqual(await store.claim(eventId, 5000), { state: "done" });
        const other = id();
        const second = await store.claim(other, 5000);
        assert.equal(await store.release(other, second.token), true);
      }
      // The table missing: a clear error that says what to do, never a bare permission error.
      const missing = new PostgresStore(pool, { table: "not_made" });
      await assert.rejects(missing.claim(id(), 5000), (e) => e.code === "store_setup" && /ensureTable\(\)/.test(e.message) && e.cause?.code === "42501");
      const noCreate = new PostgresStore(pool, { table: "not_made", createTable: false });
      await assert.rejects(noCreate.claim(id(), 5000), (e) => e.code === "store_setup" && /createTable is false/.test(e.message));
      // No grant on the table: says which grants.
      await admin.query("CREATE TABLE no_grant_events (event_id text PRIMARY KEY, token text, state text NOT NULL, lease_until timestamptz NOT NULL)");
      await assert.rejects(
        new PostgresStore(pool, { table: "no_grant_events" }).claim(id(), 5000),
        (e) => e.code === "store_setup" && /GRANT SELECT, INSERT, UPDATE, DELETE/.test(e.message),
      );
    } finally {
      await pool.end();
    }
  });

  test("six instances starting together on a missing table: no error (the CREATE race is real: raw CREATE TABLE IF NOT EXISTS fails)", async () => {
    const ROUNDS = 10;
    // The race, shown with six connections running the plain statement at once.
    let rawFailures = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const clients = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const c = new pg.Client({ connectionString: server.url });
          await c.connect();
          return c;
        }),
      );
      const results = await Promise.allSettled(
        clients.map((c) => c.query(`CREATE TABLE IF NOT EXISTS raw_race_${round} (event_id text PRIMARY KEY, token text)`)),
      );
      rawFailures += results.filter((r) => r.status === "rejected").length;
      await Promise.all(clients.map((c) => c.end()));
    }
    // The store: six instances (each its own pool), each claiming at once on a table not made.
    let storeFailures = 0;
    let claimed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: server.url, max: 2 }));
      try {
        const stores = pools.map((p) => new PostgresStore(p, { table: `race_events_${round}` }));
        const eventId = id();
        const results = await Promise.allSettled(stores.map((s) => s.claim(eventId, 5000)));
        storeFailures += results.filter((r) => r.status === "rejected").length;
        claimed += results.filter((r) => r.value?.state === "claimed").length;
        for (const r of results) if (r.status === "rejected") console.log(`# store error: ${r.reason?.message}`);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
    }
    console.log(
      `# six at once, ${ROUNDS} rounds: raw CREATE TABLE IF NOT EXISTS failed ${rawFailures} of ${ROUNDS * 6}; the store's claims failed ${storeFailures} of ${ROUNDS * 6}`,
    );
    assert.equal(storeFailures, 0);
    assert.equal(claimed, ROUNDS, "one claim per round won");
  });

  test("rows whose done mark or lease has ended are deleted in bounded batches; live ones are kept", async () => {
    const table = "sweep_events";
    const store = new PostgresStore(admin, { table, doneSeconds: 3600 });
    const ids = { ended: id(), live: id(), leaseEnded: id(), leaseLive: id() };
    for (const eventId of [ids.ended, ids.live]) {
      const claim = await store.claim(eventId, 5000);
      assert.equal(await store.complete(eventId, claim.token), true);
    }
    await store.claim(ids.leaseEnded, 5000);
    await store.claim(ids.leaseLive, 60_000);
    const { rows: before } = await admin.query(
      `SELECT event_id, state, lease_until - now() > interval '59 minutes' AS kept_an_hour FROM ${table} ORDER BY event_id`,
    );
    assert.ok(
      before.filter((r) => r.state === "done").every((r) => r.kept_an_hour),
      "done marks are kept doneSeconds",
    );
    // An hour later, for two of them (the database's clock moved by rewriting the rows).
    await admin.query(`UPDATE ${table} SET lease_until = now() - interval '1 second' WHERE event_id = ANY($1)`, [[ids.ended, ids.leaseEnded]]);
    // 1,200 more ended rows: a sweep deletes at most 500 of them.
    await admin.query(
      `INSERT INTO ${table} (event_id, token, state, lease_until) SELECT 'old_' || g, NULL, 'done', now() - interval '1 day' FROM generate_series(1, 1200) g`,
    );
    const count = async () => Number((await admin.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
    assert.equal(await count(), 1204);
    // A new instance sweeps at its first claim, in the background.
    const fresh = new PostgresStore(admin, { table, doneSeconds: 3600 });
    await fresh.claim(id(), 5000);
    for (let i = 0; i < 100 && (await count()) > 1205 - 500; i++) await wait(20);
    const afterFirst = await count();
    console.log(`# sweep: ${1205 - afterFirst} rows deleted by the first sweep`);
    assert.equal(afterFirst, 1205 - 500, "one sweep deletes at most 500 rows");
    // A full batch: the next claim sweeps again, until the ended rows are gone.
    for (let i = 0; i < 10; i++) {
      await fresh.claim(id(), 5000);
      await wait(50);
    }
    const { rows } = await admin.query(`SELECT event_id FROM ${table} WHERE event_id = ANY($1)`, [Object.values(ids)]);
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [ids.live, ids.leaseLive].sort(), "the live done mark and the live lease are kept");
    assert.equal(Number((await admin.query(`SELECT count(*) FROM ${table} WHERE lease_until < now()`)).rows[0].count), 0);
  });

  test("an eventId with NUL bytes or over 200 bytes is stored under its SHA-256; a plain one as it is", async () => {
    const table = "key_events";
    const store = new PostgresStore(admin, { table });
    const plain = `evt_${randomBytes(6).toString("hex")}_ünï`;
    const nul = `${plain}\0tail`;
    const longId = `${plain}${"z".repeat(300)}`;
    for (const eventId of [plain, nul, longId]) assert.equal((await store.claim(eventId, 5000)).state, "claimed");
    const { rows } = await admin.query(`SELECT event_id FROM ${table} ORDER BY length(event_id), event_id`);
    const { createHash } = await import("node:crypto");
    const digest = (s) => `sha256:${createHash("sha256").update(s, "utf8").digest("hex")}`;
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [plain, digest(nul), digest(longId)].sort());
  });
});
