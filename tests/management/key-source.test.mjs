// The key that follows the account: zentitleKey(client) with SourcedVerifier, WebhookVerifier's
// async methods and a WebhookReceiver serving on loopback, against the local Zentitle whose key
// is rotated while they run. Deliveries are signed by node:crypto with the mock's private key;
// key fetches are counted on the mock.
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer } from "node:http";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";

import { WebhookReceiver, WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";
import { ZentitleClient, zentitleKey } from "zentitle-webhooks/management";
import { SourcedVerifier, isKeySource } from "../../pkg/lib/key-source.mjs";
import { startMockZentitle } from "./mock-zentitle.mjs";

let mock;
before(async () => {
  mock = await startMockZentitle();
});
after(async () => {
  assert.deepEqual(mock.schemaProblems, []);
  await mock.close();
});

const client = () => new ZentitleClient({ ...mock.credentials, retries: 0 });
const forger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const body = (code = "customer.created") =>
  JSON.stringify({
    eventId: `event_${randomBytes(16).toString("base64url").slice(0, 22)}`,
    eventDate: new Date().toISOString(),
    eventCode: code,
    resourceId: "cust_n1bmaIvXnEW7DOl0w5EiHQ",
    callAttempt: 1,
    payload: { customerId: "cust_n1bmaIvXnEW7DOl0w5EiHQ", name: "Boeing" },
  });
/** A delivery signed by node:crypto with `privateKey` (the mock's current one by default). */
const delivery = (privateKey = mock.key.privateKey) => {
  const text = body();
  return { body: text, headers: { "n-signature": sign("sha256", Buffer.from(text), privateKey).toString("base64") } };
};
const rejection = (promise) =>
  promise.then(
    () => assert.fail("verified"),
    (error) => error,
  );

describe("SourcedVerifier with zentitleKey", () => {
  test("fetched on first use, once for concurrent deliveries, then cached", async () => {
    const before = mock.counts.key;
    const source = zentitleKey(client());
    const verifier = new SourcedVerifier(source);
    const events = await Promise.all(Array.from({ length: 20 }, () => delivery()).map((d) => verifier.verify(d.body, d.headers)));
    assert.equal(events.length, 20);
    assert.equal(events[0].eventCode, "customer.created");
    await verifier.verify(delivery().body, delivery().headers).catch(() => {}); // a mismatched pair: no new fetch within the cooldown
    const d = delivery();
    await verifier.verify(d.body, d.headers);
    assert.equal(mock.counts.key - before, 1);
    assert.equal(source.fetches, 1);
  });

  test("the key rotated: deliveries signed with the new key verify after exactly one refetch, with no restart", async () => {
    const source = zentitleKey(client(), { cooldownSeconds: 60 });
    const verifier = new SourcedVerifier(source);
    const before = mock.counts.key;
    const old = delivery();
    await verifier.verify(old.body, old.headers);
    mock.rotateKey();
    const fresh = Array.from({ length: 10 }, () => delivery());
    const events = await Promise.all(fresh.map((d) => verifier.verify(d.body, d.headers)));
    assert.equal(events.length, 10);
    assert.equal(mock.counts.key - before, 2, "the first fetch and exactly one refetch");
    // A delivery signed with the old key now fails (Zentitle re-signs its retries with the new key).
    const error = await rejection(verifier.verify(old.body, old.headers));
    assert.equal(error.code, "invalid_signature");
    assert.equal(mock.counts.key - before, 2, "within the cooldown: no fetch");
  });

  test("a flood of forged deliveries makes no more fetches than the cooldown allows", async () => {
    const cooldownSeconds = 0.5;
    const source = zentitleKey(client(), { cooldownSeconds });
    const verifier = new SourcedVerifier(source);
    const before = mock.counts.key;
    const started = Date.now();
    let refused = 0;
    const flood = async () => {
      for (let i = 0; i < 40; i++) {
        const forged = delivery(forger);
        const error = await rejection(verifier.verify(forged.body, forged.headers));
        assert.equal(error.code, "invalid_signature");
        assert.equal(error.mismatch, "key");
        assert.equal(error.status, 401);
        refused++;
        await new Promise((r) => setTimeout(r, 30));
      }
    };
    await Promise.all(Array.from({ length: 8 }, flood));
    const seconds = (Date.now() - started) / 1000;
    const fetches = mock.counts.key - before;
    // The first fetch, then refetches at least a cooldown apart: 1 + (1 + floor(T / cooldown)).
    const allowed = 2 + Math.floor(seconds / cooldownSeconds);
    console.log(
      `forged-delivery flood: ${refused} deliveries in ${seconds.toFixed(2)} s, ${fetches} key fetches (cooldown ${cooldownSeconds} s, at most ${allowed})`,
    );
    assert.equal(refused, 320);
    assert.ok(fetches >= 3, "the cooldown does let a refetch through after it passes");
    assert.ok(fetches <= allowed, `${fetches} fetches for ${seconds} s`);
    // With the default cooldown, a flood makes two fetches in all: the first, and one refetch.
    const calm = new SourcedVerifier(zentitleKey(client()));
    const calmBefore = mock.counts.key;
    await Promise.all(
      Array.from({ length: 200 }, () => delivery(forger)).map((d) =>
        calm.verify(d.body, d.headers).then(
          () => assert.fail("verified"),
          (e) => assert.equal(e.code, "invalid_signature"),
        ),
      ),
    );
    console.log(`forged-delivery flood, default cooldown (60 s): 200 deliveries, ${mock.counts.key - calmBefore} key fetch(es)`);
    assert.equal(mock.counts.key - calmBefore, 2);
  });

  test("a key that cannot be fetched: key_unavailable (503), never 401, and no hammering", async () => {
    const source = zentitleKey(client(), { cooldownSeconds: 60, failureCooldownSeconds: 60 });
    const verifier = new SourcedVerifier(source);
    const before = mock.counts.requests;
    mock.fail("GET", "/api/v1/account/key", [{ status: 500 }]);
    for (let i = 0; i < 5; i++) {
      const d = delivery();
      const error = await rejection(verifier.verify(d.body, d.headers));
      assert.ok(error instanceof WebhookVerificationError);
      assert.equal(error.code, "key_unavailable");
      assert.equal(error.status, 503);
      assert.equal(error.cause.code, "server_error");
      assert.ok(!error.message.includes(mock.clientSecret));
    }
    assert.equal(mock.counts.requests - before, 2, "one token and one key request for five deliveries");
  });

  test("a failed refetch after a key mismatch is key_unavailable too", async () => {
    const source = zentitleKey(client(), { cooldownSeconds: 0 });
    const verifier = new SourcedVerifier(source);
    const d = delivery();
    await verifier.verify(d.body, d.headers);
    mock.rotateKey();
    mock.fail("GET", "/api/v1/account/key", [{ status: 503 }]);
    const next = delivery();
    assert.equal((await rejection(verifier.verify(next.body, next.headers))).code, "key_unavailable");
  });

  test("after a failed refetch, deliveries signed with the new key get 503 (never 401) until a fetch succeeds", async () => {
    const source = zentitleKey(client(), { cooldownSeconds: 60, failureCooldownSeconds: 0.3 });
    const verifier = new SourcedVerifier(source);
    const d = delivery();
    await verifier.verify(d.body, d.headers);
    mock.rotateKey();
    mock.fail("GET", "/api/v1/account/key", [{ status: 503 }]);
    const before = mock.counts.requests;
    for (let i = 0; i < 3; i++) {
      const next = delivery();
      const error = await rejection(verifier.verify(next.body, next.headers));
      assert.equal(error.code, "key_unavailable");
      assert.equal(error.status, 503);
    }
    assert.equal(mock.counts.requests - before, 1, "one failed fetch; the others wait for the failure cooldown");
    await new Promise((r) => setTimeout(r, 350));
    const later = delivery();
    assert.equal((await verifier.verify(later.body, later.headers)).eventCode, "customer.created");
    assert.equal(source.fetches, 3);
  });

  test("a source of the caller's own, and what is not a source", async () => {
    const pem = mock.key.publicKey.export({ type: "spki", format: "pem" });
    let calls = 0;
    const own = {
      async getKey() {
        calls++;
        return pem;
      },
    };
    assert.equal(isKeySource(own), true);
    for (const value of [pem, mock.key.jwk, new Uint8Array(4), null, [], { kty: "RSA" }]) assert.equal(isKeySource(value), false);
    const throwing = new Proxy({}, { get: () => assert.fail("trap") });
    assert.throws(
      () => isKeySource(throwing),
      (e) => e instanceof TypeError && e.code === "invalid_argument",
    );
    const verifier = new SourcedVerifier(own, { maxAgeSeconds: 300 });
    const d = delivery();
    assert.equal((await verifier.verify(d.body, d.headers)).eventCode, "customer.created");
    // No refresh() on the source: a mismatch is the plain refusal.
    const forged = delivery(forger);
    assert.equal((await rejection(verifier.verify(forged.body, forged.headers))).code, "invalid_signature");
    const failing = new SourcedVerifier({ getKey: () => Promise.reject(new Error("vault down")) });
    assert.equal((await rejection(failing.verify(d.body, d.headers))).status, 503);
    assert.throws(
      () => new SourcedVerifier(own, { key: pem }),
      (e) => e instanceof TypeError,
    );
    assert.ok(calls >= 2);
  });
});

describe("SourcedVerifier options", () => {
  test("WebhookVerifier's options, kept across a key change; no deduplicator (de-duplication is the receiver's)", async () => {
    assert.throws(
      () => new SourcedVerifier(zentitleKey(client()), { deduplicator: {} }),
      (error) => error.code === "invalid_argument",
    );
    const verifier = new SourcedVerifier(zentitleKey(client()), { maxAgeSeconds: 600 });
    const d = delivery();
    const eventId = JSON.parse(d.body).eventId;
    assert.equal((await verifier.verify(d.body, d.headers)).eventId, eventId);
    assert.equal((await verifier.verify(d.body, d.headers)).eventId, eventId, "the verifier remembers nothing: a retry verifies again");
    mock.rotateKey();
    const resigned = { body: d.body, headers: { "n-signature": sign("sha256", Buffer.from(d.body), mock.key.privateKey).toString("base64") } };
    assert.equal((await verifier.verify(resigned.body, resigned.headers)).eventId, eventId, "verified with the new key");
    assert.equal(
      (await rejection(verifier.verify(resigned.body, resigned.headers, { now: Date.now() + 3600_000 }))).code,
      "stale_event",
      "the replay window survives the key change",
    );
    assert.equal((await rejection(verifier.verify(d.body, d.headers, { now: Date.now() + 3600_000 }))).code, "invalid_signature");
  });
});

describe("WebhookVerifier with a key source", () => {
  test("verifyAsync and verifyRequest take the source; the synchronous methods say to use them", async () => {
    const verifier = new WebhookVerifier({ key: zentitleKey(client()) });
    const d = delivery();
    const { event, keyId } = await verifier.verifyAsync(d.body, d.headers);
    assert.equal(event.eventCode, "customer.created");
    assert.equal(keyId, null);
    const e = delivery();
    const request = new Request("https://example.com/hook", { method: "POST", body: e.body, headers: e.headers });
    const verified = await verifier.verifyRequest(request);
    assert.equal(verified.rawBody, e.body);
    assert.throws(
      () => verifier.verify(d.body, d.headers),
      (error) => error instanceof TypeError && /verifyAsync/.test(error.message),
    );
    assert.equal(verifier.safeVerify(d.body, d.headers).code, "invalid_argument");
    // Its options are checked at construction, as with a key value.
    assert.throws(
      () => new WebhookVerifier({ key: zentitleKey(client()), maxAgeSeconds: "1h" }),
      (error) => error.code === "invalid_argument",
    );
    assert.throws(
      () => new WebhookVerifier({ key: zentitleKey(client()), deduplicator: {} }),
      (error) => error.code === "invalid_argument",
    );
    mock.rotateKey();
    const rotated = delivery();
    assert.equal((await verifier.verifyAsync(rotated.body, rotated.headers)).event.eventId, JSON.parse(rotated.body).eventId);
    verifier.free();
  });
});

describe("WebhookReceiver with a key source, serving on loopback", () => {
  test("the key rotated while it serves: the new key's deliveries are processed after one refetch; forged ones get 401; no key gets 503", async () => {
    const source = zentitleKey(client(), { cooldownSeconds: 60 });
    const processed = [];
    const receiver = new WebhookReceiver({ key: source }).on("customer.created", (event) => {
      processed.push(event.eventId);
    });
    const server = createServer(receiver.node()).listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${server.address().port}/webhooks/zentitle`;
    const post = (d) => fetch(url, { method: "POST", body: d.body, headers: { "content-type": "application/json", ...d.headers } });
    try {
      const before = mock.counts.key;
      assert.equal((await post(delivery())).status, 200);
      mock.rotateKey();
      const statuses = await Promise.all(Array.from({ length: 5 }, () => post(delivery())).map(async (r) => (await r).status));
      assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
      assert.equal(mock.counts.key - before, 2, "one fetch at start, one after the rotation");
      const forged = await Promise.all(Array.from({ length: 50 }, () => post(delivery(forger))).map(async (r) => (await r).status));
      assert.ok(forged.every((s) => s === 401));
      assert.equal(mock.counts.key - before, 2, "the forged flood made no fetch within the cooldown");
      assert.equal(processed.length, 6);

      const lines = [];
      const logger = { info: (l) => lines.push(l), warn: (l) => lines.push(l), error: (l) => lines.push(l) };
      const down = new WebhookReceiver({ key: zentitleKey(client()), logger });
      mock.fail("GET", "/api/v1/account/key", [{ status: 502 }]);
      const answer = await down.receive(delivery());
      assert.equal(answer.status, 503);
      assert.equal(answer.code, "key_unavailable");
      assert.equal(lines.length, 1);
      assert.match(lines[0], /key_unavailable/);
      for (const secret of [mock.clientSecret, ...mock.issuedTokens()]) assert.ok(!lines[0].includes(secret));
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
