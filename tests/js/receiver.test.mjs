// The receiver's flow in one process, with deliveries signed by Node's crypto and stores that
// misbehave on purpose (a store is the receiver's only shared state): what each outcome
// answers, what runs, what is reported and logged, and that no handler that outlived its lease
// is ever answered 200.
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { describe, test } from "node:test";

import { MemoryStore, WebhookReceiver, WebhookReceiverError } from "zentitle-webhooks";

import { keyForms, privateKeyPem } from "./fixtures.mjs";

const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const id = () => `event_${randomBytes(16).toString("base64url")}`;
const silent = { logger: false };

function delivery({ eventId = id(), attempt = 1, code = "customer.created", payload = { customerId: "cust_1" }, date = new Date() } = {}) {
  const body = JSON.stringify({ eventId, eventDate: date.toISOString(), eventCode: code, resourceId: "cust_1", callAttempt: attempt, payload });
  return { eventId, body, headers: { "content-type": "application/json", "n-signature": sign("sha256", Buffer.from(body), privateKey).toString("base64") } };
}

/** A MemoryStore whose calls can be made to fail, hang or answer otherwise, one call at a time. */
class FaultyStore {
  inner = new MemoryStore();
  calls = [];
  faults = {};
  for(method, fault) {
    this.faults[method] = fault;
    return this;
  }
  async #call(method, args) {
    this.calls.push(method);
    const fault = this.faults[method];
    if (fault === "throw") throw new Error(`${method} failed`);
    if (fault === "hang") return new Promise(() => {});
    if (typeof fault === "function") return fault(...args);
    return this.inner[method](...args);
  }
  claim(...args) {
    return this.#call("claim", args);
  }
  renew(...args) {
    return this.#call("renew", args);
  }
  complete(...args) {
    return this.#call("complete", args);
  }
  release(...args) {
    return this.#call("release", args);
  }
}

function collect(receiver) {
  const reports = [];
  receiver.onError((error, info) => reports.push({ error, info }));
  return reports;
}

describe("on(): nothing lost to a typo", () => {
  const receiver = new WebhookReceiver({ key, ...silent });
  test("a misspelt code is a TypeError naming the closest one", () => {
    assert.throws(() => receiver.on("customer.create", () => {}), {
      name: "TypeError",
      code: "invalid_argument",
      message: /Did you mean "customer\.created"\?/,
    });
    assert.throws(() => receiver.on(["customer.created", "entitlment.created"], () => {}), /Did you mean "entitlement\.created"/);
  });
  test("an empty list, a non-string code and a missing handler are refused", () => {
    assert.throws(() => receiver.on([], () => {}), /empty/);
    assert.throws(() => receiver.on([1], () => {}), TypeError);
    assert.throws(() => receiver.on("customer.created"), /handler must be a function/);
  });
  test("a code newer than the package is accepted when said so; nonsense is not", () => {
    receiver.on("entitlement.future.thing", () => {}, { allowUnknownCode: true });
    assert.throws(() => receiver.on("not a code", () => {}, { allowUnknownCode: true }), /dotted words/);
    assert.throws(() => receiver.on("x.y", () => {}, { allowUnknownCode: "yes" }), /boolean/);
  });
  test("a handler registered with allowUnknownCode runs for that code (and the event is not done without it)", async () => {
    const seen = [];
    const r = new WebhookReceiver({ key, ...silent }).on("entitlement.future.thing", (event, ctx) => seen.push([event.payload, ctx.known, ctx.typed]), {
      allowUnknownCode: true,
    });
    const result = await r.receive(delivery({ code: "entitlement.future.thing", payload: { a: 1 } }));
    assert.equal(result.outcome, "processed");
    assert.deepEqual(seen, [[{ a: 1 }, false, false]]);
  });
  test("a code listed twice runs the handler once", async () => {
    let runs = 0;
    const r = new WebhookReceiver({ key, ...silent }).on(["customer.created", "customer.created"], () => runs++);
    const d = delivery();
    assert.equal((await r.receive(d)).outcome, "processed");
    assert.equal(runs, 1);
  });
  test("a hostile options argument is an invalid_argument TypeError", () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error("trap");
        },
      },
    );
    assert.throws(() => receiver.on("customer.created", () => {}, hostile), { code: "invalid_argument" });
  });
});

