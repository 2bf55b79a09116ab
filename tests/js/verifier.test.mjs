// The built package through its ESM entry (`import`), on the OpenSSL vectors and against
// signatures made by Node's own crypto.
import assert from "node:assert/strict";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { describe, test } from "node:test";

import { WebhookReceiver, WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

import { body, keyForms, privateKeyPem, vectors } from "./fixtures.mjs";

const modulus = vectors.keys.rsa2048.modulus;
const verifier = new WebhookVerifier({ key: modulus });
const good = vectors.cases.find((c) => c.valid && c.key === "rsa2048" && c.body === "event.json");
const eventBody = body("event.json");

function codeOf(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof WebhookVerificationError, `expected WebhookVerificationError, got ${error}`);
    assert.equal(error.name, "WebhookVerificationError");
    return error.code;
  }
  assert.fail("did not throw");
}

describe("OpenSSL vectors", () => {
  for (const key of ["rsa2048", "rsa3072", "rsa4096"]) {
    for (const [form, value] of Object.entries(keyForms(key))) {
      test(`${key} as ${form}`, () => {
        const v = new WebhookVerifier({ key: value });
        for (const c of vectors.cases.filter((c) => c.key === key)) {
          const b = body(c.body);
          assert.equal(v.verifySignature(b, c.signature), c.valid, c.name);
          if (c.valid) {
            const notAnEvent = { "empty.txt": "invalid_json", "crlf.json": "invalid_event", "pretty.json": "invalid_event", "1mib.json": "invalid_event" };
            if (notAnEvent[c.body]) {
              assert.equal(
                codeOf(() => v.verify(b, c.signature)),
                notAnEvent[c.body],
                `${c.name}: verified, but not an event`,
              );
            } else {
              assert.deepEqual(v.verify(b, c.signature), JSON.parse(b.toString("utf8")), c.name);
            }
          } else {
            assert.equal(
              codeOf(() => v.verify(b, c.signature)),
              c.code,
              c.name,
            );
          }
        }
      });
    }
  }
});

describe("body types", () => {
  const text = eventBody.toString("utf8");
  const inBigger = new Uint8Array(eventBody.length + 20);
  inBigger.set(eventBody, 7);
  const bodies = {
    string: text,
    Buffer: eventBody,
    Uint8Array: new Uint8Array(eventBody),
    ArrayBuffer: new Uint8Array(eventBody).buffer,
    DataView: new DataView(new Uint8Array(eventBody).buffer),
    "Uint8Array view at an offset": inBigger.subarray(7, 7 + eventBody.length),
    "DataView at an offset": new DataView(inBigger.buffer, 7, eventBody.length),
  };
  for (const [kind, b] of Object.entries(bodies)) {
    test(kind, () => {
      assert.equal(verifier.verifySignature(b, good.signature), true);
      assert.equal(verifier.verify(b, good.signature).eventCode, "customer.created");
    });
  }
  test("a non-ASCII string body is verified as its UTF-8 bytes", () => {
    const c = vectors.cases.find((c) => c.valid && c.key === "rsa2048" && c.body === "non-ascii.json");
    assert.equal(verifier.verify(body(c.body).toString("utf8"), c.signature).payload.name, "Müller & Søn — 株式会社 🚀");
  });
  for (const [kind, b] of Object.entries({ object: JSON.parse(text), array: [1], null: null, undefined: undefined, number: 42 })) {
    test(`${kind} is body_not_raw, with a hint`, () => {
      assert.equal(
        codeOf(() => verifier.verify(b, good.signature)),
        "body_not_raw",
      );
      assert.equal(
        codeOf(() => verifier.verifySignature(b, good.signature)),
        "body_not_raw",
      );
      try {
        verifier.verify(b, good.signature);
      } catch (error) {
        assert.equal(error.status, 500);
        assert.match(error.hint, /raw body|string or bytes/);
      }
    });
  }
  test("a re-serialised body does not verify", () => {
    const reserialised = JSON.stringify(JSON.parse(body("pretty.json").toString("utf8")));
    const c = vectors.cases.find((c) => c.valid && c.key === "rsa2048" && c.body === "pretty.json");
    assert.equal(
      codeOf(() => verifier.verify(reserialised, c.signature)),
      "invalid_signature",
    );
  });
});

