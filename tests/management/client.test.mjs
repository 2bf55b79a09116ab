// ZentitleClient against the local Zentitle (mock-zentitle.mjs) on loopback: the token cached,
// shared and refreshed; 401 mid-use; 429 with Retry-After; 5xx then success; POSTs not
// repeated; every route's answer checked against the OpenAPI extract; no secret or token in any
// message, log line, error or inspection of the client.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { inspect } from "node:util";
import { after, before, describe, test } from "node:test";

import { ZentitleApiError, ZentitleClient } from "zentitle-webhooks/management";
import { check, schema } from "./schema.mjs";
import { startMockZentitle } from "./mock-zentitle.mjs";

let mock;
const lines = [];
const client = (extra = {}) => new ZentitleClient({ ...mock.credentials, backoffSeconds: 0.01, log: (line) => lines.push(line), ...extra });

before(async () => {
  mock = await startMockZentitle({ extraEventCodes: ["entitlement.transferred"] });
});
after(async () => {
  assert.deepEqual(mock.schemaProblems, [], "every answer of the mock fits the extract's schemas");
  await mock.close();
});

/** Every text a user or a log could see of an error. */
const exposed = (error) =>
  [error.message, error.stack, error.detail, JSON.stringify(error), inspect(error, { depth: 5 }), String(error.cause?.message)].join("\n");

describe("the schema check the mock relies on", () => {
  test("refuses what the extract's schemas refuse", () => {
    assert.deepEqual(check({ kty: "RSA", n: "AQAB", e: "AQAB" }, schema("JWK")), []);
    assert.ok(check({ kty: "RSA", n: 5 }, schema("JWK")).some((p) => p.includes("not a string")));
    assert.ok(check({ kty: "RSA", x5c: [] }, schema("JWK")).some((p) => p.includes("additionalProperties")));
    assert.ok(check({ uri: "https://x" }, schema("CreateWebhookApiRequest")).some((p) => p.includes("subscriptions is required")));
    assert.ok(check({ uri: "https://x", subscriptions: [] }, schema("CreateWebhookApiRequest")).some((p) => p.includes("fewer than 1")));
    assert.ok(check({ items: [{ type: "seat", code: "x" }] }, schema("ListOfWebhookEventTypeModel")).some((p) => p.includes("oneOf")));
    assert.deepEqual(
      check(
        { items: [{ id: "whl_1", uri: "https://x", subscriptions: ["a"] }], pageSize: 10, pageNumber: 1, elementsTotal: 1 },
        schema("PaginatedListOfWebhookModel"),
      ),
      [],
    );
  });
});

