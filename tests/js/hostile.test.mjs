// The JavaScript boundary against hostile values: Proxies with throwing or revoked traps,
// throwing getters, Dates whose getTime/valueOf throw, typed arrays whose length is overridden,
// Map subclasses with throwing methods, detached buffers. Each goes to every export, in every
// argument position, ZW_HOSTILE_ROUNDS times (default 5,000); then the same verifier and a new
// one still verify a genuine delivery, safeVerify has answered { ok: false, code } every time,
// and the WebAssembly memory has not grown.
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { test } from "node:test";

import { WebhookVerificationError, WebhookVerifier, isKnownEventCode, parseEvent } from "zentitle-webhooks";
import * as kit from "zentitle-webhooks/testing";

import { core } from "../../pkg/lib/core.mjs";
import { keyForms, privateKeyPem } from "./fixtures.mjs";
import { hostileValues, throwingTraps } from "./hostile-values.mjs";

const rounds = Number(process.env.ZW_HOSTILE_ROUNDS ?? 5000);
const modulus = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const body = `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}`;
const signature = sign("sha256", Buffer.from(body), privateKey).toString("base64");
const verifier = new WebhookVerifier({ key: modulus });
const weakPrivateKey = privateKeyPem("weak1024");
/** Every export, with `v` in each argument position it has. Each returns the outcome. */
const exports = {
  "new WebhookVerifier(v)": (v) => new WebhookVerifier(v),
  "new WebhookVerifier({ key: v })": (v) => new WebhookVerifier({ key: v }),
  "new WebhookVerifier({ keys: v })": (v) => new WebhookVerifier({ keys: v }),
  "new WebhookVerifier({ keys: [v] })": (v) => new WebhookVerifier({ keys: [v] }),
  "new WebhookVerifier({ key, maxAgeSeconds: v })": (v) => new WebhookVerifier({ key: modulus, maxAgeSeconds: v }),
  "verify(v, sig)": (v) => verifier.verify(v, signature),
  "verify(body, v)": (v) => verifier.verify(body, v),
  "verify(body, { 'n-signature': v })": (v) => verifier.verify(body, { "n-signature": v }),
  "verify(body, sig, v)": (v) => verifier.verify(body, signature, v),
  "verify(body, sig, { now: v })": (v) => verifier.verify(body, signature, { now: v }),
  "verifySignature(v, sig)": (v) => verifier.verifySignature(v, signature),
  "verifySignature(body, v)": (v) => verifier.verifySignature(body, v),
  "verifyAsync(v, sig)": (v) => verifier.verifyAsync(v, signature),
  "verifyAsync(body, v)": (v) => verifier.verifyAsync(body, v),
  "verifyRequest(v)": (v) => verifier.verifyRequest(v),
  "parseEvent(v)": (v) => parseEvent(v),
  "isKnownEventCode(v)": (v) => isKnownEventCode(v),
  // A bytes-like value is signed for real: with a 1024-bit key, to keep 5,000 rounds short.
  "signPayload(v, key)": (v) => kit.signPayload(v, weakPrivateKey),
  "signPayload(body, v)": (v) => kit.signPayload(body, v),
  "createTestEvent(v)": (v) => kit.createTestEvent(v),
  "createTestEvent(code, v)": (v) => kit.createTestEvent("customer.created", v),
  "createTestEvent(code, {}, v)": (v) => kit.createTestEvent("customer.created", {}, v),
  "buildSignedRequest(v)": (v) => kit.buildSignedRequest(v),
  "generateTestKeyPair(v)": (v) => kit.generateTestKeyPair(v),
  "tamperBody(v)": (v) => kit.tamperBody(v),
  "tamperSignature(v)": (v) => kit.tamperSignature(v),
};
/** safeVerify, with `v` in each position: must return { ok: false, code } and never throw. */
const safe = {
  "safeVerify(v, sig)": (v) => verifier.safeVerify(v, signature),
  "safeVerify(body, v)": (v) => verifier.safeVerify(body, v),
  "safeVerify(body, sig, v)": (v) => verifier.safeVerify(body, signature, v),
  "safeVerify(body, sig, { now: v })": (v) => verifier.safeVerify(body, signature, { now: v }),
  "safeVerify(body, sig, { maxAgeSeconds: v })": (v) => verifier.safeVerify(body, signature, { maxAgeSeconds: v }),
  "safeVerify.call(v)": (v) => WebhookVerifier.prototype.safeVerify.call(v, body, signature),
};

