// An authentic event whose payload does not fit its documented shape is never lost: verify()
// refuses it with invalid_event but hands over the verified event as error.event; a body that
// is not an envelope, or not authentic, carries no event.
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { test } from "node:test";

import { WebhookVerifier } from "zentitle-webhooks";

import { keyForms, privateKeyPem } from "./fixtures.mjs";

const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const signed = (event) => {
  const body = JSON.stringify(event);
  return [body, sign("sha256", Buffer.from(body), privateKey).toString("base64")];
};
const envelope = {
  eventId: "event_AAAAAAAAAAAAAAAAAAAAAA",
  eventDate: "2026-11-27T10:15:30Z",
  eventCode: "entitlement.seat.activated",
  resourceId: "act_1",
  callAttempt: 1,
};

test("a signed event with a payload that does not fit: invalid_event, with the event on the error", () => {
  const [body, signature] = signed({ ...envelope, payload: { entitlementId: "ent_1", activationId: "act_1", seatId: 7 } });
  const error = (() => {
    try {
      verifier.verify(body, signature);
    } catch (e) {
      return e;
    }
  })();
  assert.equal(error.code, "invalid_event");
  assert.equal(error.hint, "payload.seatId must be a string.");
  assert.deepEqual(error.event, JSON.parse(body));
});

test("no event on the error when the envelope is broken or the signature is wrong", () => {
  const [body, signature] = signed({ ...envelope, callAttempt: 0, payload: {} });
  assert.throws(
    () => verifier.verify(body, signature),
    (e) => e.code === "invalid_event" && e.event === undefined,
  );
  const [good] = signed({ ...envelope, payload: { entitlementId: "ent_1", activationId: "act_1", seatId: 7 } });
  assert.throws(
    () => verifier.verify(good, signature),
    (e) => e.code === "invalid_signature" && e.event === undefined,
  );
});

test("the replay window applies to a signed event whose payload does not fit: a 2020 one is stale", async () => {
  const old = { ...envelope, eventDate: "2020-01-01T00:00:00Z" };
  const [body, signature] = signed({ ...old, payload: { entitlementId: "ent_1", activationId: "act_1", seatId: 7 } });
  const windowed = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"], maxAgeSeconds: 300 });
  assert.throws(
    () => windowed.verify(body, signature),
    (e) => e.code === "stale_event" && e.event === undefined,
  );
  // Without a window it is the unfit event, handed over.
  assert.equal(verifier.safeVerify(body, signature).code, "invalid_event");
  // The receiver refuses it (401) and runs no handler.
  const { WebhookReceiver } = await import("zentitle-webhooks");
  const receiver = new WebhookReceiver({ key: keyForms("rsa2048")["modulus string"], maxAgeSeconds: 300 });
  let ran = 0;
  receiver.onAny(() => ran++);
  const result = await receiver.receive({ body, headers: { "n-signature": signature } });
  assert.deepEqual([result.status, result.code, ran], [401, "stale_event", 0]);
  // Within the window, the unfit event still reaches onAny.
  const [fresh, freshSignature] = signed({ ...envelope, eventDate: new Date().toISOString(), payload: { seatId: 7 } });
  const ok = await receiver.receive({ body: fresh, headers: { "n-signature": freshSignature } });
  assert.deepEqual([ok.status, ran], [200, 1]);
});