describe("where the signature comes from", () => {
  const headers = {
    "header value": good.signature,
    "Fetch Headers": new Headers({ "N-Signature": good.signature }),
    "Node req.headers (lower case)": { "content-type": "application/json", "n-signature": good.signature },
    "record in another case": { "N-SIGNATURE": good.signature },
    "record with a one-element array": { "n-signature": [good.signature] },
    Map: new Map([["n-signature", good.signature]]),
  };
  for (const [kind, h] of Object.entries(headers)) {
    test(kind, () => {
      assert.equal(verifier.verify(eventBody, h).eventId, "event_6pL0hQ1nX0mJ3vW9aB2cDw");
      assert.equal(verifier.verifySignature(eventBody, h), true);
    });
  }
  test("absent header is missing_signature (401)", () => {
    for (const h of [undefined, null, {}, new Headers(), { "x-signature": good.signature }, "", "   "]) {
      assert.equal(
        codeOf(() => verifier.verify(eventBody, h)),
        "missing_signature",
      );
      assert.equal(verifier.verifySignature(eventBody, h), false);
    }
    // The hint fits the call: no headers at all, or headers without the signature.
    assert.match(verifier.safeVerify(eventBody, undefined).hint, /^No headers were given/);
    assert.match(verifier.safeVerify(eventBody, { "content-type": "application/json" }).hint, /headers have no N-Signature/);
    assert.doesNotMatch(verifier.safeVerify(eventBody, {}).message, /argument/);
  });
  test("a repeated header is malformed_signature", () => {
    for (const h of [
      { "n-signature": [good.signature, good.signature] },
      new Headers([
        ["N-Signature", good.signature],
        ["N-Signature", good.signature],
      ]),
    ]) {
      assert.equal(
        codeOf(() => verifier.verify(eventBody, h)),
        "malformed_signature",
      );
      assert.equal(verifier.verifySignature(eventBody, h), false);
    }
  });
  test("arguments of the wrong kind are a TypeError", () => {
    for (const h of [42, true, [good.signature]]) {
      assert.throws(() => verifier.verify(eventBody, h), TypeError);
    }
  });
  test("base64url gets a hint", () => {
    const url = vectors.cases.find((c) => c.name === "base64url signature");
    try {
      verifier.verify(eventBody, url.signature);
      assert.fail("accepted");
    } catch (error) {
      assert.equal(error.code, "malformed_signature");
      assert.equal(error.status, 401);
      assert.match(error.hint, /base64url/);
      // Apart: logging message and hint prints the hint once.
      assert.doesNotMatch(error.message, /Hint|base64url/);
    }
  });
});

