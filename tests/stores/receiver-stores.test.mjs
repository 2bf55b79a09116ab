// The receiver on each store — in memory, and on real Redis and PostgreSQL servers started on
// loopback — with deliveries signed by Node's crypto: retries after failing handlers,
// several receivers (instances) sharing one store under concurrent deliveries with handlers
// failing at random, a lease left by a dead instance, and a store that goes down.
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { createClient } from "redis";
import { MemoryStore, WebhookReceiver } from "zentitle-webhooks";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { RedisStore } from "zentitle-webhooks/stores/redis";

import { keyForms, privateKeyPem } from "../js/fixtures.mjs";
import { startPostgres, startRedis } from "./servers.mjs";

const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const id = () => `event_${randomBytes(16).toString("base64url")}`;

/** A delivery as Zentitle makes it: the body signed by Node's crypto, attempt counted. */
function delivery(eventId, attempt = 1, payload = { customerId: "cust_1" }, code = "customer.created") {
  const body = JSON.stringify({ eventId, eventDate: new Date().toISOString(), eventCode: code, resourceId: "cust_1", callAttempt: attempt, payload });
  return { body, headers: { "content-type": "application/json", "n-signature": sign("sha256", Buffer.from(body), privateKey).toString("base64") } };
}

const stores = {
  memory: { make: async () => ({ store: new MemoryStore(), close: async () => {} }) },
  redis: {
    make: async () => {
      const server = await startRedis();
      // Without the offline queue, commands fail at once while Redis is down (instead of
      // waiting, and running later for nobody): the README recommends it.
      const client = createClient({ url: server.url, disableOfflineQueue: true, socket: { reconnectStrategy: (n) => Math.min(50 * n, 500) } });
      client.on("error", () => {});
      await client.connect();
      return {
        store: new RedisStore(client, { prefix: `t:${randomBytes(4).toString("hex")}:` }),
        server,
        close: async () => {
          await client.disconnect().catch(() => {});
          await server.close();
        },
      };
    },
  },
  postgres: {
    make: async () => {
      const server = await startPostgres();
      const pool = new pg.Pool({ connectionString: server.url, max: 8 });
      pool.on("error", () => {});
      return {
        store: new PostgresStore(pool),
        close: async () => {
          await pool.end();
          await server.close();
        },
      };
    },
  },
};

for (const [name, { make }] of Object.entries(stores)) {
  describe(`receiver on ${name}`, () => {
    let setup;
    before(async () => {
      setup = await make();
    });
    after(async () => setup?.close());

    test("a handler failing twice then succeeding: 500, 500, 200, processed once; a later duplicate runs nothing", async () => {
      let calls = 0;
      let processed = 0;
      const receiver = new WebhookReceiver({ key, store: setup.store }).on("customer.created", async () => {
        calls++;
        if (calls <= 2) throw new Error("database busy");
        processed++;
      });
      const eventId = id();
      const statuses = [];
      for (let attempt = 1; attempt <= 3; attempt++) statuses.push((await receiver.receive(delivery(eventId, attempt))).status);
      assert.deepEqual(statuses, [500, 500, 200]);
      const again = await receiver.receive(delivery(eventId, 4));
      assert.deepEqual([again.status, again.outcome], [200, "duplicate"]);
      assert.equal(processed, 1);
      assert.equal(calls, 3);
    });

    test("three instances sharing the store, 200 events sent to all at once, 15 % of handler runs failing: each processed exactly once", async () => {
      const processed = new Map();
      let failures = 0;
      const instances = [0, 1, 2].map(() =>
        new WebhookReceiver({ key, store: setup.store, leaseSeconds: 30, logger: false }).onAny(async (event) => {
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          if (Math.random() < 0.15) {
            failures++;
            throw new Error("injected failure");
          }
          processed.set(event.eventId, (processed.get(event.eventId) ?? 0) + 1);
        }),
      );
      const events = Array.from({ length: 200 }, id);
      const statuses = new Map();
      // The sender: each attempt goes to every instance at once; retried until one answers 2xx.
      await Promise.all(
        events.map(async (eventId) => {
          for (let attempt = 1; attempt <= 40; attempt++) {
            const d = delivery(eventId, attempt);
            const results = await Promise.all(instances.map((r) => r.receive(d)));
            for (const r of results) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (results.some((r) => r.status === 200)) return;
            await new Promise((r) => setTimeout(r, 5));
          }
          assert.fail(`${eventId} was never answered 2xx`);
        }),
      );
      const lost = events.filter((e) => !processed.has(e));
      const twice = events.filter((e) => (processed.get(e) ?? 0) > 1);
      console.log(
        `# ${name}: 200 events × 3 instances, ${failures} injected failures, statuses ${JSON.stringify(Object.fromEntries(statuses))}, processed once ${events.length - lost.length - twice.length}, lost ${lost.length}, twice ${twice.length}`,
      );
      assert.deepEqual(lost, []);
      assert.deepEqual(twice, []);
      assert.ok(failures > 0, "failures were injected");
    });

    test("a lease left by a dead instance: 409 until it ends, then the event runs once", async () => {
      const eventId = id();
      assert.equal((await setup.store.claim(eventId, 1500)).state, "claimed"); // the instance that died
      let runs = 0;
      const receiver = new WebhookReceiver({ key, store: setup.store }).onAny(() => {
        runs++;
      });
      const busy = await receiver.receive(delivery(eventId, 2));
      assert.deepEqual([busy.status, busy.code], [409, "event_in_progress"]);
      await new Promise((r) => setTimeout(r, 1700));
      assert.equal((await receiver.receive(delivery(eventId, 3))).status, 200);
      assert.equal((await receiver.receive(delivery(eventId, 4))).outcome, "duplicate");
      assert.equal(runs, 1);
    });

    test("refused deliveries store nothing and run nothing; an authentic payload that does not fit its typed handler: 500 payload_mismatch, nothing runs, retried later", async () => {
      const seen = [];
      const errors = [];
      const receiver = new WebhookReceiver({ key, store: setup.store })
        .on("entitlement.seat.activated", () => seen.push("typed"))
        .onAny((_event, info) => seen.push(info.typed ? "any" : `untyped: ${info.mismatch}`))
        .onError((_error, info) => errors.push(info.code));
      const eventId = id();
      const good = delivery(eventId, 1, { entitlementId: "ent_1", activationId: "act_1", seatId: 42 }, "entitlement.seat.activated");
      const tampered = { body: good.body.replace("ent_1", "ent_2"), headers: good.headers };
      assert.deepEqual(await receiver.receive(tampered), { status: 401, code: "invalid_signature", outcome: "refused" });
      assert.deepEqual(await receiver.receive({ body: good.body, headers: {} }), { status: 401, code: "missing_signature", outcome: "refused" });
      assert.deepEqual(await receiver.receive({ body: "not json", headers: good.headers }), { status: 401, code: "invalid_signature", outcome: "refused" });
      assert.equal(seen.length, 0);
      const result = await receiver.receive(good);
      assert.deepEqual([result.status, result.outcome, result.code], [500, "unfit", "payload_mismatch"]);
      assert.deepEqual(seen, []);
      assert.deepEqual(errors, ["invalid_signature", "missing_signature", "invalid_signature", "payload_mismatch"]);
      // Nothing was stored: once the receiver is fixed (no typed handler), the retry runs it.
      const fixed = new WebhookReceiver({ key, store: setup.store }).onAny((_event, info) => seen.push(info.typed ? "any" : "untyped"));
      assert.deepEqual([(await fixed.receive(good)).status, seen], [200, ["untyped"]]);
    });

    if (name === "redis") {
      test("Redis stopped mid-run: 503 and nothing runs; after a restart the backlog drains", async () => {
        let runs = 0;
        const receiver = new WebhookReceiver({ key, store: setup.store, storeTimeoutSeconds: 1 }).onAny(() => {
          runs++;
        });
        const backlog = Array.from({ length: 20 }, id);
        await setup.server.stop();
        for (const eventId of backlog) {
          const result = await receiver.receive(delivery(eventId));
          assert.deepEqual([result.status, result.code], [503, "store_unavailable"]);
        }
        assert.equal(runs, 0, "no handler ran without the store");
        await setup.server.start();
        for (
          let i = 0;
          i < 100 &&
          !(await setup.store.claim("probe", 1).then(
            () => true,
            () => false,
          ));
          i++
        )
          await new Promise((r) => setTimeout(r, 100));
        for (const eventId of backlog) assert.equal((await receiver.receive(delivery(eventId, 2))).status, 200);
        assert.equal(runs, backlog.length);
      });
    }
  });
}

