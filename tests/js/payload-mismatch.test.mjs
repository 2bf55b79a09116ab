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