describe("handlers get ctx", () => {
  test("idempotencyKey, attempt, typed, an unaborted signal", async () => {
    let seen;
    const r = new WebhookReceiver({ key, ...silent }).on("customer.created", (event, ctx) => {
      seen = { ...ctx, aborted: ctx.signal.aborted };
    });
    const d = delivery({ attempt: 3 });
    await r.receive(d);
    assert.equal(seen.idempotencyKey, d.eventId);
    assert.equal(seen.attempt, 3);
    assert.equal(seen.typed, true);
    assert.equal(seen.known, true);
    assert.equal(seen.aborted, false);
  });
  test("onAny sees an unknown code as untyped", async () => {
    let seen;
    const r = new WebhookReceiver({ key, ...silent }).onAny((event, ctx) => {
      seen = ctx;
    });
    const result = await r.receive(delivery({ code: "entitlement.brand.new", payload: { x: 1 } }));
    assert.equal(result.outcome, "processed");
    assert.equal(seen.typed, false);
    assert.equal(seen.known, false);
  });
});

describe("every path that runs no handler is reported", () => {
  test("an unfit payload of a code with on(code) handlers: 500 payload_mismatch, nothing run, the retry runs once fixed", async () => {
    const store = new MemoryStore();
    let ran = 0;
    const r = new WebhookReceiver({ key, store, ...silent }).on("entitlement.seat.activated", () => ran++).onAny(() => ran++);
    const reports = collect(r);
    const d = delivery({ code: "entitlement.seat.activated", payload: { entitlementId: 42 } });
    const result = await r.receive(d);
    assert.deepEqual([result.status, result.outcome, result.code], [500, "unfit", "payload_mismatch"]);
    assert.equal(ran, 0);
    assert.equal(reports.length, 1);
    assert.ok(reports[0].error instanceof WebhookReceiverError);
    assert.match(reports[0].error.hint, /entitlementId/);
    // Not recorded as done: a receiver that takes the event (here through onAny only) runs it.
    let fixed = 0;
    const later = new WebhookReceiver({ key, store, ...silent }).onAny(() => fixed++);
    assert.equal((await later.receive(d)).outcome, "processed");
    assert.equal(fixed, 1);
  });
  test("an event no handler takes: 200 unhandled, reported", async () => {
    const r = new WebhookReceiver({ key, ...silent }).on("customer.updated", () => {});
    const reports = collect(r);
    const result = await r.receive(delivery());
    assert.deepEqual([result.status, result.outcome, result.code], [200, "unhandled", "no_handler"]);
    assert.equal(reports[0].info.eventCode, "customer.created");
  });
  test("with no onError, refusals and failures are logged one line each, without the body or signature", async () => {
    const lines = [];
    const logger = { info: (l) => lines.push(["info", l]), warn: (l) => lines.push(["warn", l]), error: (l) => lines.push(["error", l]) };
    const r = new WebhookReceiver({ key, logger }).on("customer.created", () => {
      throw new Error("database down");
    });
    const d = delivery();
    await r.receive({ body: d.body, headers: { "n-signature": "AAAA" } });
    await r.receive(d);
    assert.equal(lines.length, 2);
    assert.equal(lines[0][0], "warn");
    assert.match(lines[0][1], /^zentitle-webhooks: refused signature_length — /);
    assert.equal(lines[1][0], "error");
    assert.match(lines[1][1], /failed handler_failed eventId=event_\S+ eventCode=customer\.created .*database down/);
    for (const [, line] of lines) {
      assert.ok(!line.includes(d.body) && !line.includes(d.headers["n-signature"]) && !line.includes("\n"));
    }
  });
  test("console is the default logger while no onError is registered; logger: false silences it", async () => {
    const original = console.warn;
    const lines = [];
    console.warn = (l) => lines.push(l);
    try {
      const d = delivery();
      await new WebhookReceiver({ key }).receive({ body: d.body, headers: {} });
      await new WebhookReceiver({ key, logger: false }).receive({ body: d.body, headers: {} });
      const withHandler = new WebhookReceiver({ key });
      withHandler.onError(() => {});
      await withHandler.receive({ body: d.body, headers: {} });
    } finally {
      console.warn = original;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0], /refused missing_signature/);
  });
  test("a refused delivery's claimed eventId is never printed; control characters are escaped", async () => {
    const lines = [];
    const r = new WebhookReceiver({ key, logger: { warn: (l) => lines.push(l), error: (l) => lines.push(l) } });
    await r.receive({ body: JSON.stringify({ eventId: "event_\u001b[2Jforged" }), headers: { "n-signature": "x" } });
    assert.equal(lines.length, 1);
    assert.ok(!lines[0].includes("forged") && !lines[0].includes("\u001b"));
  });
  test("a key source that cannot fetch the key: 503 key_unavailable, logged as an error, never 401", async () => {
    const lines = [];
    const source = { getKey: async () => Promise.reject(new Error("token endpoint down")) };
    const r = new WebhookReceiver({ key: source, logger: { warn: (l) => lines.push(["warn", l]), error: (l) => lines.push(["error", l]) } }).on(
      "customer.created",
      () => {},
    );
    const result = await r.receive(delivery());
    assert.deepEqual([result.status, result.outcome, result.code], [503, "key_unavailable", "key_unavailable"]);
    assert.equal(lines[0][0], "error");
  });
  test("an onError handler that never settles holds no answer longer than a moment", async () => {
    const r = new WebhookReceiver({ key, ...silent });
    r.onError(() => new Promise(() => {}));
    const started = Date.now();
    const response = await r.fetch(new Request("http://localhost/hook"));
    assert.equal(response.status, 405);
    assert.ok(Date.now() - started < 5000);
  });
  test("line separators and zero-width characters in a signed eventId are escaped in log lines", async () => {
    const lines = [];
    const r = new WebhookReceiver({ key, logger: { warn: (l) => lines.push(l), error: (l) => lines.push(l), info: (l) => lines.push(l) } });
    await r.receive(delivery({ eventId: "event_a\u2028b\u200bc\ufeffd" }));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /event_a\\u2028b\\u200bc\\ufeffd/);
  });
  test("receive() never throws: null, a Proxy delivery", async () => {
    const r = new WebhookReceiver({ key, ...silent });
    for (const value of [
      null,
      undefined,
      42,
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("x");
          },
        },
      ),
    ]) {
      const result = await r.receive(value);
      assert.equal(result.outcome, "refused");
      assert.ok(result.status >= 400);
    }
  });
});

