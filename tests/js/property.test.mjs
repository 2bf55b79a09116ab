// Property test: random inputs of every JS type at every export of every entry point. Each
// call returns, or throws a WebhookVerificationError or a TypeError; never a wasm trap
// (RuntimeError) or anything else; safeVerify never throws; and the instance still verifies
// correctly afterwards. ZW_PROPERTY_RUNS sets the total (default 100,000).
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";

import fc from "fast-check";

import * as esm from "zentitle-webhooks";
import * as kit from "zentitle-webhooks/testing";

import { body, keyForms, vectors } from "./fixtures.mjs";
import { hostileValues } from "./hostile-values.mjs";

const cjs = createRequire(import.meta.url)("zentitle-webhooks");
const total = Number(process.env.ZW_PROPERTY_RUNS ?? 100_000);
const good = vectors.cases.find((c) => c.valid && c.event && c.event.eventCode === "customer.created");
const key = keyForms("rsa2048")["modulus string"];

// Hostile values are drawn as references and resolved inside the property: fast-check would
// run their traps itself if it held them.
const hostileList = Object.values(hostileValues(good.signature));
class HostileRef {
  constructor(index, shape) {
    this.index = index;
    this.shape = shape;
  }
}
const shapes = [
  (h) => h,
  (h) => ({ "n-signature": h }),
  (h) => ({ key: h }),
  (h) => ({ key, now: h }),
  (h) => ({ key, maxAgeSeconds: h }),
  (h) => ({ keys: [h] }),
  (h) => ({ now: h }),
  (h) => ({ privateKey: h, eventCode: "customer.created" }),
];
const hostile = fc.tuple(fc.nat(hostileList.length - 1), fc.nat(shapes.length - 1)).map(([i, s]) => new HostileRef(i, s));
const resolve = (v) => (v instanceof HostileRef ? shapes[v.shape](hostileList[v.index]) : v);

// Inputs: anything fast-check can make, plus values shaped like the real arguments.
const value = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withTypedArray: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
    }),
  },
  fc.uint8Array({ maxLength: 600 }),
  fc.string({ maxLength: 400 }),
  fc.base64String({ maxLength: 400 }),
  fc.constantFrom(
    good.signature,
    key,
    body(good.body).toString(),
    "",
    "\uFEFF",
    "-----BEGIN PUBLIC KEY-----",
    new ArrayBuffer(8),
    new DataView(new ArrayBuffer(3)),
    new Headers({ "n-signature": "x" }),
  ),
  fc.record({ "n-signature": fc.oneof(fc.string(), fc.array(fc.string()), fc.integer()) }),
  fc.record(
    {
      key: fc.oneof(fc.string(), fc.constant(key)),
      keys: fc.anything(),
      maxAgeSeconds: fc.anything(),
      now: fc.anything(),
      minKeyBits: fc.anything(),
      maxBodyBytes: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  // Hostile values (throwing Proxies and getters, overridden lengths, ...), alone and inside
  // the shapes of real arguments.
  { weight: 2, arbitrary: hostile },
);

function allowed(error) {
  if (error instanceof esm.WebhookVerificationError || error instanceof cjs.WebhookVerificationError) return error.code !== "internal_error";
  if (error instanceof TypeError && !(error instanceof WebAssembly.RuntimeError)) return true;
  return false;
}

function call(fn) {
  try {
    const result = fn();
    if (result && typeof result.then === "function") result.then(undefined, (e) => assert.ok(allowed(e), `rejected with ${e?.name}: ${e?.message}`));
  } catch (error) {
    assert.ok(allowed(error), `threw ${error?.name}: ${error?.message}`);
  }
}

test(`${total.toLocaleString("en")} random inputs at every export of the ESM, CJS and test-kit entries`, async () => {
  const verifiers = [new esm.WebhookVerifier({ key }), new cjs.WebhookVerifier({ key })];
  const exports = [
    (a, _b, _c) => call(() => new esm.WebhookVerifier(a)),
    (a, _b, _c) => call(() => new cjs.WebhookVerifier(a)),
    (a, b, c) => call(() => verifiers[0].verify(a, b, c)),
    (a, b, c) => call(() => verifiers[1].verify(a, b, c)),
    (a, b) => call(() => verifiers[0].verifySignature(a, b)),
    (a, b, c) => {
      const result = verifiers[0].safeVerify(a, b, c); // must not throw at all
      assert.equal(typeof result.ok, "boolean");
    },
    (a, b, c) => call(() => verifiers[0].verifyAsync(a, b, c)),
    (a, b) => call(() => verifiers[0].verifyRequest(a, b)),
    (a) => call(() => esm.parseEvent(a)),
    (a) => call(() => cjs.parseEvent(a)),
    (a) => assert.equal(typeof esm.isKnownEventCode(a), "boolean"),
    (a, b) => call(() => kit.signPayload(a, b)),
    (a, b, c) => call(() => kit.createTestEvent(a, b, c)),
    (a) => call(() => kit.buildSignedRequest(a)),
    (a) => call(() => kit.tamperBody(a)),
    (a) => call(() => kit.tamperSignature(a)),
  ];
  let runs = 0;
  fc.assert(
    fc.property(fc.nat(exports.length - 1), value, value, value, (which, a, b, c) => {
      exports[which](resolve(a), resolve(b), resolve(c));
      runs++;
    }),
    { numRuns: total, seed: 20261127 },
  );
  await new Promise((r) => setTimeout(r, 50)); // let rejected promises settle
  assert.equal(runs, total);
  for (const v of verifiers) {
    assert.equal(v.verify(body(good.body), good.signature).eventCode, "customer.created");
    assert.equal(v.verifySignature(body(good.body), good.signature.replace("A", "B")), false);
  }
  assert.equal(esm.parseEvent(body(good.body)).eventId, good.event.eventId);
});
