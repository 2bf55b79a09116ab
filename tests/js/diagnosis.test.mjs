// The diagnosis of invalid_signature through the package: error.mismatch ("body" or "key")
// and error.bodyChange, on the error, in safeVerify's result and in the receiver's onError.
// Signatures come from OpenSSL (the vectors) and Node's crypto; the changed bodies from
// Python (the vectors) and from JSON.stringify here. A recognised change is never accepted.
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { describe, test } from "node:test";

import fc from "fast-check";
import { WebhookReceiver, WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

import { body, keyForms, vectors } from "./fixtures.mjs";

const changed = vectors.cases.filter((c) => c.bodyChange);

describe("OpenSSL vectors with bodies changed in the usual ways", () => {
  for (const [form, key] of Object.entries(keyForms("rsa2048"))) {
    test(`each change is named, and still refused (key as ${form})`, () => {
      const verifier = new WebhookVerifier({ key });
      for (const c of changed) {
        const result = verifier.safeVerify(body(c.body), c.signature);
        assert.equal(result.ok, false, c.name);
        assert.equal(result.code, "invalid_signature", c.name);
        assert.equal(result.mismatch, "body", c.name);
        assert.equal(result.bodyChange, c.bodyChange, c.name);
        assert.ok(result.hint.length > 40, c.name);
        assert.throws(
          () => verifier.verify(body(c.body), c.signature),
          (e) =>
            e instanceof WebhookVerificationError &&
            e.mismatch === "body" &&
            e.bodyChange === c.bodyChange &&
            e.hint.length > 40 &&
            !e.message.includes(e.hint),
        );
      }
    });
  }

  test("every change the package names has a vector", () => {
    assert.deepEqual([...new Set(changed.map((c) => c.bodyChange))].sort(), [
      "byte_order_mark",
      "charset",
      "line_endings",
      "reserialized_json",
      "trailing_newline",
    ]);
  });

  test("another account's key, a damaged signature: mismatch key, no change", () => {
    const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["SPKI PEM"] });
    for (const c of vectors.cases.filter((c) => c.mismatch)) {
      const result = verifier.safeVerify(body(c.body), c.signature);
      assert.equal(result.mismatch, c.mismatch, c.name);
      if (c.mismatch === "key") {
        assert.equal(result.bodyChange, undefined, c.name);
        assert.match(result.hint, /not made with this key/, c.name);
      }
    }
    const other = new WebhookVerifier({ key: keyForms("other2048")["modulus string"] });
    for (const c of changed) assert.equal(other.safeVerify(body(c.body), c.signature).mismatch, "key", c.name);
    const both = new WebhookVerifier({
      keys: [
        { id: "old", key: keyForms("other2048")["JWK object"] },
        { id: "current", key: keyForms("rsa2048")["JWK object"] },
      ],
    });
    assert.equal(both.safeVerify(body(changed[0].body), changed[0].signature).bodyChange, changed[0].bodyChange);
  });

  test("other failures carry no diagnosis", () => {
    const verifier = new WebhookVerifier({ key: keyForms("rsa2048")["modulus string"] });
    for (const c of vectors.cases.filter((c) => c.code && c.code !== "invalid_signature")) {
      const result = verifier.safeVerify(body(c.body), c.signature);
      assert.equal(result.code, c.code, c.name);
      assert.equal(result.mismatch, undefined, c.name);
    }
  });
});