describe("leases: a handler that outlived its lease is never answered 200", () => {
  test("renew refused (another instance took the event): ctx.signal aborts, 503 lease_lost, complete never called", async () => {
    const store = new FaultyStore().for("renew", async () => false);
    let aborted;
    const r = new WebhookReceiver({ key, store, leaseSeconds: 0.3, handlerTimeoutSeconds: 0.25, ...silent }).on("customer.created", async (event, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      aborted = ctx.signal.reason;
    });
    const result = await r.receive(delivery());
    assert.deepEqual([result.status, result.outcome], [503, "lease_lost"]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(aborted?.reason, "taken");
    assert.ok(!store.calls.includes("complete"));
  });
  test("a renewal that fails: 503 lease_lost", async () => {
    const store = new FaultyStore().for("renew", "throw");
    const r = new WebhookReceiver({ key, store, leaseSeconds: 0.3, handlerTimeoutSeconds: 0.25, ...silent }).on(
      "customer.created",
      (event, ctx) => new Promise((resolve) => ctx.signal.addEventListener("abort", resolve)),
    );
    const reports = collect(r);
    const result = await r.receive(delivery());
    assert.equal(result.outcome, "lease_lost");
    assert.equal(reports[0].info.handlersRan, "partly");
  });
  test("a blocked event loop past the lease: another receiver runs the event; the stale one's complete is refused (503), the retry is a duplicate", async () => {
    const store = new MemoryStore();
    let runs = 0;
    const slow = new WebhookReceiver({ key, store, leaseSeconds: 0.2, handlerTimeoutSeconds: 0.15, ...silent }).on("customer.created", () => {
      runs++;
      const until = Date.now() + 400;
      while (Date.now() < until) {
        // CPU-bound: no renewal can run
      }
    });
    const other = new WebhookReceiver({ key, store, ...silent }).on("customer.created", () => {
      runs++;
    });
    const d = delivery();
    const first = slow.receive(d);
    // The first call runs synchronously up to the claim; the blocked loop then outlives its lease.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const [a] = await Promise.all([first]);
    const b = await other.receive(d);
    // The slow one: the timer-based timeout fired after the loop came back, or complete was refused.
    assert.notEqual(a.status, 200);
    assert.equal(b.outcome, "processed");
    assert.equal(runs, 2);
    assert.equal((await other.receive(d)).outcome, "duplicate");
  });
  test("a handler paused past its lease finds ctx.signal aborted when it wakes, so its side effect does not overlap the other instance's", async () => {
    const store = new MemoryStore();
    const effects = [];
    const slow = new WebhookReceiver({ key, store, leaseSeconds: 0.3, handlerTimeoutSeconds: 0.2, ...silent }).on("customer.created", async (event, ctx) => {
      const until = Date.now() + 500;
      while (Date.now() < until) {
        // CPU-bound past the lease: no timer runs
      }
      if (ctx.signal.aborted) return; // the handler's own check, right before its side effect
      effects.push("slow");
    });
    const other = new WebhookReceiver({ key, store, ...silent }).on("customer.created", () => {
      effects.push("other");
    });
    const d = delivery();
    const a = await slow.receive(d);
    assert.equal(a.outcome, "lease_lost");
    assert.equal((await other.receive(d)).outcome, "processed");
    assert.deepEqual(effects, ["other"]);
  });
  test("complete() refused by the store (stale token): 503 lease_lost, not 200", async () => {
    const store = new FaultyStore().for("complete", async () => false);
    const r = new WebhookReceiver({ key, store, ...silent }).on("customer.created", () => {});
    const result = await r.receive(delivery());
    assert.deepEqual([result.status, result.outcome], [503, "lease_lost"]);
  });
  test("complete() failing after the handler: 503, reported with handlersRan: true; the retry runs it again", async () => {
    const store = new FaultyStore();
    let runs = 0;
    const r = new WebhookReceiver({ key, store, leaseSeconds: 1, storeTimeoutSeconds: 0.2, ...silent }).on("customer.created", () => runs++);
    const reports = collect(r);
    const d = delivery();
    store.for("complete", "throw");
    assert.equal((await r.receive(d)).outcome, "store_error");
    assert.equal(reports[0].info.handlersRan, true);
    store.for("complete", undefined);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the lease runs out
    assert.equal((await r.receive(d)).outcome, "processed");
    assert.equal(runs, 2);
  });
  test("a claim whose answer is taken up late (a blocked event loop, past a third of the lease): renewed before the handlers run, so the lease is timed from the claim's sending", async () => {
    const store = new FaultyStore();
    store.for("claim", async (...args) => {
      const answer = await store.inner.claim(...args);
      // The answer is taken up late: the event loop is blocked as it arrives.
      const until = Date.now() + 450;
      while (Date.now() < until) {
        // busy
      }
      return answer;
    });
    const r = new WebhookReceiver({ key, store, leaseSeconds: 1.2, handlerTimeoutSeconds: 0.5, storeTimeoutSeconds: 5, ...silent }).on(
      "customer.created",
      () => {},
    );
    const result = await r.receive(delivery());
    assert.equal(result.outcome, "processed");
    assert.deepEqual(store.calls.slice(0, 2), ["claim", "renew"]);
  });
  test("a claim answered later than a third of the lease counts as the store being slow (503), whatever storeTimeoutSeconds says", async () => {
    const store = new FaultyStore().for("claim", async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return store.inner.claim(...args);
    });
    const r = new WebhookReceiver({ key, store, leaseSeconds: 1.5, handlerTimeoutSeconds: 0.5, storeTimeoutSeconds: 5, ...silent }).on(
      "customer.created",
      () => {},
    );
    assert.equal((await r.receive(delivery())).code, "store_unavailable");
  });
  test("no renewal before the lease's time runs out (a slow renewal): ctx.signal aborts with expired", async () => {
    let reason;
    const store = new FaultyStore().for("renew", "hang");
    const r = new WebhookReceiver({ key, store, leaseSeconds: 0.6, handlerTimeoutSeconds: 0.5, ...silent }).on("customer.created", async (event, ctx) => {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      reason = ctx.signal.reason.reason;
    });
    assert.equal((await r.receive(delivery())).outcome, "lease_lost");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(["renew_failed", "expired"].includes(reason), reason);
  });
  test("a store that hangs: 503 within storeTimeoutSeconds", async () => {
    const store = new FaultyStore().for("claim", "hang");
    const r = new WebhookReceiver({ key, store, storeTimeoutSeconds: 0.1, ...silent }).on("customer.created", () => {});
    const result = await r.receive(delivery());
    assert.deepEqual([result.status, result.code], [503, "store_unavailable"]);
  });
  test("a store of the older contract (claim answers a string) is a store error with a clear message", async () => {
    const store = { claim: async () => "claimed", renew: async () => {}, complete: async () => {}, release: async () => {} };
    const r = new WebhookReceiver({ key, store, ...silent }).on("customer.created", () => {});
    const reports = collect(r);
    assert.equal((await r.receive(delivery())).code, "store_unavailable");
    assert.match(reports[0].error.cause.message, /fenced store contract/);
  });
  test("a store without renew is refused at construction", () => {
    assert.throws(() => new WebhookReceiver({ key, store: { claim() {}, complete() {}, release() {} } }), /no renew\(\)/);
  });
});