describe("adapters", () => {
  test("fetch(request) answers a Response with the code, never a handler's message", async () => {
    const receiver = new WebhookReceiver({ key }).onAny(() => {
      throw new Error("secret detail");
    });
    const d = delivery(id());
    const response = await receiver.fetch(new Request("http://127.0.0.1/", { method: "POST", body: d.body, headers: d.headers }));
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), { ok: false, outcome: "failed", code: "handler_failed" });
    assert.doesNotMatch(text, /secret/);
  });

  test("node(): a node:http server reading the raw body itself", async () => {
    const { createServer } = await import("node:http");
    const receiver = new WebhookReceiver({ key }).onAny(() => {});
    const server = createServer(receiver.node());
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${server.address().port}/`;
      const d = delivery(id());
      const ok = await fetch(url, { method: "POST", body: d.body, headers: d.headers });
      assert.deepEqual([ok.status, await ok.json()], [200, { ok: true, outcome: "processed" }]);
      const bad = await fetch(url, { method: "POST", body: d.body + " ", headers: d.headers });
      assert.deepEqual([bad.status, await bad.json()], [401, { ok: false, outcome: "refused", code: "invalid_signature" }]);
    } finally {
      server.close();
    }
  });

  test("node() after express.json: body_not_raw; after express.raw, or with req.rawBody kept: verified", async () => {
    const express = (await import("express")).default;
    const receiver = new WebhookReceiver({ key });
    const app = express();
    app.post("/parsed", express.json(), receiver.node());
    app.post("/raw", express.raw({ type: "application/json" }), receiver.node());
    // An app that parses JSON but keeps the raw bytes as req.rawBody (as NestJS does).
    app.post(
      "/kept",
      express.json({
        verify: (req, _res, buf) => {
          req.rawBody = buf;
        },
      }),
      receiver.node(),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const base = `http://127.0.0.1:${server.address().port}`;
      const parsed = await fetch(`${base}/parsed`, { method: "POST", ...delivery(id()) });
      assert.deepEqual([parsed.status, (await parsed.json()).code], [500, "body_not_raw"]);
      const raw = await fetch(`${base}/raw`, { method: "POST", ...delivery(id()) });
      assert.equal(raw.status, 200);
      const kept = await fetch(`${base}/kept`, { method: "POST", ...delivery(id()) });
      assert.equal(kept.status, 200);
    } finally {
      server.close();
    }
  });
});
