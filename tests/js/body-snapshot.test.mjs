// The bytes verified are the bytes typed: a body in a SharedArrayBuffer that another thread
// keeps changing between a signed and an unsigned version is copied once, and both the
// verification and the event come from that copy. Over many tries, no accepted verification
// returns an event that was not signed (before the copy, about one in eleven did).
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { test } from "node:test";
import { Worker } from "node:worker_threads";

import { WebhookReceiver, WebhookVerifier } from "zentitle-webhooks";

import { keyForms, privateKeyPem } from "./fixtures.mjs";

const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const event = (id) => ({
  eventId: `event_${id.repeat(22)}`,
  eventDate: "2026-11-27T10:15:30Z",
  eventCode: "customer.created",
  resourceId: "cust_AAAAAAAAAAAAAAAAAAAAAA",
  callAttempt: 1,
  payload: { customerId: "cust_AAAAAAAAAAAAAAAAAAAAAA", name: `${id.repeat(400)}` },
});
const signedText = JSON.stringify(event("A"));
const unsignedText = JSON.stringify(event("B")); // same length, never signed
const signature = sign("sha256", Buffer.from(signedText), privateKey).toString("base64");

/** A worker that writes the signed and the unsigned body into `shared`, in turn, until told to stop. */
function flipper(shared, stop) {
  const source = `
    const { workerData } = require("node:worker_threads");
    const view = new Uint8Array(workerData.shared);
    const stop = new Int32Array(workerData.stop);
    const a = Buffer.from(workerData.a), b = Buffer.from(workerData.b);
    while (Atomics.load(stop, 0) === 0) { view.set(b); view.set(a); }
  `;
  return new Worker(source, { eval: true, workerData: { shared, stop, a: signedText, b: unsignedText } });
}

async function underMutation(check, tries) {
  const shared = new SharedArrayBuffer(signedText.length);
  new Uint8Array(shared).set(Buffer.from(signedText));
  const stop = new SharedArrayBuffer(4);
  const worker = flipper(shared, stop);
  await new Promise((resolve) => worker.once("online", resolve));
  const counts = { accepted: 0, refused: 0, unsigned: 0 };
  try {
    for (let i = 0; i < tries; i++) await check(new Uint8Array(shared), counts);
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await worker.terminate();
  }
  return counts;
}

const TRIES = 2000;

test(`verify(): no unsigned event over ${TRIES} verifications of a body another thread changes`, async () => {
  const verifier = new WebhookVerifier({ key });
  const counts = await underMutation((bytes, counts) => {
    const result = verifier.safeVerify(bytes, signature);
    if (!result.ok) return void counts.refused++;
    counts.accepted++;
    if (JSON.stringify(result.event) !== signedText) counts.unsigned++;
  }, TRIES);
  console.log(`# accepted ${counts.accepted}, refused ${counts.refused}, unsigned events ${counts.unsigned}`);
  assert.equal(counts.unsigned, 0);
  assert.equal(counts.accepted + counts.refused, TRIES);
});

test("verifyAsync() and the receiver: no unsigned event either", async () => {
  const verifier = new WebhookVerifier({ key });
  const receiver = new WebhookReceiver({ key });
  const seen = [];
  receiver.onAny((e) => seen.push(JSON.stringify(e)));
  const counts = await underMutation(async (bytes, counts) => {
    const result = await verifier.verifyAsync(bytes, signature).catch(() => undefined);
    if (result === undefined) return void counts.refused++;
    counts.accepted++;
    if (JSON.stringify(result.event) !== signedText) counts.unsigned++;
    await receiver.receive({ body: bytes, headers: { "n-signature": signature } });
  }, TRIES / 2);
  console.log(`# accepted ${counts.accepted}, refused ${counts.refused}, unsigned events ${counts.unsigned}; receiver ran ${seen.length}`);
  assert.equal(counts.unsigned, 0);
  assert.ok(
    seen.every((text) => text === signedText),
    "the receiver ran only the signed event",
  );
});
