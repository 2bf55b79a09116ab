// Bodies read from a stream are counted as they arrive and the read stops at the limit:
// verifyRequest() given a chunked body of several hundred MiB (a ReadableStream generating
// chunks, no Content-Length) refuses it with body_too_large having pulled little more than the
// limit, and the process's memory grows by about the limit, not by the body.
import assert from "node:assert/strict";
import { test } from "node:test";

import { WebhookVerifier } from "zentitle-webhooks";
import { buildSignedRequest, generateTestKeyPair } from "zentitle-webhooks/testing";

const pair = await generateTestKeyPair();
const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

/** A stream of `total` bytes in 64 KiB chunks, made as they are pulled; counts what was pulled. */
function generated(total) {
  const state = { pulled: 0, cancelled: false };
  const chunk = new Uint8Array(CHUNK).fill(0x20);
  state.stream = new ReadableStream(
    {
      pull(controller) {
        if (state.pulled >= total) return controller.close();
        state.pulled += CHUNK;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return state;
}

function chunkedRequest(stream, signature) {
  return new Request("http://127.0.0.1/webhooks", { method: "POST", body: stream, duplex: "half", headers: { "n-signature": signature } });
}

test("verifyRequest: a 400 MiB chunked body stops at maxBodyBytes, memory stays near the limit", async () => {
  const verifier = new WebhookVerifier({ key: pair.modulus });
  globalThis.gc?.();
  const before = process.memoryUsage();
  const source = generated(400 * MiB);
  await assert.rejects(verifier.verifyRequest(chunkedRequest(source.stream, "AAAA")), { code: "body_too_large" });
  const after = process.memoryUsage();
  const grew = Math.max(after.rss - before.rss, after.arrayBuffers - before.arrayBuffers);
  console.log(`# pulled ${(source.pulled / MiB).toFixed(2)} MiB of 400; rss +${((after.rss - before.rss) / MiB).toFixed(1)} MiB`);
  // The limit (1 MiB), the chunk in hand and what the stream's internals queued: a few chunks.
  assert.ok(source.pulled <= MiB + 8 * CHUNK, `pulled ${source.pulled} bytes`);
  assert.ok(source.cancelled, "the stream was cancelled");
  assert.ok(grew < 64 * MiB, `memory grew by ${grew} bytes`);
});

test("verifyRequest: a chunked body within the limit verifies, byte for byte", async () => {
  const verifier = new WebhookVerifier({ key: pair.modulus, maxBodyBytes: 4096 });
  const delivery = buildSignedRequest({ privateKey: pair.privateKeyPem, eventCode: "customer.created" });
  const bytes = new TextEncoder().encode(delivery.body);
  // Split into 7-byte chunks, without Content-Length.
  const stream = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
  const { event, rawBody } = await verifier.verifyRequest(chunkedRequest(stream, delivery.headers["n-signature"]));
  assert.equal(rawBody, delivery.body);
  assert.equal(event.eventId, JSON.parse(delivery.body).eventId);
  // One byte over the limit is refused, as it arrives.
  const over = new Uint8Array(4097).fill(0x20);
  await assert.rejects(verifier.verifyRequest(chunkedRequest(new Blob([over]).stream(), "AAAA")), { code: "body_too_large" });
  // Exactly at the limit is read (and then refused for its signature).
  const at = new Uint8Array(4096).fill(0x20);
  await assert.rejects(verifier.verifyRequest(chunkedRequest(new Blob([at]).stream(), "AAAA")), { code: "signature_length" });
});

test("verifyRequest: a stream that fails or gives other than bytes is a TypeError", async () => {
  const verifier = new WebhookVerifier({ key: pair.modulus });
  const failing = new ReadableStream({
    pull() {
      throw new Error("connection reset");
    },
  });
  await assert.rejects(verifier.verifyRequest(chunkedRequest(failing, "AAAA")), (e) => e instanceof TypeError && e.code === "invalid_argument");
  const fake = {
    arrayBuffer: async () => new ArrayBuffer(0),
    headers: new Headers({ "n-signature": "AAAA" }),
    bodyUsed: false,
    body: new ReadableStream({
      start(controller) {
        controller.enqueue("text, not bytes");
        controller.close();
      },
    }),
  };
  await assert.rejects(verifier.verifyRequest(fake), (e) => e instanceof TypeError);
});