describe("a handler that never settles", () => {
  test("answers 503 handler_timeout at the timeout, aborts ctx.signal, stops renewing, and a retry runs the event after the grace period", async () => {
    const store = new FaultyStore();
    let signal;
    const hang = new WebhookReceiver({ key, store, leaseSeconds: 0.6, handlerTimeoutSeconds: 0.2, ...silent }).on("customer.created", (event, ctx) => {
      signal = ctx.signal;
      return new Promise(() => {});
    });
    const d = delivery();
    const started = Date.now();
    const result = await hang.receive(d);
    assert.deepEqual([result.status, result.outcome, result.code], [503, "timeout", "handler_timeout"]);
    assert.ok(Date.now() - started < 2000);
    assert.equal(signal.aborted, true);
    const renewals = store.calls.filter((c) => c === "renew").length;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(store.calls.filter((c) => c === "renew").length, renewals, "no renewal after the timeout");
    let ran = 0;
    const fixed = new WebhookReceiver({ key, store: store.inner, ...silent }).on("customer.created", () => ran++);
    assert.equal((await fixed.receive(d)).outcome, "processed");
    assert.equal(ran, 1);
  });
  test("handlerTimeoutSeconds must be shorter than leaseSeconds; bad numbers are refused", () => {
    assert.throws(() => new WebhookReceiver({ key, leaseSeconds: 10, handlerTimeoutSeconds: 10 }), /shorter than options\.leaseSeconds/);
    for (const bad of [0, -1, Number.NaN, "5", Number.POSITIVE_INFINITY]) {
      assert.throws(() => new WebhookReceiver({ key, leaseSeconds: bad }), TypeError);
      assert.throws(() => new WebhookReceiver({ key, handlerTimeoutSeconds: bad }), TypeError);
      assert.throws(() => new WebhookReceiver({ key, storeTimeoutSeconds: bad }), TypeError);
    }
    assert.throws(() => new WebhookReceiver({ key, storeTimeoutSeconds: 3_000_000 }), /at most 600/);
    assert.throws(() => new WebhookReceiver({ key, leaseSeconds: 3_000_000 }), /at most 86400/);
    assert.throws(() => new WebhookReceiver({ key, deduplicator: {} }), /unknown option/);
    assert.throws(() => new WebhookReceiver({}), /options\.key is missing/);
  });
});

