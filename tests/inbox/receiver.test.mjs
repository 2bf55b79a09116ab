// The receiver in inbox mode, in one process on a real PostgreSQL and a real Redis: fetch,
// node and receive store each verified delivery once and answer 200; a retry of a stored event
// is a 200 duplicate without a second copy; bad signatures are refused and never stored; an
// inbox that fails or hangs is a 503, reported; work() runs on()/onAny with ctx (signal,
// idempotencyKey, attempt, callAttempt, sql), parks unfit payloads, notes unhandled codes and
// stops on its signal; the options are checked.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { createClient } from "redis";
import { WebhookReceiver } from "zentitle-webhooks";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

import { startPostgres, startRedis } from "../stores/servers.mjs";
import { delivery, key, until, wait } from "./support.mjs";

let pgServer;
let redisServer;
let pool;
let redis;
before(async () => {
  [pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
  pool = new pg.Pool({ connectionString: pgServer.url, max: 6 });
  pool.on("error", () => {});
  redis = createClient({ url: redisServer.url });
  await redis.connect();
});
after(async () => {
  await pool?.end();
  await redis?.quit();
  await Promise.all([pgServer?.close(), redisServer?.close()]);
});

let n = 0;
async function pgInbox() {
  const inbox = new PostgresInbox(pool, { table: `recv_${++n}` });
  await inbox.ensureSchema();
  return inbox;
}

function collect() {
  const reports = [];
  return { reports, onError: (error, info) => reports.push({ code: error.code, ...info }) };
}

describe("WebhookReceiver with an inbox", () => {
  test("fetch, node and receive store once per eventId and answer 200; forged deliveries are never stored", async () => {
    const inbox = await pgInbox();
    const receiver = new WebhookReceiver({ key, inbox, logger: null });
    const d = delivery();
    const request = (x) => new Request("http://localhost/", { method: "POST", body: x.body, headers: x.headers });

    const first = await receiver.fetch(request(d));
    assert.equal(first.status, 200);
    assert.deepEqual(await first.json(), { ok: true, outcome: "stored" });
    const retry = delivery({ ...d.event, callAttempt: 2 });
    assert.deepEqual(await receiver.receive({ body: retry.body, headers: retry.headers }), { status: 200, outcome: "duplicate", eventId: d.event.eventId });

    const server = createServer(receiver.node()).listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const other = delivery();
      const url = `http://127.0.0.1:${server.address().port}/`;
      const answer = await fetch(url, { method: "POST", body: other.body, headers: other.headers });
      assert.equal(answer.status, 200);
      assert.equal((await answer.json()).outcome, "stored");
      const forged = delivery();
      forged.headers["n-signature"] = delivery().signature;
      const refused = await fetch(url, { method: "POST", body: forged.body, headers: forged.headers });
      assert.equal(refused.status, 401);
      assert.equal(await inbox.get(forged.event.eventId), undefined);
    } finally {
      server.close();
    }
    const stats = await inbox.stats();
    assert.equal(stats.pending, 2);
    const stored = await inbox.get(d.event.eventId);
    assert.deepEqual(Buffer.from(stored.body), d.body, "the first copy's bytes, exactly");
    assert.equal(stored.callAttempt, 1);
  });

  test("an inbox that fails or does not answer: 503 store_unavailable, reported, nothing stored", async () => {
    const failing = { add: async () => Promise.reject(new Error("connection refused")), claim: async () => null };
    const hanging = { add: () => new Promise(() => {}), claim: async () => null };
    for (const inbox of [failing, hanging]) {
      const { reports, onError } = collect();
      const receiver = new WebhookReceiver({ key, inbox, storeTimeoutSeconds: 0.2 }).onError(onError);
      const d = delivery();
      const result = await receiver.receive({ body: d.body, headers: d.headers });
      assert.deepEqual(result, { status: 503, outcome: "store_error", code: "store_unavailable", eventId: d.event.eventId });
      assert.equal(reports.length, 1);
      assert.equal(reports[0].code, "store_unavailable");
    }
  });

  test("work(): on(code) and onAny run with ctx; ctx.sql commits with the done mark; the signal stops it", async () => {
    const inbox = await pgInbox();
    await pool.query("CREATE TABLE customers (id text PRIMARY KEY, event_id text)");
    const { reports, onError } = collect();
    const receiver = new WebhookReceiver({ key, inbox }).onError(onError);
    const seen = [];
    receiver.on("customer.created", async (event, ctx) => {
      assert.equal(ctx.idempotencyKey, event.eventId);
      assert.equal(ctx.eventId, event.eventId);
      assert.ok(ctx.signal instanceof AbortSignal);
      assert.equal(ctx.typed, true);
      await ctx.sql("INSERT INTO customers VALUES ($1, $2)", [event.payload.customerId, event.eventId]);
      if (ctx.attempt === 1) throw new Error("first attempt fails after its write");
      seen.push(["on", ctx.attempt, ctx.callAttempt]);
    });
    receiver.onAny((event, ctx) => {
      seen.push(["any", event.eventCode, ctx.typed]);
    });
    const created = delivery({ callAttempt: 3, payload: { customerId: "cust_x" } });
    const unknown = delivery({ eventCode: "customer.merged", payload: {} });
    const unfit = delivery({ payload: { customerId: 7 } });
    for (const d of [created, unknown, unfit]) assert.equal((await receiver.receive({ body: d.body, headers: d.headers })).status, 200);

    const controller = new AbortController();
    const working = receiver.work({ signal: controller.signal, backoff: () => 10, pollSeconds: 0.05 });
    await until(async () => {
      const s = await inbox.stats();
      return s.done === 2 && s.unfit === 1;
    }, "2 done, 1 unfit");
    controller.abort();
    await working;
    assert.deepEqual(seen.sort(), [
      ["any", "customer.created", true],
      ["any", "customer.merged", false],
      ["on", 2, 3],
    ]);
    const rows = await pool.query("SELECT * FROM customers");
    assert.deepEqual(rows.rows, [{ id: "cust_x", event_id: created.event.eventId }], "the failed attempt's insert rolled back");
    assert.deepEqual(reports.map((r) => [r.outcome, r.code, r.eventId]).sort(), [
      ["retry", "handler_failed", created.event.eventId],
      ["unfit", "payload_mismatch", unfit.event.eventId],
    ]);
    assert.equal((await inbox.get(unfit.event.eventId)).state, "unfit");
  });

  test("work(): an event no handler takes is done with a note and reported", async () => {
    const inbox = new RedisInbox(redis, { prefix: `recv${++n}:` });
    const { reports, onError } = collect();
    const receiver = new WebhookReceiver({ key, inbox }).onError(onError);
    receiver.on("entitlement.created", () => {});
    const d = delivery();
    await receiver.receive({ body: d.body, headers: d.headers });
    const controller = new AbortController();
    const working = receiver.work({ signal: controller.signal, pollSeconds: 0.05 });
    await until(async () => (await inbox.stats()).done === 1, "done");
    controller.abort();
    await working;
    assert.deepEqual(
      reports.map((r) => [r.outcome, r.code]),
      [["unhandled", "no_handler"]],
    );
    assert.match((await inbox.get(d.event.eventId)).lastError, /no handler/);
  });

  test("work(): a handler past handlerTimeoutSeconds sees its signal aborted; the attempt is retried", async () => {
    const inbox = new RedisInbox(redis, { prefix: `recv${++n}:` });
    const receiver = new WebhookReceiver({ key, inbox, logger: null });
    let aborted;
    receiver.onAny(async (_event, ctx) => {
      if (ctx.attempt === 1) {
        await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
        aborted = ctx.signal.reason.code;
      }
    });
    const d = delivery();
    await receiver.receive({ body: d.body, headers: d.headers });
    const controller = new AbortController();
    const working = receiver.work({ signal: controller.signal, handlerTimeoutSeconds: 0.2, backoff: () => 10, pollSeconds: 0.05 });
    await until(async () => (await inbox.stats()).done === 1, "done");
    controller.abort();
    await working;
    assert.equal(aborted, "handler_timeout");
    assert.equal((await inbox.get(d.event.eventId)).attempts, 2);
  });

  test("shutdown: a running handler's signal is aborted; the delivery goes back to pending, its attempt refunded", async () => {
    const inbox = await pgInbox();
    const receiver = new WebhookReceiver({ key, inbox, logger: null });
    let started = false;
    receiver.onAny(async (_event, ctx) => {
      started = true;
      await new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
    });
    const d = delivery();
    await receiver.receive({ body: d.body, headers: d.headers });
    const controller = new AbortController();
    const working = receiver.work({ signal: controller.signal, pollSeconds: 0.05 });
    await until(() => started, "started");
    controller.abort();
    await working;
    const stored = await inbox.get(d.event.eventId);
    assert.deepEqual([stored.state, stored.attempts], ["pending", 0]);
  });

  test("options: inbox and store together, work() without an inbox, unknown work options, a non-inbox", async () => {
    const inbox = await pgInbox();
    assert.throws(() => new WebhookReceiver({ key, inbox, store: { claim() {}, renew() {}, complete() {}, release() {} } }), /not both/);
    assert.throws(() => new WebhookReceiver({ key }).work(), /create the receiver with \{ key, inbox \}/);
    assert.throws(() => new WebhookReceiver({ key, inbox }).work({ concurency: 2 }), /unknown option `concurency`; did you mean `concurrency`\?/);
    assert.throws(() => new WebhookReceiver({ key, inbox: {} }), /options.inbox has no add\(\)/);
    await assert.rejects(new WebhookReceiver({ key, inbox }).work({ concurrency: 0 }), /concurrency/);
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    assert.throws(
      () => new WebhookReceiver({ key, inbox: hostile }),
      (e) => e instanceof TypeError && /options.inbox threw/.test(e.message),
    );
    assert.throws(
      () => new WebhookReceiver({ key, inbox }).work(hostile),
      (e) => e instanceof TypeError && /Reading work\(options\) threw/.test(e.message),
    );
    await wait(1);
  });
});
