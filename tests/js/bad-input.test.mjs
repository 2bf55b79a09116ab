// The bad-input table of the README, row by row: each input gets its code, nothing throws
// anything but a WebhookVerificationError, and no message contains the key or the body.
import assert from "node:assert/strict";
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { describe, test } from "node:test";

import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

import { keyFile, keyForms, privateKeyPem } from "./fixtures.mjs";

const modulus = keyForms("rsa2048")["modulus string"].trim();
const jwk = keyForms("rsa2048")["JWK object"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const signed = (body) => ({ body, signature: sign("sha256", Buffer.from(body), privateKey).toString("base64") });
const verifier = new WebhookVerifier({ key: modulus });
const event = (extra = "") =>
  `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}${extra}}`;

function failure(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, `expected WebhookVerificationError, got ${error?.name}: ${error?.message}`);
    assert.ok(!error.message.includes(modulus.slice(0, 24)), "message leaks the key");
    assert.ok(!error.hint?.includes(modulus.slice(0, 24)), "hint leaks the key");
    if (error.hint) assert.ok(!error.message.includes(error.hint), "the hint is not repeated in the message");
    return error;
  }
  assert.fail("accepted");
}
const pemBody = (pem) =>
  pem
    .split("\n")
    .filter((line) => line && !line.startsWith("-----"))
    .join("");
const withBody = (body, signature, v = verifier) => failure(() => v.verify(body, signature));