describe("keys", () => {
  test("the constructor refuses bad keys with codes", () => {
    assert.equal(
      codeOf(() => new WebhookVerifier({ key: "not a key" })),
      "invalid_key",
    );
    assert.equal(
      codeOf(() => new WebhookVerifier({ key: keyForms("weak1024")["SPKI PEM"] })),
      "weak_key",
    );
    assert.equal(
      codeOf(() => new WebhookVerifier({ key: privateKeyPem("rsa2048") })),
      "invalid_key",
    );
    assert.equal(
      codeOf(() => new WebhookVerifier({ key: { kty: "EC", crv: "P-256" } })),
      "invalid_key",
    );
  });
  test("minKeyBits lowers the minimum", () => {
    const weak = new WebhookVerifier({ key: keyForms("weak1024")["modulus string"], minKeyBits: 1024 });
    const signature = sign("sha256", eventBody, privateKeyPem("weak1024")).toString("base64");
    assert.equal(weak.verifySignature(eventBody, signature), true);
  });
  test("options of the wrong kind are a TypeError", () => {
    for (const options of [undefined, null, "key", {}, { key: 5 }, { key: [1, 2] }, { key: modulus, minKeyBits: "x" }]) {
      assert.throws(() => new WebhookVerifier(options), TypeError, JSON.stringify(options));
    }
  });
  test("messages never contain the key or the body", () => {
    for (const key of [modulus.slice(0, 300), `"${modulus}"`, privateKeyPem("rsa2048")]) {
      try {
        new WebhookVerifier({ key });
      } catch (error) {
        assert.ok(!error.message.includes(modulus.slice(0, 40)) && !error.message.includes("MII"), error.message);
      }
    }
    try {
      verifier.verify(eventBody.toString().replace("Acme", "Bcme"), good.signature);
    } catch (error) {
      assert.ok(!error.message.includes("Bcme") && !error.message.includes(good.signature.slice(0, 20)));
    }
  });
});

describe("differential against Node's crypto.sign", () => {
  const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
  const deliveries = Array.from({ length: 1000 }, (_, i) => {
    const b = randomBytes(i % 7 === 0 ? 0 : 1 + ((i * 7919) % 4096));
    return { body: b, signature: sign("sha256", b, privateKey) };
  });
  test("1,000 random bodies signed by Node all verify", () => {
    let ok = 0;
    for (const d of deliveries) ok += verifier.verifySignature(d.body, d.signature.toString("base64")) ? 1 : 0;
    assert.equal(ok, 1000);
  });
  test("1,000 one-bit mutations of body or signature all fail", () => {
    let accepted = 0;
    deliveries.forEach((d, i) => {
      const b = Buffer.from(d.body);
      const s = Buffer.from(d.signature);
      if (i % 2 === 0 && b.length > 0) {
        b[i % b.length] ^= 1 << (i % 8);
      } else {
        s[(i * 31) % s.length] ^= 1 << (i % 8);
      }
      accepted += verifier.verifySignature(b, s.toString("base64")) ? 1 : 0;
    });
    assert.equal(accepted, 0);
  });
});

describe("lifetime", () => {
  test("free() and Symbol.dispose release the verifier", () => {
    const v = new WebhookVerifier({ key: modulus });
    assert.equal(typeof v[Symbol.dispose], "function");
    v.free();
    assert.throws(() => v.verifySignature(eventBody, good.signature));
    // The shared verifier is unaffected, and a new one works.
    assert.equal(verifier.verifySignature(eventBody, good.signature), true);
    const w = new WebhookVerifier({ key: modulus });
    w[Symbol.dispose]();
  });
  test("a thrown error leaves the instance working", () => {
    for (let i = 0; i < 100; i++) {
      codeOf(() => verifier.verify({}, good.signature));
      codeOf(() => verifier.verify(eventBody, "!!"));
    }
    assert.equal(verifier.verifySignature(eventBody, good.signature), true);
  });
});

test("a body that is missing, or was read before the verifier, is named as such", async () => {
  const missing = verifier.safeVerify(undefined, good.signature);
  assert.equal(missing.code, "body_not_raw");
  assert.match(missing.hint, /No body was given, or it had already been read/);
  // A Fetch request whose body a handler read first, handed to the receiver.
  const request = new Request("http://127.0.0.1/", { method: "POST", body: eventBody, headers: { "n-signature": good.signature } });
  await request.text();
  const refused = [];
  const receiver = new WebhookReceiver({ key: modulus }).onError((error) => refused.push(error));
  const response = await receiver.fetch(request);
  assert.notEqual(response.status, 200);
  assert.equal(refused[0].code, "body_not_raw");
  assert.match(refused[0].hint, /already (been )?read/);
});
