// Memory: the WebAssembly instance's memory does not grow after warm-up, whatever the verdicts;
// bodies over the limit are refused before any copy, so 100 MiB bodies leave it as it was; and
// verifiers made per request (and never freed) keep a bounded number of prepared keys.
// (make bench runs 1,000,000 verifications; this is the smaller count make test affords.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { WebhookVerifier, parseEvent } from "zentitle-webhooks";

import { core } from "../../pkg/lib/core.mjs";
import { MAX_RESIDENT_VERIFIERS } from "../../pkg/lib/verifier.mjs";
import { body, keyForms, vectors } from "./fixtures.mjs";

const good = vectors.cases.find((c) => c.valid && c.event && c.key === "rsa2048");
const raw = body(good.body);
const key = keyForms("rsa2048")["modulus string"];

test("wasm memory is flat over 100,000 mixed verifications after warm-up", () => {
  const verifier = new WebhookVerifier({ key });
  const tampered = Buffer.from(raw);
  tampered[20] ^= 1;
  const round = (i) => {
    switch (i % 4) {
      case 0:
        return verifier.verify(raw, good.signature);
      case 1:
        return verifier.safeVerify(tampered, good.signature);
      case 2:
        return verifier.safeVerify(raw, "not base64!");
      default:
        return verifier.verifySignature(raw.toString(), { "n-signature": good.signature });
    }
  };
  for (let i = 0; i < 10_000; i++) round(i);
  const afterWarmUp = core.memoryBytes;
  for (let i = 0; i < 100_000; i++) round(i);
  assert.equal(core.memoryBytes, afterWarmUp, `grew from ${afterWarmUp} to ${core.memoryBytes} bytes`);
  // Many verifiers made and freed do not grow it either.
  for (let i = 0; i < 2_000; i++) new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"] }).free();
  assert.equal(core.memoryBytes, afterWarmUp);
});

test("100 MiB bodies (Buffer and string) are refused before they reach the module", async () => {
  const verifier = new WebhookVerifier({ key });
  verifier.verify(raw, good.signature);
  const before = core.memoryBytes;
  const buffer = Buffer.alloc(100 * 1024 * 1024, 0x20);
  const string = " ".repeat(100 * 1024 * 1024);
  for (const huge of [buffer, string, buffer.buffer, new DataView(buffer.buffer)]) {
    assert.throws(() => verifier.verify(huge, good.signature), { code: "body_too_large" });
    assert.throws(() => verifier.verifySignature(huge, good.signature), { code: "body_too_large" });
    assert.equal(verifier.safeVerify(huge, good.signature).code, "body_too_large");
    await assert.rejects(verifier.verifyAsync(huge, good.signature), { code: "body_too_large" });
    assert.throws(() => parseEvent(huge), { code: "body_too_large" });
  }
  // verifyRequest refuses on the declared length, before the body is read.
  const request = new Request("http://127.0.0.1/", {
    method: "POST",
    body: buffer,
    headers: { "n-signature": good.signature, "content-length": String(buffer.length) },
  });
  await assert.rejects(verifier.verifyRequest(request), { code: "body_too_large" });
  const after = core.memoryBytes;
  console.log(`# wasm memory: ${before} bytes before the 100 MiB bodies, ${after} after`);
  assert.equal(after, before, `grew from ${before} to ${after} bytes`);
  assert.equal(verifier.verify(raw, good.signature).eventId, good.event.eventId);
});

test("a huge signature header or key is refused before any copy", () => {
  const verifier = new WebhookVerifier({ key });
  const before = core.memoryBytes;
  const huge = "A".repeat(50 * 1024 * 1024);
  assert.throws(() => verifier.verify(raw, huge), { code: "malformed_signature" });
  assert.equal(verifier.verifySignature(raw, huge), false);
  assert.throws(() => new WebhookVerifier({ key: huge }), { code: "invalid_key" });
  assert.equal(core.memoryBytes, before);
});

test(`verifiers made per request keep at most ${MAX_RESIDENT_VERIFIERS} prepared key sets in the module`, () => {
  const verifiers = [];
  for (let i = 0; i < 100; i++) verifiers.push(new WebhookVerifier({ key }));
  const before = core.memoryBytes;
  for (let i = 0; i < 20_000; i++) new WebhookVerifier({ key }).verifySignature(raw, good.signature);
  const after = core.memoryBytes;
  console.log(`# wasm memory: ${before} bytes before 20,000 verifiers made and dropped, ${after} after`);
  assert.ok(after - before <= 4 * 1024 * 1024, `grew from ${before} to ${after} bytes`);
  // Verifiers whose keys were evicted prepare them again, transparently.
  for (const v of verifiers) assert.equal(v.verify(raw, good.signature).eventId, good.event.eventId);
});
