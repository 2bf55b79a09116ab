// Memory: the wasm instance's memory does not grow after warm-up, whatever the verdicts.
// (make bench runs 1,000,000 verifications; this is the smaller count make test affords.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { WebhookVerifier } from "zentitle-webhooks";
import { initSync } from "../../pkg/wasm/zentitle_webhooks.js";

import { body, keyForms, vectors } from "./fixtures.mjs";

test("wasm memory is flat over 100,000 mixed verifications after warm-up", () => {
  // initSync returns the already-initialised instance's exports, and with them its memory.
  const { memory } = initSync({ module: readFileSync(new URL("../../pkg/wasm/zentitle_webhooks_bg.wasm", import.meta.url)) });
  const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
  const good = vectors.cases.find((c) => c.valid && c.event && c.key === "rsa2048");
  const raw = body(good.body);
  const tampered = Buffer.from(raw);
  tampered[20] ^= 1;
  const round = (i) => {
    switch (i % 4) {
      case 0: return verifier.verify(raw, good.signature);
      case 1: return verifier.safeVerify(tampered, good.signature);
      case 2: return verifier.safeVerify(raw, "not base64!");
      default: return verifier.verifySignature(raw.toString(), { "n-signature": good.signature });
    }
  };
  for (let i = 0; i < 10_000; i++) round(i);
  const afterWarmUp = memory.buffer.byteLength;
  for (let i = 0; i < 100_000; i++) round(i);
  assert.equal(memory.buffer.byteLength, afterWarmUp, `grew from ${afterWarmUp} to ${memory.buffer.byteLength} bytes`);
  // Many verifiers made and freed do not grow it either.
  for (let i = 0; i < 2_000; i++) new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"] }).free();
  assert.equal(memory.buffer.byteLength, afterWarmUp);
});