describe("tokens", () => {
  test("one token for many calls, and one fetch for concurrent first calls", async () => {
    const before = mock.counts.token;
    const c = client();
    await Promise.all([c.getKey(), c.listWebhooks(), c.listEventCodes(), c.getKey(), c.getKey()]);
    await c.getKey();
    assert.equal(mock.counts.token - before, 1);
  });

  test("a new token shortly before the old one expires", async () => {
    mock.state.tokenSeconds = 1; // renewed at 90% of a lifetime under 300 s
    try {
      const before = mock.counts.token;
      const c = client();
      await c.getKey();
      await c.getKey();
      assert.equal(mock.counts.token - before, 1);
      await new Promise((r) => setTimeout(r, 950));
      await c.getKey();
      assert.equal(mock.counts.token - before, 2, "renewed before its expiry, with no 401");
    } finally {
      mock.state.tokenSeconds = 300;
    }
  });

  test("a wrong secret is unauthorized (401), and the secret is in no message", async () => {
    const wrong = "wrong-secret-Zq8v1";
    const c = new ZentitleClient({ ...mock.credentials, clientSecret: wrong, log: (l) => lines.push(l) });
    const error = await c.getKey().then(
      () => assert.fail("resolved"),
      (e) => e,
    );
    assert.ok(error instanceof ZentitleApiError);
    assert.equal(error.code, "unauthorized");
    assert.equal(error.status, 401);
    assert.equal(error.path, "token");
    assert.match(error.detail, /invalid_client/);
    assert.ok(!exposed(error).includes(wrong), "the secret the token endpoint echoed is redacted");
    assert.ok(!lines.join("\n").includes(wrong));
  });

  test("a token endpoint that redirects is not followed (the secret is in the body)", async () => {
    const { createServer } = await import("node:http");
    let followed = 0;
    const target = createServer((_req, res) => {
      followed++;
      res.end("{}");
    }).listen(0, "127.0.0.1");
    await new Promise((r) => target.once("listening", r));
    const redirecting = createServer((_req, res) => res.writeHead(307, { location: `http://127.0.0.1:${target.address().port}/token` }).end()).listen(
      0,
      "127.0.0.1",
    );
    await new Promise((r) => redirecting.once("listening", r));
    try {
      const c = new ZentitleClient({ ...mock.credentials, tokenUrl: `http://127.0.0.1:${redirecting.address().port}/token` });
      await assert.rejects(c.getKey(), (e) => e.code === "bad_request" && e.status === 307 && /redirect/.test(e.message));
      assert.equal(followed, 0);
    } finally {
      redirecting.close();
      target.close();
    }
  });

  test("401 mid-use: a new token once, then the call succeeds", async () => {
    const c = client();
    await c.getKey();
    const before = mock.counts.token;
    mock.revokeTokens();
    const jwk = await c.getKey();
    assert.equal(jwk.kty, "RSA");
    assert.equal(mock.counts.token - before, 1);
  });

  test("401 again after the refresh: unauthorized, after exactly one refresh", async () => {
    const c = client();
    await c.getKey();
    const before = mock.counts.token;
    mock.fail("GET", "/api/v1/account/key", [{ status: 401 }, { status: 401 }]);
    await assert.rejects(c.getKey(), (e) => e.code === "unauthorized" && e.status === 401 && e.path === "/api/v1/account/key");
    assert.equal(mock.counts.token - before, 1);
  });
});

