// The built package through its CommonJS entry (`require`): synchronous, no init call.
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { test } = require("node:test");

const { WebhookVerifier, WebhookVerificationError } = require("zentitle-webhooks");

const dir = join(__dirname, "../fixtures");
const vectors = JSON.parse(readFileSync(join(dir, "vectors.json"), "utf8"));

test("require() gives a working verifier at once", () => {
  assert.equal(typeof WebhookVerifier, "function");
  assert.equal(typeof WebhookVerificationError, "function");
});

test("every OpenSSL vector gives its verdict through require()", () => {
  const verifiers = {};
  for (const c of vectors.cases) {
    const key = readFileSync(join(dir, "keys", `${c.key}.spki.pem`), "utf8");
    verifiers[c.key] ??= new WebhookVerifier({ key });
    const body = readFileSync(join(dir, "bodies", c.body));
    assert.equal(verifiers[c.key].verifySignature(body, { "n-signature": c.signature }), c.valid, c.name);
    if (!c.valid) {
      assert.throws(
        () => verifiers[c.key].verify(body, c.signature),
        (e) => e instanceof WebhookVerificationError && e.code === c.code,
        c.name,
      );
    }
  }
});