describe("Node's crypto signs, JSON.stringify changes", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const verifier = new WebhookVerifier({ key: publicKey.export({ type: "spki", format: "pem" }) });
  const signed = (text) => sign("sha256", Buffer.from(text), privateKey).toString("base64");
  // JSON values whose numbers JSON.stringify prints with at most 15 significant digits (beyond
  // that, and for subnormals, the f64 decides the digits, and the diagnosis does not guess them).
  const number = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Math.abs(x) < 1e-300 ? 0 : Number(x.toPrecision(12)))),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small" }, fc.constant(null), fc.boolean(), number, fc.string({ unit: "binary" }), tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 4 }),
    object: fc.dictionary(fc.string({ unit: "binary", maxLength: 6 }), tie("value"), { maxKeys: 4 }),
  }));
  const envelope = fc.record({ eventCode: fc.constant("customer.created"), payload: value });

  test("compact signed, pretty received (and back): reserialized_json", () => {
    fc.assert(
      fc.property(envelope, fc.constantFrom(2, 4, "\t"), (event, indent) => {
        const compact = JSON.stringify(event);
        const pretty = JSON.stringify(event, null, indent);
        const there = verifier.safeVerify(pretty, signed(compact));
        assert.equal(there.ok, false);
        assert.deepEqual([there.mismatch, there.bodyChange], ["body", "reserialized_json"]);
        const back = verifier.safeVerify(compact, signed(pretty));
        assert.equal(back.ok, false);
        assert.deepEqual([back.mismatch, back.bodyChange], ["body", "reserialized_json"]);
      }),
      { numRuns: Number(process.env.ZW_RUNS ?? 150) },
    );
  });

  test("a body parsed and stringified again, as a body parser and JSON.stringify(req.body) do", () => {
    const sent = '{ "eventCode" : "customer.created", "payload" : { "name" : "Zoë \\u00e9", "n" : 1.50, "big": 1e21 } }';
    const result = verifier.safeVerify(JSON.stringify(JSON.parse(sent)), signed(sent));
    // Whitespace inside the sender's own style is not one of the styles tried: the key is
    // still proven right, and the hint says the body changed.
    assert.equal(result.mismatch, "body");
    const zentitleLike = JSON.stringify(JSON.parse(sent), null, 2);
    const parsed = verifier.safeVerify(JSON.stringify(JSON.parse(zentitleLike)), signed(zentitleLike));
    assert.deepEqual([parsed.mismatch, parsed.bodyChange], ["body", "reserialized_json"]);
  });

  test("newline, CRLF, BOM and charset changes are named", () => {
    const text = JSON.stringify({ eventCode: "customer.created", payload: { name: "Müller – Café" } }, null, 2);
    const cases = [
      [text, `${text}\n`, "trailing_newline"],
      [`${text}\n`, text, "trailing_newline"],
      [text, text.replaceAll("\n", "\r\n"), "line_endings"],
      [text.replaceAll("\n", "\r\n"), text, "line_endings"],
      [text, `\ufeff${text}`, "byte_order_mark"],
      [text, Buffer.from(text, "utf8").toString("latin1"), "charset"],
      // Node's "latin1" is ISO-8859-1: only for text without Windows-1252's extra characters.
      [text.replace("–", "-"), new Uint8Array(Buffer.from(text.replace("–", "-"), "latin1")), "charset"],
    ];
    for (const [sent, received, change] of cases) {
      const result = verifier.safeVerify(received, signed(sent));
      assert.equal(result.ok, false, change);
      assert.deepEqual([result.mismatch, result.bodyChange], ["body", change]);
    }
  });

  test("another key's signature: mismatch key", () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const result = verifier.safeVerify("{}", sign("sha256", Buffer.from("{}"), other).toString("base64"));
    assert.deepEqual([result.code, result.mismatch, result.bodyChange], ["invalid_signature", "key", undefined]);
  });

  test("a body at the size limit gets the mismatch, and the search for a change is skipped", () => {
    const big = `{"pad":"${"x".repeat(1024 * 1024 - 12)}"}`;
    const result = verifier.safeVerify(`${big}\n`.slice(0, 1024 * 1024), signed(big));
    assert.equal(result.mismatch, "body");
    assert.equal(result.bodyChange, undefined);
  });

  test("the receiver's onError gets the diagnosis on the error and in its info", async () => {
    const seen = [];
    const receiver = new WebhookReceiver({ key: publicKey.export({ type: "spki", format: "pem" }) })
      .on("customer.created", () => {})
      .onError((error, info) => seen.push([error.mismatch, error.bodyChange, info.mismatch, info.bodyChange]));
    const sent = JSON.stringify({
      eventId: "event_AAAAAAAAAAAAAAAAAAAAAA",
      eventDate: new Date().toISOString(),
      eventCode: "customer.created",
      resourceId: "cust_1",
      callAttempt: 1,
      payload: {},
    });
    const result = await receiver.receive({ body: JSON.stringify(JSON.parse(sent), null, 2), headers: { "n-signature": signed(sent) } });
    assert.equal(result.status, 401);
    assert.deepEqual(seen, [["body", "reserialized_json", "body", "reserialized_json"]]);
  });
});

describe("how far the diagnosis searches: the `diagnosis` option", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = publicKey.export({ type: "spki", format: "pem" });
  const verifier = new WebhookVerifier({ key });
  const signature = (text) => sign("sha256", Buffer.from(text), privateKey).toString("base64");
  const event = { eventId: "event_AAAAAAAAAAAAAAAAAAAAAA", payload: { a: [1, 2], name: "Müller" } };
  const pretty = JSON.stringify(event, null, 2);
  const compact = JSON.stringify(event);

  test('"bounded" (the default) and "full" name the change; "off" gives the mismatch alone', () => {
    const sig = signature(pretty);
    assert.equal(verifier.safeVerify(compact, sig).bodyChange, "reserialized_json");
    assert.equal(verifier.safeVerify(compact, sig, { diagnosis: "bounded" }).bodyChange, "reserialized_json");
    assert.equal(verifier.safeVerify(compact, sig, { diagnosis: "full" }).bodyChange, "reserialized_json");
    const off = verifier.safeVerify(compact, sig, { diagnosis: "off" });
    assert.deepEqual([off.code, off.mismatch, off.bodyChange], ["invalid_signature", "body", undefined]);
    assert.throws(
      () => verifier.verify(compact, sig, { diagnosis: "everything" }),
      (e) => e instanceof TypeError && /diagnosis/.test(e.message),
    );
  });

  test("a body the bounded search cannot finish is refused at once, and the hint says so", () => {
    // 60 levels deep, thousands of elements at the bottom: written with an indent, hundreds of
    // times the body's length.
    const deep = `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","payload":${"[".repeat(60)}${"0,".repeat(20000)}0${"]".repeat(60)}}`;
    const other = signature(`${deep} `);
    const bounded = verifier.safeVerify(deep, other);
    assert.equal(bounded.mismatch, "body");
    assert.equal(bounded.bodyChange, undefined);
    assert.match(bounded.hint, /not diagnosed further/);
    // In full the search goes on (and finds nothing here: the signed body has a trailing space).
    const full = verifier.safeVerify(deep, other, { diagnosis: "full" });
    assert.equal(full.mismatch, "body");
    // verifySignature() searches nothing: it is false, whatever the body.
    assert.equal(verifier.verifySignature(deep, other), false);
  });

  test("the receiver reports the change to onError handlers", async () => {
    const receiver = new WebhookReceiver({ key });
    const seen = [];
    receiver.onError((_error, info) => seen.push([info.code, info.mismatch, info.bodyChange]));
    await receiver.receive({ body: compact, headers: { "n-signature": signature(pretty) } });
    assert.deepEqual(seen, [["invalid_signature", "body", "reserialized_json"]]);
  });
});