describe("retries", () => {
  test("429 waits for Retry-After, then succeeds", async () => {
    const c = client();
    await c.getKey();
    mock.fail("GET", "/api/v1/account/key", [{ status: 429, retryAfter: 1 }]);
    const started = Date.now();
    const jwk = await c.getKey();
    const waited = Date.now() - started;
    assert.equal(jwk.n, mock.key.jwk.n);
    assert.ok(waited >= 950, `waited ${waited} ms for Retry-After: 1`);
    assert.ok(waited < 3000);
  });

  test("a Retry-After longer than allowed fails at once with rate_limited", async () => {
    const c = client({ maxRetryAfterSeconds: 5 });
    await c.getKey();
    mock.fail("GET", "/api/v1/account/key", [{ status: 429, retryAfter: 120 }]);
    const started = Date.now();
    await assert.rejects(c.getKey(), (e) => e.code === "rate_limited" && e.status === 429 && e.retryAfterSeconds === 120);
    assert.ok(Date.now() - started < 1000);
  });

  test("429 is retried for a POST too (the server did nothing)", async () => {
    const c = client();
    mock.fail("POST", "/api/v1/account/webhooks", [{ status: 429, retryAfter: 0 }]);
    const created = await c.createWebhook({ uri: "https://example.com/after-429", subscriptions: ["customer.created"] });
    assert.equal(mock.webhooks.get(created.id).uri, "https://example.com/after-429");
    await c.deleteWebhook(created.id);
  });

  test("5xx then success, with back-off", async () => {
    const c = client();
    await c.getKey();
    const before = mock.log.length;
    mock.fail("GET", "/api/v1/account/key", [{ status: 503 }, { status: 502 }, { hangUp: true }]);
    const jwk = await c.getKey();
    assert.equal(jwk.n, mock.key.jwk.n);
    assert.deepEqual(
      mock.log.slice(before).map((l) => l.status),
      [503, 502, 0, 200],
    );
  });

  test("5xx every time: server_error after the retries", async () => {
    const c = client({ retries: 2 });
    await c.getKey();
    mock.fail("GET", "/api/v1/account/key", [{ status: 500 }, { status: 500 }, { status: 500 }]);
    await assert.rejects(c.getKey(), (e) => e.code === "server_error" && e.status === 500);
  });

  test("a POST that met a 5xx is not repeated (it may have been carried out)", async () => {
    const c = client();
    await c.getKey();
    const before = mock.log.length;
    mock.fail("POST", "/api/v1/account/webhooks", [{ status: 503 }]);
    await assert.rejects(
      c.createWebhook({ uri: "https://example.com/x", subscriptions: ["customer.created"] }),
      (e) => e.code === "server_error" && e.status === 503,
    );
    assert.equal(mock.log.slice(before).length, 1);
  });

  test("no answer at all: network_error after the retries", async () => {
    const c = new ZentitleClient({ ...mock.credentials, baseUrl: "http://127.0.0.1:9", retries: 1, backoffSeconds: 0.01 });
    await assert.rejects(c.getKey(), (e) => e.code === "network_error" && e.status === 0);
  });

  test("a slow answer: timeout", async () => {
    const c = client({ retries: 0, timeoutSeconds: 0.2 });
    await c.getKey();
    const { createServer } = await import("node:http");
    const slow = createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => slow.once("listening", r));
    const c2 = new ZentitleClient({ ...mock.credentials, baseUrl: `http://127.0.0.1:${slow.address().port}`, retries: 0, timeoutSeconds: 0.2 });
    await assert.rejects(c2.getKey(), (e) => e.code === "timeout" && e.status === 0);
    slow.closeAllConnections();
    slow.close();
  });
});

describe("the routes", () => {
  test("listeners: create, get, update, list, test, delete", async () => {
    const c = client();
    const created = await c.createWebhook({ uri: "https://example.com/hooks/zentitle", subscriptions: ["entitlement.created", "customer.created"] });
    assert.match(created.id, /^whl_/);
    assert.deepEqual(await c.getWebhook(created.id), created);
    await c.updateWebhook(created.id, { uri: "https://example.com/hooks/v2", subscriptions: ["entitlement.seat.activated"] });
    const updated = await c.getWebhook(created.id);
    assert.deepEqual(updated.subscriptions, ["entitlement.seat.activated"]);
    assert.ok((await c.listWebhooks()).some((w) => w.id === created.id && w.uri === "https://example.com/hooks/v2"));
    await c.deleteWebhook(created.id);
    await assert.rejects(c.getWebhook(created.id), (e) => e.code === "not_found" && e.status === 404);
    await assert.rejects(c.deleteWebhook(created.id), (e) => e.code === "not_found");
  });

  test("an invalid listener is refused before it is sent; one the API refuses is bad_request", async () => {
    const c = client();
    await assert.rejects(c.createWebhook({ uri: "https://x", subscriptions: [] }), (e) => e instanceof TypeError && e.code === "invalid_argument");
    await assert.rejects(c.getWebhook("../key"), (e) => e instanceof TypeError);
    await assert.rejects(c.createWebhook({ uri: "https://x", subscriptions: ["no.such.event"] }), (e) => e.code === "bad_request" && e.status === 400);
  });

  test("every page of listeners, in each list shape", async () => {
    const c = client();
    const ids = [];
    for (let i = 0; i < 130; i++) ids.push((await c.createWebhook({ uri: `https://example.com/${i}`, subscriptions: ["customer.created"] })).id);
    try {
      const before = mock.log.length;
      const all = await c.listWebhooks();
      assert.equal(all.length, 130);
      assert.equal(mock.log.slice(before).filter((l) => l.path.startsWith("/api/v1/account/webhooks?")).length, 2, "two pages of 100");
      for (const shape of ["data", "array"]) {
        mock.state.listShape = shape;
        assert.deepEqual(
          (await c.listWebhooks()).map((w) => w.id),
          ids,
        );
      }
    } finally {
      mock.state.listShape = "items";
      for (const id of ids) await c.deleteWebhook(id);
    }
  });

  test("event codes, and the key as a JWK", async () => {
    const c = client();
    const codes = await c.listEventCodes();
    assert.equal(codes.length, 21);
    assert.ok(codes.some((e) => e.code === "entitlement.transferred"));
    assert.deepEqual(codes[0], { code: "customer.created", type: "customer", description: "Event generated when customer was successfully created" });
    assert.deepEqual(await c.getKey(), mock.key.jwk);
  });

  test("an answer that is not what the API documents: invalid_response", async () => {
    const c = client();
    mock.fail("GET", "/api/v1/account/key", [{ status: 200, body: { kty: "EC", crv: "P-256" } }]);
    await assert.rejects(c.getKey(), (e) => e.code === "invalid_response");
    mock.fail("GET", "/api/v1/account/webhooks/events", [{ status: 200, body: { nothing: true } }]);
    await assert.rejects(c.listEventCodes(), (e) => e.code === "invalid_response");
  });

  test("N-Api-Version is sent when asked", async () => {
    const seen = [];
    const c = client({
      apiVersion: "2024-05-01-alpha",
      fetch: (url, init) => {
        seen.push(init.headers);
        return fetch(url, init);
      },
    });
    await c.getKey();
    assert.equal(seen.at(-1)["n-api-version"], "2024-05-01-alpha");
    assert.equal(seen.at(-1)["n-tenantid"], mock.tenantId);
  });
});

