// Every shipped store passes the fenced store contract's conformance suite
// (`storeContractTests` from zentitle-webhooks/testing): MemoryStore, RedisStore with each
// client on a real Redis, PostgresStore on a real PostgreSQL. (DurableObjectStore passes it in
// workerd: tests/stores/durable-object.test.mjs.) And the suite fails a store without fencing.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { MemoryStore } from "zentitle-webhooks";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";
import { storeContractTests } from "zentitle-webhooks/testing";

import { redisClients } from "./redis-clients.mjs";
import { startPostgres, startRedis } from "./servers.mjs";

describe("MemoryStore", () => {
  const shared = new MemoryStore();
  storeContractTests((options) => (options === undefined ? shared : new MemoryStore(options)), { test, name: "MemoryStore" });
});

describe("RedisStore on a real Redis, each client", () => {
  let server;
  before(async () => {
    server = await startRedis();
  });
  after(() => server?.close());
  for (const { name, connect } of redisClients) {
    describe(name, () => {
      let connection;
      const prefix = `contract:${randomBytes(4).toString("hex")}:`;
      before(async () => {
        connection = await connect(server.url);
      });
      after(() => connection?.close());
      storeContractTests((options) => new RedisStore(connection.client, { prefix, logger: () => {}, ...options }), { test, name: `RedisStore (${name})` });
    });
  }
});

describe("PostgresStore on a real PostgreSQL", () => {
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
  storeContractTests((options) => new PostgresStore(pool, options), { test, name: "PostgresStore" });
});

describe("the suite itself", () => {
  test("fails a store whose renew, complete and release ignore the token (the unfenced contract)", async () => {
    // The version-1 MemoryStore's behaviour behind the version-2 signatures.
    const entries = new Map();
    const unfenced = {
      async claim(eventId, leaseMs) {
        const entry = entries.get(eventId);
        if (entry && (entry.state === "done" || entry.until > Date.now())) return { state: entry.state === "done" ? "done" : "busy" };
        entries.set(eventId, { state: "running", until: Date.now() + leaseMs });
        return { state: "claimed", token: randomBytes(16).toString("hex") };
      },
      async renew(eventId, _token, leaseMs) {
        const entry = entries.get(eventId);
        if (entry?.state === "running") entry.until = Date.now() + leaseMs;
        return true;
      },
      async complete(eventId) {
        entries.set(eventId, { state: "done" });
        return true;
      },
      async release(eventId) {
        if (entries.get(eventId)?.state === "running") entries.delete(eventId);
        return true;
      },
    };
    const cases = [];
    storeContractTests(() => unfenced, { test: (name, fn) => cases.push({ name, fn }), doneSeconds: false, leaseMs: 100 });
    const failed = [];
    for (const { name, fn } of cases) {
      await fn().then(
        () => {},
        () => failed.push(name.replace("store contract: ", "")),
      );
    }
    console.log(`# the unfenced store fails ${failed.length} of ${cases.length} cases:\n#   ${failed.join("\n#   ")}`);
    for (const name of [
      "fencing: a stale holder",
      "fencing: a holder that released",
      "fencing: a wrong token",
      "after complete, the token",
      "a lease that ended, not yet taken over",
      "an eventId never claimed",
    ]) {
      assert.ok(
        failed.some((f) => f.startsWith(name)),
        `the suite catches "${name}"`,
      );
    }
  });

  test("fails a store that answers plain strings (the version-1 claim)", async () => {
    const cases = [];
    const v1 = new MemoryStore();
    const strings = {
      claim: async (id, ms) => (await v1.claim(id, ms)).state,
      renew: v1.renew.bind(v1),
      complete: v1.complete.bind(v1),
      release: v1.release.bind(v1),
    };
    storeContractTests(() => strings, { test: (_name, fn) => cases.push(fn), doneSeconds: false });
    await assert.rejects(cases[0](), /store contract: the first claim of a new eventId is \{ state: "claimed", token \}; got 1 × the string "claimed"/);
  });
});
