// Bytes, Dates and Maps from another realm (node:vm, as in Jest's environments, jsdom and
// iframes) are read like this realm's: by brand, not by `instanceof`.
import assert from "node:assert/strict";
import { createPrivateKey, sign } from "node:crypto";
import { test } from "node:test";
import vm from "node:vm";

import { WebhookVerifier, parseEvent } from "zentitle-webhooks";
import { signPayload } from "zentitle-webhooks/testing";

import { keyFile, keyForms, privateKeyPem } from "./fixtures.mjs";

const body = `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}`;
const signature = sign("sha256", Buffer.from(body), createPrivateKey(privateKeyPem("rsa2048"))).toString("base64");
const other = vm.createContext({});
const foreign = (code, values = {}) => {
  Object.assign(other, values);
  return vm.runInContext(code, other);
};

test("typed arrays, ArrayBuffers and DataViews of another realm are raw bodies", () => {
  const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
  const bytes = [...Buffer.from(body)];
  const views = {
    Uint8Array: foreign("new Uint8Array(bytes)", { bytes }),
    ArrayBuffer: foreign("new Uint8Array(bytes).buffer", { bytes }),
    DataView: foreign("new DataView(new Uint8Array(bytes).buffer)", { bytes }),
    "Uint8Array at an offset": foreign("new Uint8Array([0, 0, ...bytes]).subarray(2)", { bytes }),
  };
  for (const [what, view] of Object.entries(views)) {
    assert.equal(view instanceof Uint8Array || view instanceof ArrayBuffer || view instanceof DataView, false, `${what} is foreign`);
    assert.equal(verifier.verify(view, signature).eventId, "event_AAAAAAAAAAAAAAAAAAAAAA", what);
    assert.equal(verifier.verifySignature(view, signature), true, what);
    assert.equal(parseEvent(view).eventCode, "customer.created", what);
  }
});

test("a foreign Date as `now`, a foreign Map of headers, foreign DER key bytes", () => {
  const der = [...keyFile("rsa2048.spki.der")];
  const verifier = new WebhookVerifier({ key: foreign("new Uint8Array(der)", { der }), maxAgeSeconds: 60 });
  const headers = foreign("new Map([['N-Signature', sig]])", { sig: signature });
  const now = foreign("new Date('2026-11-27T10:15:40Z')");
  assert.equal(verifier.verify(body, headers, { now }).eventId, "event_AAAAAAAAAAAAAAAAAAAAAA");
  assert.equal(verifier.safeVerify(body, headers, { now: foreign("new Date('2026-11-28T10:15:40Z')") }).code, "stale_event");
  assert.equal(signPayload(foreign("new Uint8Array(b)", { b: [...Buffer.from(body)] }), privateKeyPem("rsa2048")), signature);
});

test("a foreign object as options is read as options", () => {
  const verifier = new WebhookVerifier(foreign("({ key: k })", { k: keyForms("rsa2048")["modulus string"] }));
  assert.throws(
    () => verifier.verify(body, signature, foreign("({ maxAge: 5 })")),
    (e) => e instanceof TypeError && /maxAgeSeconds/.test(e.message),
  );
});
