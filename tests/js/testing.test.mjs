// The test kit (zentitle-webhooks/testing), checked against independent verifiers: Node's
// crypto.verify and WebCrypto must accept what it signs and the keys it makes.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, randomBytes, sign, verify, webcrypto } from "node:crypto";
import { describe, test } from "node:test";

import { WebhookVerificationError, WebhookVerifier, isKnownEventCode, parseEvent } from "zentitle-webhooks";
import { buildSignedRequest, createTestEvent, generateTestKeyPair, signPayload, tamperBody, tamperSignature } from "zentitle-webhooks/testing";

import { body, privateKeyPem, vectors } from "./fixtures.mjs";

const pair = await generateTestKeyPair();
const allCodes = [...new Set(vectors.cases.filter((c) => c.event).map((c) => c.event.eventCode))];

describe("keys", () => {
  test("a generated key imports into Node's crypto and WebCrypto", async () => {
    const publicKey = createPublicKey(pair.publicKeyPem);
    assert.equal(publicKey.asymmetricKeyDetails.modulusLength, 2048);
    assert.equal(publicKey.asymmetricKeyDetails.publicExponent, 65537n);
    assert.equal(createPublicKey({ key: pair.jwk, format: "jwk" }).export({ format: "jwk" }).n, pair.modulus);
    const privateKey = createPrivateKey(pair.privateKeyPem);
    const body = Buffer.from('{"from":"node"}');
    // Node signs, our verifier accepts; WebCrypto imports the JWK and accepts our signature.
    assert.ok(new WebhookVerifier({ key: pair.modulus }).verifySignature(body, sign("sha256", body, privateKey).toString("base64")));
    const cryptoKey = await webcrypto.subtle.importKey("jwk", pair.jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    const ours = Buffer.from(signPayload(body, pair.privateKeyPem), "base64");
    assert.equal(await webcrypto.subtle.verify("RSASSA-PKCS1-v1_5", cryptoKey, ours, body), true);
  });
  test("sizes", async () => {
    for (const bits of [1024, 3072]) {
      const p = await generateTestKeyPair({ bits });
      assert.equal(createPublicKey(p.publicKeyPem).asymmetricKeyDetails.modulusLength, bits);
    }
    await assert.rejects(generateTestKeyPair({ bits: 512 }), TypeError);
    await assert.rejects(generateTestKeyPair({ bits: 1000 }), TypeError);
    await assert.rejects(generateTestKeyPair({ bits: "big" }), TypeError);
  });
});

describe("signatures", () => {
  const publicKey = createPublicKey(pair.publicKeyPem);
  test("Node's crypto.verify accepts every signature the kit makes (200 random bodies)", () => {
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      const body = randomBytes((i * 37) % 3000);
      accepted += verify("sha256", body, publicKey, Buffer.from(signPayload(body, pair.privateKeyPem), "base64")) ? 1 : 0;
    }
    assert.equal(accepted, 200);
  });
  test("the same signature as OpenSSL (PKCS#1 v1.5 is deterministic)", () => {
    for (const c of vectors.cases.filter((c) => c.valid && c.key === "rsa2048").slice(0, 6)) {
      assert.equal(signPayload(body(c.body), privateKeyPem("rsa2048")), c.signature, c.name);
    }
  });
  test("a PKCS#1 private key and DER work too; a public key is refused with a hint", () => {
    const pkcs1 = createPrivateKey(pair.privateKeyPem).export({ type: "pkcs1", format: "pem" });
    const der = createPrivateKey(pair.privateKeyPem).export({ type: "pkcs8", format: "der" });
    const body = "{}";
    assert.equal(signPayload(body, pkcs1), signPayload(body, pair.privateKeyPem));
    assert.equal(signPayload(body, new Uint8Array(der)), signPayload(body, pair.privateKeyPem));
    assert.throws(
      () => signPayload(body, pair.publicKeyPem),
      (e) => e instanceof WebhookVerificationError && e.code === "invalid_key" && /private key/.test(e.hint),
    );
    assert.throws(() => signPayload(body), TypeError);
  });
});

describe("events and deliveries", () => {
  const verifier = new WebhookVerifier({ key: pair.jwk, maxAgeSeconds: 60 });
  for (const code of allCodes) {
    test(`createTestEvent("${code}") verifies and types`, () => {
      const event = createTestEvent(code);
      assert.equal(event.eventCode, code);
      assert.match(event.eventId, /^event_[A-Za-z0-9_-]{22}$/);
      const body = JSON.stringify(event);
      const verified = verifier.verify(body, signPayload(body, pair.privateKeyPem));
      assert.deepEqual(verified, event);
      if (isKnownEventCode(code)) assert.deepEqual(parseEvent(body), event);
    });
  }
  test("overrides and the clock", () => {
    const event = createTestEvent("entitlement.seat.deactivated", { callAttempt: 4, payload: { seatsUsed: 0, seatName: null } }, { now: Date.UTC(2026, 0, 2) });
    assert.equal(event.callAttempt, 4);
    assert.equal(event.payload.seatsUsed, 0);
    assert.equal("seatName" in event.payload, false);
    assert.equal(event.eventDate, "2026-01-02T00:00:00.0000000Z");
    assert.throws(() => createTestEvent(5), TypeError);
  });
  test("buildSignedRequest gives body, headers and a Request that verify", async () => {
    const delivery = buildSignedRequest({ privateKey: pair.privateKeyPem, eventCode: "customer.created", url: "http://127.0.0.1:9/hook" });
    assert.equal(delivery.headers["n-signature"], delivery.signature);
    assert.equal(verifier.verify(delivery.body, delivery.headers).eventCode, "customer.created");
    const { event, rawBody } = await verifier.verifyRequest(delivery.request);
    assert.equal(rawBody, delivery.body);
    assert.equal(event.eventCode, "customer.created");
    assert.equal(delivery.request.url, "http://127.0.0.1:9/hook");
    const fromBody = buildSignedRequest({ privateKey: pair.privateKeyPem, body: "not json" });
    assert.equal(verifier.verifySignature(fromBody.body, fromBody.headers), true);
  });
  test("tampered bodies and signatures are refused", () => {
    for (const code of allCodes) {
      const { body, signature } = buildSignedRequest({ privateKey: pair.privateKeyPem, eventCode: code });
      const tampered = tamperBody(body);
      assert.notEqual(tampered, body);
      JSON.parse(tampered); // still JSON
      assert.equal(verifier.safeVerify(tampered, signature).code, "invalid_signature");
      assert.equal(verifier.safeVerify(body, tamperSignature(signature)).code, "invalid_signature");
    }
  });
});