describe("secrets", () => {
  test("neither the secret nor a token appears in a message, a log line, an error or the client's inspection", async () => {
    const c = client();
    await c.getKey();
    const token = mock.issuedTokens().at(-1);
    // The API echoes the token and the secret in an error answer: the client must not repeat them.
    mock.fail("GET", "/api/v1/account/key", [{ status: 400, body: { title: `Bad token ${token} for ${mock.clientSecret}` } }]);
    const error = await c.getKey().then(
      () => assert.fail("resolved"),
      (e) => e,
    );
    assert.equal(error.code, "bad_request");
    assert.match(error.detail, /Bad token \[redacted\] for \[redacted\]/);
    const seen = [exposed(error), lines.join("\n"), inspect(c, { showHidden: true, depth: 5 }), JSON.stringify(c), String(c)].join("\n");
    for (const secret of [mock.clientSecret, ...mock.issuedTokens()]) assert.ok(!seen.includes(secret), "a secret leaked");
    assert.ok(lines.length > 10, "the log was written");
  });

  test("options are checked, and their errors name no value", () => {
    assert.throws(
      () => new ZentitleClient({ ...mock.credentials, clientSecret: "" }),
      (e) => e.code === "invalid_argument" && /clientSecret/.test(e.message),
    );
    assert.throws(() => new ZentitleClient({ ...mock.credentials, baseUrl: "ftp://x" }), /http\(s\) URL/);
    assert.throws(() => new ZentitleClient({ ...mock.credentials, tokenURL: "x" }), /unknown option `tokenURL`/);
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    assert.throws(
      () => new ZentitleClient(hostile),
      (e) => e.code === "invalid_argument",
    );
  });

  test("the CommonJS twin is the same client", () => {
    const require = createRequire(import.meta.url);
    const cjs = require("zentitle-webhooks/management");
    assert.deepEqual(Object.keys(cjs).sort(), ["ZentitleApiError", "ZentitleClient", "zentitleKey"]);
    assert.equal(typeof new cjs.ZentitleClient(mock.credentials).getKey, "function");
  });
});