describe("adapters", () => {
  test("fetch: 405 with Allow: POST for GET, reported", async () => {
    const r = new WebhookReceiver({ key, ...silent });
    const reports = collect(r);
    const response = await r.fetch(new Request("http://localhost/hook"));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "POST");
    assert.equal(reports[0].info.code, "method_not_allowed");
  });
  test("fetch: a chunked body over the limit stops at the limit with 413, through onError", async () => {
    const r = new WebhookReceiver({ key, maxBodyBytes: 64 * 1024, ...silent });
    const reports = collect(r);
    let pulled = 0;
    const stream = new ReadableStream({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(16 * 1024));
        if (pulled > 10_000) controller.close();
      },
    });
    const response = await r.fetch(new Request("http://localhost/hook", { method: "POST", body: stream, duplex: "half" }));
    assert.equal(response.status, 413);
    assert.ok(pulled < 20, `read ${pulled} chunks`);
    assert.equal(reports[0].info.code, "body_too_large");
  });
  test("fetch: a body stream that fails mid-body is 400 body_unreadable, reported", async () => {
    const r = new WebhookReceiver({ key, ...silent });
    const reports = collect(r);
    let sent = 0;
    const stream = new ReadableStream({
      pull(controller) {
        if (sent++ === 0) controller.enqueue(new TextEncoder().encode('{"eventId":'));
        else controller.error(new Error("connection reset"));
      },
    });
    const response = await r.fetch(new Request("http://localhost/hook", { method: "POST", body: stream, duplex: "half" }));
    assert.equal(response.status, 400);
    assert.equal((await response.json()).code, "body_unreadable");
    assert.equal(reports[0].info.code, "body_unreadable");
  });
  test("fetch: a body already read is refused with a hint that says so", async () => {
    const r = new WebhookReceiver({ key, ...silent });
    const reports = collect(r);
    const d = delivery();
    const request = new Request("http://localhost/hook", { method: "POST", body: d.body, headers: d.headers });
    await request.text();
    const response = await r.fetch(request);
    assert.equal((await response.json()).code, "body_not_raw");
    assert.match(reports[0].error.hint, /already read/);
  });
  test("node: over HTTP, 405 for GET, 413 for an oversized chunked body (answered, not reset), Express 4's empty req.body read as absent", async () => {
    const r = new WebhookReceiver({ key, maxBodyBytes: 32 * 1024, ...silent }).on("customer.created", () => {});
    const reports = collect(r);
    const handler = r.node();
    const server = createServer((req, res) => {
      if (req.url === "/express4") req.body = {}; // what Express 4 leaves when no parser took the request
      handler(req, res);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      assert.equal((await fetch(`${base}/hook`)).status, 405);
      const big = Readable.toWeb(
        Readable.from(
          (function* () {
            for (let i = 0; i < 1000; i++) yield Buffer.alloc(64 * 1024);
          })(),
        ),
      );
      const tooLarge = await fetch(`${base}/hook`, { method: "POST", body: big, duplex: "half" });
      assert.equal(tooLarge.status, 413);
      const d = delivery();
      const ok = await fetch(`${base}/express4`, { method: "POST", body: d.body, headers: d.headers });
      assert.deepEqual(await ok.json(), { ok: true, outcome: "processed" });
    } finally {
      server.close();
    }
    assert.deepEqual(
      reports.map((x) => x.info.code),
      ["method_not_allowed", "body_too_large"],
    );
  });
});
