// A trap is survivable: when a call fails inside the WebAssembly module, that call throws
// `internal_error`, the instance is replaced, and verifiers (old and new) work on the next call.
import assert from "node:assert/strict";
import { test } from "node:test";

import { WebhookVerifier, isKnownEventCode, parseEvent } from "zentitle-webhooks";
import * as kit from "zentitle-webhooks/testing";

import { core } from "../../pkg/lib/core.mjs";
import { kit as kitInstance } from "../../pkg/lib/testing-core.mjs";
import { body, keyForms, vectors } from "./fixtures.mjs";

const good = vectors.cases.find((c) => c.valid && c.event && c.key === "rsa2048");
const raw = body(good.body);
const keys = [
  { id: "old", key: keyForms("other2048")["SPKI PEM"] },
  { id: "new", key: keyForms("rsa2048")["JWK object"] },
];

test("a forced trap throws internal_error once; the next calls work on a fresh instance", () => {
  const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
  const rotating = new WebhookVerifier({ keys, maxAgeSeconds: 60 });
  const signedAt = Date.parse(JSON.parse(raw).eventDate);
  assert.equal(verifier.verify(raw, good.signature).eventId, good.event.eventId);
  const generation = core.generation;
  for (let i = 0; i < 3; i++) {
    assert.throws(
      () => core.run((wasm) => wasm.zw_trap_for_tests()),
      (error) => {
        assert.equal(error.name, "WebhookVerificationError");
        assert.equal(error.code, "internal_error");
        assert.equal(error.status, 500);
        assert.ok(error.cause instanceof WebAssembly.RuntimeError);
        return true;
      },
    );
  }
  assert.equal(core.generation, generation + 3);
  // The verifiers made before prepare their keys again; their options are kept.
  assert.equal(verifier.verify(raw, good.signature).eventId, good.event.eventId);
  assert.equal(verifier.safeVerify(raw, good.signature.replace("A", "B")).ok, false);
  assert.deepEqual(rotating.safeVerify(raw, good.signature, { now: signedAt }).keyId, "new");
  assert.equal(rotating.safeVerify(raw, good.signature, { now: signedAt + 3_600_000 }).code, "stale_event");
  // New ones too, and everything else.
  assert.equal(new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"] }).verifySignature(raw, good.signature), true);
  assert.equal(parseEvent(raw).eventId, good.event.eventId);
  assert.equal(isKnownEventCode("customer.created"), true);
});

test("the test kit's instance recovers the same way", async () => {
  assert.throws(() => kitInstance.run((wasm) => wasm.zw_trap_for_tests()), { code: "internal_error" });
  const pair = await kit.generateTestKeyPair({ bits: 1024 });
  const request = kit.buildSignedRequest({ privateKey: pair.privateKeyPem, eventCode: "customer.created" });
  assert.equal(new WebhookVerifier({ key: pair.modulus, minKeyBits: 1024 }).verify(request.body, request.headers).eventCode, "customer.created");
});

test("a stack overflow inside the module, at any depth, costs one call and no more", () => {
  const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
  const outcomes = new Map();
  // Recurse until the stack is exhausted, then verify on the way back up: the deepest calls
  // overflow inside the module (or before it), every other one verifies.
  let depth = 0;
  function dive() {
    depth++;
    try {
      dive();
    } catch {
      // the bottom
    }
    if (depth-- % 16 !== 0) return;
    let outcome;
    try {
      outcome = verifier.verifySignature(raw, good.signature) ? "verified" : "refused";
    } catch (error) {
      outcome = error?.code ?? error?.name;
    }
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  dive();
  console.log(`# outcomes at every 16th depth: ${JSON.stringify(Object.fromEntries(outcomes))}`);
  assert.ok((outcomes.get("verified") ?? 0) > 0);
  assert.ok(!outcomes.has("refused"), "no genuine delivery was refused");
  assert.equal(verifier.verify(raw, good.signature).eventId, good.event.eventId);
  assert.equal(new WebhookVerifier({ key: keyForms("rsa2048")["JWK text"] }).verifySignature(raw, good.signature), true);
});
