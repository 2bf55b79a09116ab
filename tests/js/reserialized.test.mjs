// The most common receiver mistake, caught by the test kit in the user's own first test: an
// Express 5 app whose handler verifies `JSON.stringify(req.body)` (after express.json()) instead
// of the raw body. The kit's bodies are written the way Zentitle's .NET serialiser writes them
// (`é` as `\u00E9`, `+` as `\u002B`, `<` as `\u003C`), so re-serialising changes their bytes.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import express from "express";
import { WebhookReceiver } from "zentitle-webhooks";
import { buildSignedRequest, createSender, createTestEvent, testKeyPair } from "zentitle-webhooks/testing";

const keys = testKeyPair();
const refusals = [];
const handled = [];
const receiver = new WebhookReceiver({ key: keys.modulus })
  .on("entitlement.seat.activated", (event) => {
    handled.push(event.payload.seatName);
  })
  .on("customer.created", () => {})
  .onError((_error, info) => refusals.push(info));

let server;
let base;
before(async () => {
  const app = express();
  // The mistake: a JSON body parser, then the parsed body serialised again for the verifier.
  app.post("/reserialized", express.json(), async (req, res) => {
    const result = await receiver.receive({ body: JSON.stringify(req.body), headers: req.headers });
    res.status(result.status).json(result);
  });
  // The right way: the receiver reads the raw body itself.
  app.post("/raw", receiver.node());
  await new Promise((resolve) => {
    server = app.listen(0, "127.0.0.1", resolve);
  });
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((resolve) => server.close(resolve)));

const post = (path, { body, headers }) => fetch(base + path, { method: "POST", body, headers });

describe("a handler that re-serialises the body", () => {
  test("fails with the kit's default event, and the diagnosis says why", async () => {
    refusals.length = 0;
    const delivery = buildSignedRequest({ privateKey: keys.privateKeyPem, eventCode: "entitlement.seat.activated" });
    assert.match(delivery.body, /\\u00E9/, "the body carries .NET's escapes");
    const response = await post("/reserialized", delivery);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, "invalid_signature");
    assert.equal(refusals.length, 1);
    assert.equal(refusals[0].mismatch, "body");
    assert.equal(refusals[0].bodyChange, "reserialized_json");
  });

  test("fails for customers, and for a sender's retries", async () => {
    const customer = buildSignedRequest({ privateKey: keys.privateKeyPem, eventCode: "customer.created" });
    assert.equal((await post("/reserialized", customer)).status, 401);
    const sender = createSender({ privateKey: keys.privateKeyPem, url: `${base}/reserialized`, maxAttempts: 2, backoffMs: 1 });
    const sent = await sender.send("entitlement.seat.activated");
    assert.deepEqual(
      sent.attempts.map((a) => a.status),
      [401, 401],
    );
  });

  test("would pass with a plain ASCII body: why the kit's defaults carry escapes", async () => {
    // A body written by JSON.stringify, as a custom `body` (the option stays): re-serialising
    // gives the same bytes back, and the mistake goes unseen.
    const plain = JSON.stringify(createTestEvent("entitlement.seat.activated", { payload: { seatId: "seat-1", seatName: "Seat 1" } }));
    const delivery = buildSignedRequest({ privateKey: keys.privateKeyPem, body: plain });
    assert.equal((await post("/reserialized", delivery)).status, 200);
  });
});

test("the raw-body handler accepts the same deliveries, with the text decoded", async () => {
  handled.length = 0;
  const delivery = buildSignedRequest({ privateKey: keys.privateKeyPem, eventCode: "entitlement.seat.activated" });
  assert.equal((await post("/raw", delivery)).status, 200);
  assert.deepEqual(handled, ["José's build agent <07>"]);
  const sender = createSender({ privateKey: keys.privateKeyPem, url: `${base}/raw`, maxAttempts: 1 });
  assert.equal((await sender.send("customer.created")).delivered, true);
});
