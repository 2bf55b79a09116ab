// Typed events and the complete verification API, on the built package: every event code,
// replay window with an injected clock, rotation, de-duplication, safeVerify on junk,
// verifyRequest on a real Request, parseEvent, isKnownEventCode, hints.
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { describe, test } from "node:test";

import { WebhookVerificationError, WebhookVerifier, isKnownEventCode, parseEvent } from "zentitle-webhooks";

import { body, keyForms, privateKeyPem, vectors } from "./fixtures.mjs";

const key = keyForms("rsa2048")["modulus string"];
const eventCases = vectors.cases.filter((c) => c.event);
const seatCase = eventCases.find((c) => c.event.eventCode === "entitlement.seat.activated");
const _eventTime = Date.parse("2026-11-27T10:15:30.123Z");
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const signed = (text) => ({ body: text, signature: sign("sha256", Buffer.from(text), privateKey).toString("base64") });

function failure(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, String(error));
    return error;
  }
  assert.fail("did not throw");
}

describe("every event code", () => {
  const verifier = new WebhookVerifier({ key });
  for (const c of eventCases) {
    test(c.event.eventCode, () => {
      const raw = body(c.body);
      const event = verifier.verify(raw, { "n-signature": c.signature });
      assert.deepEqual(event, JSON.parse(raw.toString("utf8")), "nothing dropped");
      assert.equal(event.eventCode, c.event.eventCode);
      assert.equal(isKnownEventCode(event.eventCode), !["webhook.test", "entitlement.brand.new"].includes(event.eventCode));
    });
  }
  test("20 known codes, and the test event and an unknown code pass", () => {
    assert.equal(eventCases.filter((c) => isKnownEventCode(c.event.eventCode)).length, 20);
    assert.equal(eventCases.length, 22);
  });
});

describe("envelope validation", () => {
  const verifier = new WebhookVerifier({ key });
  const base = JSON.parse(body(seatCase.body).toString("utf8"));
  const bad = {
    "eventDate not RFC 3339": [{ ...base, eventDate: "27/11/2026" }, "eventDate"],
    "callAttempt 0": [{ ...base, callAttempt: 0 }, "callAttempt"],
    "eventId a number": [{ ...base, eventId: 7 }, "eventId"],
    "seatId missing": [{ ...base, payload: { ...base.payload, seatId: undefined } }, "payload.seatId"],
    "seatsUsed a string": [{ ...base, payload: { ...base.payload, seatsUsed: "3" } }, "payload.seatsUsed"],
    "not an object": [[base], "object"],
  };
  for (const [what, [value, field]] of Object.entries(bad)) {
    test(`${what} is invalid_event naming ${field}`, () => {
      const d = signed(JSON.stringify(value));
      const error = failure(() => verifier.verify(d.body, d.signature));
      assert.equal(error.code, "invalid_event");
      assert.equal(error.status, 400);
      assert.ok(`${error.message} ${error.hint}`.includes(field), error.hint);
      assert.equal(failure(() => parseEvent(d.body)).code, "invalid_event");
    });
  }
  test("not JSON is invalid_json; a BOM gets a hint", () => {
    const d = signed("not json");
    assert.equal(failure(() => verifier.verify(d.body, d.signature)).code, "invalid_json");
    const bom = signed("\uFEFF" + JSON.stringify(base));
    const error = failure(() => verifier.verify(bom.body, bom.signature));
    assert.equal(error.code, "invalid_json");
    assert.match(error.hint, /BOM/);
  });
  test("unknown fields are kept", () => {
    const d = signed(JSON.stringify({ ...base, region: "eu", payload: { ...base.payload, newField: [1, 2] } }));
    const event = verifier.verify(d.body, d.signature);
    assert.equal(event.region, "eu");
    assert.deepEqual(event.payload.newField, [1, 2]);
  });
});

describe("replay window (injected clock)", () => {
  const verifier = new WebhookVerifier({ key, maxAgeSeconds: 600 });
  const raw = body(seatCase.body);
  const eventMs = Date.parse("2026-11-27T10:15:30.123Z");
  const at = (ms) => ({ now: ms });
  test("inside the window, at its edge, and past it", () => {
    assert.equal(verifier.verify(raw, seatCase.signature, at(eventMs + 600_000)).eventCode, "entitlement.seat.activated");
    assert.equal(failure(() => verifier.verify(raw, seatCase.signature, at(eventMs + 600_001))).code, "stale_event");
    assert.equal(verifier.verify(raw, seatCase.signature, { now: new Date(eventMs) }).callAttempt, 3);
  });
  test("the future, beyond 300 s of skew", () => {
    assert.ok(verifier.verify(raw, seatCase.signature, at(eventMs - 300_000)));
    const error = failure(() => verifier.verify(raw, seatCase.signature, at(eventMs - 300_001)));
    assert.equal(error.code, "future_event");
    assert.equal(error.status, 401);
  });
  test("per call: a narrower window, or none", () => {
    assert.equal(failure(() => verifier.verify(raw, seatCase.signature, { now: eventMs + 61_000, maxAgeSeconds: 60 })).code, "stale_event");
    assert.ok(verifier.verify(raw, seatCase.signature, { now: eventMs + 86_400_000, maxAgeSeconds: null }));
  });
  test("off by default; the default clock is the runtime's", () => {
    assert.ok(new WebhookVerifier({ key }).verify(raw, seatCase.signature));
    // The fixture's date is in the past of the real clock by more than a second.
    assert.equal(
      failure(() => new WebhookVerifier({ key, maxAgeSeconds: 1 }).verify(raw, seatCase.signature)).code,
      eventMs < Date.now() - 1000 ? "stale_event" : "future_event",
    );
  });
  test("bad options are a TypeError", () => {
    for (const options of [{ now: "yesterday" }, { now: NaN }, { maxAgeSeconds: -1 }, { maxAgeSeconds: "60" }, 5]) {
      assert.throws(() => verifier.verify(raw, seatCase.signature, options), TypeError);
    }
  });
});

