// The checks both environments run: bytes made in the test's realm, a Date and a Map from it.
const { createPrivateKey, sign } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const { WebhookReceiver, WebhookVerifier } = require("zentitle-webhooks");
const { buildSignedRequest, generateTestKeyPair } = require("zentitle-webhooks/testing");

const keys = join(__dirname, "../fixtures/keys");
const modulus = readFileSync(join(keys, "rsa2048.modulus.txt"), "utf8").trim();
const body = `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}`;
const signature = sign("sha256", Buffer.from(body), createPrivateKey(readFileSync(join(keys, "rsa2048.key.pem"), "utf8"))).toString("base64");

module.exports = function checks() {
  const verifier = new WebhookVerifier({ key: modulus });

  test("bytes made in the test's realm verify", () => {
    const bytes = new Uint8Array([...body].map((c) => c.charCodeAt(0)));
    expect(verifier.verify(bytes, signature).eventCode).toBe("customer.created");
    expect(verifier.verify(bytes.buffer, signature).eventId).toBe("event_AAAAAAAAAAAAAAAAAAAAAA");
    expect(verifier.verifySignature(new DataView(bytes.buffer), signature)).toBe(true);
  });

  test("a Date and a Map from the test's realm", () => {
    const v = new WebhookVerifier({ key: modulus, maxAgeSeconds: 60 });
    const headers = new Map([["N-Signature", signature]]);
    expect(v.verify(body, headers, { now: new Date("2026-11-27T10:15:40Z") }).eventCode).toBe("customer.created");
    expect(v.safeVerify(body, headers, { now: new Date("2026-11-28T10:15:40Z") }).code).toBe("stale_event");
  });

  test("the test kit and the receiver", async () => {
    const pair = await generateTestKeyPair({ bits: 1024 });
    const request = buildSignedRequest({ privateKey: pair.privateKeyPem, eventCode: "entitlement.seat.activated" });
    const seen = [];
    const receiver = new WebhookReceiver({ key: pair.modulus, minKeyBits: 1024 }).on("entitlement.seat.activated", (event) => {
      seen.push(event.payload.seatId);
    });
    const result = await receiver.receive({ body: new Uint8Array([...Buffer.from(request.body)]), headers: request.headers });
    expect(result.status).toBe(200);
    expect(seen).toHaveLength(1);
  });
};