const codes = new Set([
  "missing_signature",
  "malformed_signature",
  "signature_length",
  "invalid_signature",
  "invalid_key",
  "weak_key",
  "body_not_raw",
  "invalid_json",
  "invalid_event",
  "stale_event",
  "future_event",
  "invalid_argument",
  "body_too_large",
  "internal_error",
]);

/** What an export may do with a hostile value: return, or throw one of the package's errors. */
function outcome(run) {
  try {
    const result = run();
    if (result && typeof result.then === "function") {
      return result.then(
        () => "returned",
        (error) => classify(error),
      );
    }
    return "returned";
  } catch (error) {
    return classify(error);
  }
}
function classify(error) {
  if (error instanceof WebhookVerificationError) {
    assert.notEqual(error.code, "internal_error", "no instance failed");
    return error.code;
  }
  assert.ok(error instanceof TypeError, `threw ${error?.name}: ${error?.message}`);
  assert.equal(error.code, "invalid_argument", `a TypeError of the package's: ${error.message}`);
  assert.doesNotMatch(error.message, /hostile/, "the caller's exception is the cause, not the message");
  return "TypeError";
}

test(`every hostile value, at every export, ${rounds.toLocaleString("en")} times: coded errors, and nothing is harmed`, async () => {
  const memoryBefore = core.memoryBytes;
  const generation = core.generation;
  const table = {};
  for (const [what, value] of Object.entries(hostileValues(signature))) {
    const row = {};
    table[what] = row;
    for (const [name, run] of Object.entries(exports)) {
      const seen = new Set();
      for (let i = 0; i < rounds; i++) {
        const result = outcome(() => run(value));
        seen.add(result instanceof Promise ? await result : result);
      }
      row[name] = [...seen].join("|");
    }
    for (const [name, run] of Object.entries(safe)) {
      const seen = new Set();
      for (let i = 0; i < rounds; i++) {
        const result = run(value);
        // A real Date is read with the built-in getTime, whatever the object overrides: as
        // `now` it is a valid time, and the genuine delivery verifies.
        if (result.ok && name.includes("now") && value instanceof Date) {
          assert.equal(result.event.eventId, "event_AAAAAAAAAAAAAAAAAAAAAA");
          seen.add("ok");
          continue;
        }
        assert.equal(result.ok, false, `${name} with ${what}`);
        assert.ok(codes.has(result.code), `${name} with ${what}: code ${result.code}`);
        assert.notEqual(result.code, "internal_error");
        seen.add(result.code);
      }
      row[name] = [...seen].join("|");
    }
  }
  if (process.env.ZW_HOSTILE_TABLE) console.log(JSON.stringify(table, null, 1));
  // No instance was replaced, the memory did not grow, and verification is intact.
  assert.equal(core.generation, generation, "no call failed inside the module");
  assert.ok(core.memoryBytes - memoryBefore <= 1 << 20, `memory grew from ${memoryBefore} to ${core.memoryBytes}`);
  for (const v of [verifier, new WebhookVerifier({ key: modulus })]) {
    assert.equal(v.verify(body, signature).eventId, "event_AAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(v.verifySignature(body, { "N-Signature": signature }), true);
    assert.equal(v.safeVerify(body + " ", signature).code, "invalid_signature");
  }
});

test("safeVerify never throws, whatever `this` and the arguments are", () => {
  const odd = [undefined, null, 0, NaN, "", Symbol("s"), 10n, () => {}, new Proxy({}, throwingTraps), ...Object.values(hostileValues(signature))];
  for (const self of [verifier, ...odd]) {
    for (const a of odd) {
      for (const b of [signature, ...odd.slice(0, 6)]) {
        const result = WebhookVerifier.prototype.safeVerify.call(self, a, b, a);
        assert.equal(result.ok, false);
        assert.ok(codes.has(result.code));
      }
    }
  }
});

test("user code that throws inside a read is wrapped, with the original as cause", () => {
  const error = (() => {
    try {
      verifier.verify(body, new Proxy({}, throwingTraps));
    } catch (e) {
      return e;
    }
  })();
  assert.ok(error instanceof TypeError);
  assert.equal(error.code, "invalid_argument");
  assert.equal(error.cause?.message, "hostile");
});