describe("key rotation", () => {
  const verifier = new WebhookVerifier({
    keys: [
      { id: "2025", key: keyForms("other2048")["SPKI PEM"] },
      { id: "2026", key: keyForms("rsa2048")["JWK object"] },
    ],
  });
  test("the result names the key that matched", () => {
    assert.deepEqual(verifier.safeVerify(body(seatCase.body), seatCase.signature).keyId, "2026");
    const old = signed(body(seatCase.body).toString("utf8"));
    const oldSig = sign("sha256", Buffer.from(old.body), createPrivateKey(privateKeyPem("other2048"))).toString("base64");
    const result = verifier.safeVerify(old.body, oldSig);
    assert.equal(result.ok, true);
    assert.equal(result.keyId, "2025");
  });
  test("a single key has keyId null", () => {
    assert.equal(new WebhookVerifier({ key }).safeVerify(body(seatCase.body), seatCase.signature).keyId, null);
  });
  test("bad key sets", () => {
    assert.throws(() => new WebhookVerifier({ keys: [] }), TypeError.prototype.constructor === TypeError ? Error : Error);
    assert.throws(() => new WebhookVerifier({ keys: [{ key }] }), TypeError);
    assert.throws(() => new WebhookVerifier({ keys: "x" }), TypeError);
    assert.throws(() => new WebhookVerifier({ key, keys: [{ id: "a", key }] }), TypeError);
    assert.equal(failure(() => new WebhookVerifier({ keys: [{ id: "a", key: "junk!" }] })).code, "invalid_key");
  });
});

describe("de-duplication is the receiver's", () => {
  test("the verifier has no deduplicator option: the same delivery verifies each time", () => {
    assert.throws(() => new WebhookVerifier({ key, deduplicator: { remember: () => true } }), {
      name: "TypeError",
      code: "invalid_argument",
      message: /unknown option `deduplicator`/,
    });
    const verifier = new WebhookVerifier({ key });
    const raw = body(seatCase.body);
    assert.equal(verifier.verify(raw, seatCase.signature).eventId, seatCase.event.eventId);
    assert.equal(verifier.verify(raw, seatCase.signature).eventId, seatCase.event.eventId);
  });
  test("verifyAsync resolves to the event and the key's id", async () => {
    const verifier = new WebhookVerifier({ key });
    const { event, keyId } = await verifier.verifyAsync(body(seatCase.body), seatCase.signature);
    assert.equal(event.eventId, seatCase.event.eventId);
    assert.equal(keyId, null);
  });
});

describe("safeVerify never throws", () => {
  const verifier = new WebhookVerifier({ key });
  const junk = [
    undefined,
    null,
    0,
    -1,
    NaN,
    1n,
    true,
    "",
    "x",
    Symbol("s"),
    () => 1,
    [],
    [1],
    {},
    { length: 3 },
    new Map(),
    new Set(),
    new Date(),
    /re/,
    new Error("e"),
    new Uint16Array(3),
    new ArrayBuffer(0),
    new DataView(new ArrayBuffer(4)),
    Promise.resolve(1),
    new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
      },
    ),
    Object.create(null),
    {
      get: () => {
        throw new Error("getter");
      },
    },
    new Headers(),
    { "n-signature": 5 },
    { "n-signature": ["a", "b"] },
  ];
  test("junk of every JS type in every position", () => {
    let count = 0;
    for (const a of junk) {
      for (const b of junk) {
        for (const c of [undefined, null, {}, 7, "x", { now: "bad" }, { maxAgeSeconds: -1 }, junk[24]]) {
          const result = verifier.safeVerify(a, b, c);
          assert.equal(typeof result, "object");
          assert.equal(result.ok, false);
          assert.equal(typeof result.code, "string");
          assert.equal(typeof result.message, "string");
          assert.equal(typeof result.status, "number");
          count++;
        }
      }
    }
    assert.ok(count > 7000);
    // And the instance still verifies.
    assert.equal(verifier.safeVerify(body(seatCase.body), seatCase.signature).ok, true);
  });
  test("a failure carries code, message, status, hint and the diagnosis", () => {
    const url = vectors.cases.find((c) => c.name === "base64url signature");
    const result = verifier.safeVerify(body(url.body), url.signature);
    assert.deepEqual(Object.keys(result).sort(), ["bodyChange", "code", "hint", "message", "mismatch", "ok", "status"]);
    assert.equal(result.code, "malformed_signature");
    assert.match(result.hint, /base64url/);
    assert.equal(result.mismatch, undefined);
    assert.equal(result.bodyChange, undefined);
  });
});