describe("bad input table", () => {
  const good = signed(event());
  const rows = [
    ["empty body (already consumed)", () => withBody("", good.signature), "invalid_signature", /empty/],
    ["body over maxBodyBytes", () => withBody("x".repeat(1025), good.signature, new WebhookVerifier({ key: modulus, maxBodyBytes: 1024 })), "body_too_large"],
    ["body over the 1 MiB default", () => withBody(Buffer.alloc((1 << 20) + 1, 0x20), good.signature), "body_too_large"],
    [
      "invalid UTF-8 (signed)",
      () => {
        const b = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
        return withBody(b, sign("sha256", b, privateKey).toString("base64"));
      },
      "invalid_json",
      /UTF-8/,
    ],
    [
      "a BOM (signed)",
      () => {
        const s = signed("\uFEFF" + event());
        return withBody(s.body, s.signature);
      },
      "invalid_json",
      /BOM/,
    ],
    ["a BOM added in transit", () => withBody("\uFEFF" + good.body, good.signature), "invalid_signature", /BOM/],
    [
      "JSON nested 10,000 deep (signed)",
      () => {
        const s = signed(event(`,"deep":${"[".repeat(10000)}${"]".repeat(10000)}`));
        return withBody(s.body, s.signature);
      },
      "invalid_json",
    ],
    [
      "huge numbers (signed)",
      () => {
        const s = signed(event().replace('"callAttempt":1', '"callAttempt":123456789012345678901234567890'));
        return withBody(s.body, s.signature);
      },
      "invalid_event",
      /callAttempt/,
    ],
    [
      "a number beyond f64 (signed)",
      () => {
        const s = signed(event(',"x":1e400'));
        return withBody(s.body, s.signature);
      },
      "invalid_json",
    ],
    ["a 10 KB header of base64", () => withBody(good.body, "A".repeat(10240)), "signature_length"],
    ["a 10 KB header of junk", () => withBody(good.body, "\u00e9".repeat(10240)), "malformed_signature"],
    ["a signature with embedded newlines", () => withBody(good.body, good.signature.replace(/(.{64})/g, "$1\n")), "malformed_signature"],
    [
      "a 512-bit key",
      () => failure(() => new WebhookVerifier({ key: generateKeyPairSync("rsa", { modulusLength: 512 }).publicKey.export({ format: "jwk" }) })),
      "weak_key",
    ],
    ["a 1024-bit key", () => failure(() => new WebhookVerifier({ key: keyFile("weak1024.spki.pem").toString() })), "weak_key"],
    ["exponent 1", () => failure(() => new WebhookVerifier({ key: { ...jwk, e: "AQ" } })), "invalid_key", /exponent/],
    ["an even exponent", () => failure(() => new WebhookVerifier({ key: { ...jwk, e: "AQAC" } })), "invalid_key", /exponent/],
    ["an even modulus", () => failure(() => new WebhookVerifier({ key: modulus.slice(0, -1) + "A" })), "invalid_key", /even/],
    ["a truncated PEM", () => failure(() => new WebhookVerifier({ key: keyFile("rsa2048.spki.pem").toString().slice(0, 300) })), "invalid_key", /cut short/],
    ["a PEM certificate", () => failure(() => new WebhookVerifier({ key: keyFile("rsa2048.cert.pem").toString() })), "invalid_key", /certificate/],
    ["a private key", () => failure(() => new WebhookVerifier({ key: privateKeyPem("rsa2048") })), "invalid_key", /private key/],
    [
      "a PEM whose END label is not its BEGIN label",
      () => failure(() => new WebhookVerifier({ key: keyFile("rsa2048.spki.pem").toString().replace("END PUBLIC KEY", "END RSA PRIVATE KEY") })),
      "invalid_key",
      /does not match/,
    ],
    [
      "two PEM blocks",
      () => failure(() => new WebhookVerifier({ key: keyFile("rsa2048.spki.pem").toString() + keyFile("other2048.spki.pem").toString() })),
      "invalid_key",
      /more than one/,
    ],
    [
      "a private key's DER pasted as bare base64",
      () => failure(() => new WebhookVerifier({ key: pemBody(privateKeyPem("rsa2048")) })),
      "invalid_key",
      /private key/,
    ],
    [
      "a genuine signature replayed over a 64 KiB body built against the diagnosis",
      () => withBody(`{"payload":${"[".repeat(62)}${"0,".repeat(32000)}0${"]".repeat(62)}}`, good.signature),
      "invalid_signature",
      /not diagnosed further/,
    ],
    [
      "a signed event dated 2020 whose payload does not fit, with maxAgeSeconds",
      () => {
        const old = signed(event().replace("2026-11-27T10:15:30Z", "2020-01-01T00:00:00Z").replace('"customerId":"cust_1"', '"customerId":7'));
        return withBody(old.body, old.signature, new WebhookVerifier({ key: modulus, maxAgeSeconds: 300 }));
      },
      "stale_event",
    ],
  ];
  for (const [what, run, code, hint] of rows) {
    test(`${what}: ${code}`, () => {
      const error = run();
      assert.equal(error.code, code);
      if (hint) assert.match(`${error.message} ${error.hint}`, hint);
    });
  }

  test("a chunked body over maxBodyBytes to verifyRequest: body_too_large, read no further", async () => {
    let pulled = 0;
    const stream = new ReadableStream({
      pull(controller) {
        pulled += 4096;
        controller.enqueue(new Uint8Array(4096));
      },
    });
    const request = new Request("http://127.0.0.1/", { method: "POST", body: stream, duplex: "half", headers: { "n-signature": good.signature } });
    await assert.rejects(new WebhookVerifier({ key: modulus, maxBodyBytes: 10_000 }).verifyRequest(request), { code: "body_too_large" });
    assert.ok(pulled <= 10_000 + 4 * 4096, `${pulled} bytes pulled`);
  });

  test("duplicate keys: the last one wins, in the checks and in the event (as JSON.parse)", () => {
    const s = signed(event().replace('"callAttempt":1', '"callAttempt":0,"callAttempt":2'));
    assert.equal(verifier.verify(s.body, s.signature).callAttempt, 2);
    const bad = signed(event().replace('"callAttempt":1', '"callAttempt":2,"callAttempt":0'));
    assert.equal(withBody(bad.body, bad.signature).code, "invalid_event");
  });

  test("a DER key pasted as bare base64 (no BEGIN/END lines) is read as DER", () => {
    for (const file of ["rsa2048.spki.pem", "rsa2048.pkcs1.pem"]) {
      const v = new WebhookVerifier({ key: pemBody(keyFile(file).toString()) });
      assert.equal(v.verify(good.body, good.signature).eventCode, "customer.created", file);
    }
  });

  test("a JWK with private members is used as its public half", () => {
    const { privateKey: k } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privateJwk = k.export({ format: "jwk" });
    assert.ok(privateJwk.d);
    const v = new WebhookVerifier({ key: privateJwk });
    const body = event();
    assert.equal(v.verifySignature(body, sign("sha256", Buffer.from(body), k).toString("base64")), true);
  });

  test("after all of it, the verifier still verifies", () => {
    assert.equal(verifier.verify(good.body, good.signature).eventCode, "customer.created");
  });
});