describe("verifyRequest on a Fetch Request", () => {
  const verifier = new WebhookVerifier({ key });
  const raw = body(seatCase.body);
  const request = (b, headers) => new Request("http://127.0.0.1/webhooks/zentitle", { method: "POST", body: b, headers });
  test("reads the body once and hands it back", async () => {
    const { event, rawBody, keyId } = await verifier.verifyRequest(request(raw, { "N-Signature": seatCase.signature }));
    assert.equal(event.payload.seatId, "build-agent-07");
    assert.equal(rawBody, raw.toString("utf8"));
    assert.equal(keyId, null);
  });
  test("a tampered or unsigned request is refused with the error", async () => {
    await assert.rejects(
      verifier.verifyRequest(request(raw.toString().replace("07", "08"), { "N-Signature": seatCase.signature })),
      (e) => e instanceof WebhookVerificationError && e.code === "invalid_signature" && e.status === 401,
    );
    await assert.rejects(verifier.verifyRequest(request(raw, {})), (e) => e.code === "missing_signature");
  });
  test("a body already read is body_not_raw; a non-Request is a TypeError", async () => {
    const r = request(raw, { "N-Signature": seatCase.signature });
    await r.text();
    await assert.rejects(verifier.verifyRequest(r), (e) => e.code === "body_not_raw");
    await assert.rejects(verifier.verifyRequest({}), TypeError);
    await assert.rejects(verifier.verifyRequest("http://x"), TypeError);
  });
  test("with the replay window", async () => {
    const options = { now: Date.parse("2026-11-28T10:15:30Z"), maxAgeSeconds: 3600 };
    await assert.rejects(verifier.verifyRequest(request(raw, { "N-Signature": seatCase.signature }), options), (e) => e.code === "stale_event");
  });
});

describe("parseEvent and isKnownEventCode", () => {
  test("parseEvent types without verifying", () => {
    const event = parseEvent(body(seatCase.body));
    assert.equal(event.eventCode, "entitlement.seat.activated");
    assert.equal(parseEvent(body(seatCase.body).toString("utf8")).payload.seatsUsed, 3);
    assert.equal(failure(() => parseEvent("{")).code, "invalid_json");
    assert.equal(failure(() => parseEvent({})).code, "body_not_raw");
  });
  test("isKnownEventCode", () => {
    assert.equal(isKnownEventCode("customer.created"), true);
    assert.equal(isKnownEventCode("webhook.test"), false);
    for (const junk of [undefined, null, 5, {}, ["customer.created"]]) assert.equal(isKnownEventCode(junk), false);
  });
});

describe("hints for common mistakes", () => {
  const verifier = new WebhookVerifier({ key });
  const raw = body(seatCase.body);
  const cases = {
    "a parsed body": [() => verifier.verify(JSON.parse(raw), seatCase.signature), "body_not_raw", /parsed JSON body/],
    "String(parsedBody)": [() => verifier.verify(String({}), seatCase.signature), "invalid_signature", /\[object Object\]/],
    "a body read elsewhere (empty)": [() => verifier.verify("", seatCase.signature), "invalid_signature", /empty/],
    "a BOM added in transit": [() => verifier.verify("\uFEFF" + raw, seatCase.signature), "invalid_signature", /BOM/],
    "base64url signature": [() => verifier.verify(raw, Buffer.from(seatCase.signature, "base64").toString("base64url")), "malformed_signature", /base64url/],
    "missing padding": [() => verifier.verify(raw, seatCase.signature.replace(/=+$/, "")), "malformed_signature", /padding|base64url/],
    "a sha256= prefix": [() => verifier.verify(raw, "sha256=" + seatCase.signature), "malformed_signature", /prefix/],
    "a key in quotes": [() => new WebhookVerifier({ key: `"${key.trim()}"` }), "invalid_key", /quotes/],
    "a modulus cut short": [() => new WebhookVerifier({ key: key.trim().slice(0, 300) }), "weak_key", /cut short/],
    "a certificate": [() => new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"].replace(/PUBLIC KEY/g, "CERTIFICATE") }), "invalid_key", /certificate/],
    "a truncated PEM": [() => new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"].slice(0, 200) }), "invalid_key", /cut short/],
  };
  for (const [what, [fn, code, hint]] of Object.entries(cases)) {
    test(what, () => {
      const error = failure(fn);
      assert.equal(error.code, code);
      assert.match(error.hint ?? "", hint);
    });
  }
  test("a PEM with lost or escaped newlines still works", () => {
    const pem = keyForms("rsa2048")["SPKI PEM"];
    for (const variant of [pem.replace(/\n/g, " "), pem.replace(/\n/g, "\\n")]) {
      assert.ok(new WebhookVerifier({ key: variant }).verify(raw, seatCase.signature));
    }
  });
});
