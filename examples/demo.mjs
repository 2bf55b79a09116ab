// `make demo`: a webhook receiver that uses zentitle-webhooks, and a sender that signs sample
// Zentitle events with Node's own crypto (RSASSA-PKCS1-v1_5, SHA-256, as Zentitle does) and
// posts them over loopback: valid, tampered, wrong-key and malformed deliveries.
// Prints what the receiver accepted or refused, and why. Exits non-zero on a wrong verdict.
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

const keyFile = (name) => readFileSync(new URL(`keys/${name}`, import.meta.url), "utf8");

// ---- The receiver: what a user writes. -------------------------------------------------
// The key as copied from the Zentitle UI ("RSA Modulus (n)").
const verifier = new WebhookVerifier({ key: keyFile("demo.modulus.txt") });

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const rawBody = Buffer.concat(chunks); // the raw bytes: never JSON.parse before verifying
    try {
      const event = verifier.verify(rawBody, req.headers);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ received: event.eventCode, eventId: event.eventId }));
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      res.writeHead(error.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: error.code, message: error.message }));
    }
  });
});

// ---- The sender: plays Zentitle. -------------------------------------------------------
const zentitleKey = createPrivateKey(keyFile("demo.key.pem"));
const intruderKey = createPrivateKey(keyFile("intruder.key.pem"));
const signWith = (key, body) => sign("sha256", Buffer.from(body), key).toString("base64");

const event = (eventCode, resourceId, payload) =>
  JSON.stringify({
    eventId: "event_" + Buffer.from(eventCode).toString("base64url").padEnd(22, "A").slice(0, 22),
    eventDate: "2026-11-27T10:15:30.1234567Z",
    eventCode,
    resourceId,
    callAttempt: 1,
    payload,
  });

const customer = event("customer.created", "cust_oH_hPJ3BgEO172Yd9-KuTg", {
  customerId: "cust_oH_hPJ3BgEO172Yd9-KuTg",
  name: "Acme Corp",
  disabled: false,
});
const seat = event("entitlement.seat.activated", "act_Q2w3E4r5T6y7U8i9O0pA1s", {
  entitlementId: "ent_Zx8Cv7Bn6Mm5Ll4Kk3Jj2H",
  activationId: "act_Q2w3E4r5T6y7U8i9O0pA1s",
  seatId: "user@example.com",
  seatName: "Build server",
  seatsUsed: 3,
  isOverdraftSeat: false,
  activatedAt: "2026-11-27T10:15:30Z",
});
const testButton = event("webhook.test", "whl_CNrc8PbApEapAfJQN15aIA", {});

const deliveries = [
  { what: "customer.created, signed by Zentitle", body: customer, signature: signWith(zentitleKey, customer), expect: 200 },
  { what: "entitlement.seat.activated, signed by Zentitle", body: seat, signature: signWith(zentitleKey, seat), expect: 200 },
  { what: "the UI's Test button (unknown code, empty payload)", body: testButton, signature: signWith(zentitleKey, testButton), expect: 200 },
  {
    what: "tampered: seatsUsed changed after signing",
    body: seat.replace('"seatsUsed":3', '"seatsUsed":1'),
    signature: signWith(zentitleKey, seat),
    expect: 401,
  },
  { what: "signed with another key", body: customer, signature: signWith(intruderKey, customer), expect: 401 },
  {
    what: "re-serialised by a framework (pretty JSON)",
    body: JSON.stringify(JSON.parse(customer), null, 2),
    signature: signWith(zentitleKey, customer),
    expect: 401,
  },
  { what: "no N-Signature header", body: customer, signature: undefined, expect: 401 },
  {
    what: "signature converted to base64url",
    body: customer,
    signature: signWith(zentitleKey, customer).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""),
    expect: 401,
  },
];

await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/webhooks/zentitle`;
console.log(`receiver listening on ${url}\n`);

let wrong = 0;
for (const d of deliveries) {
  const headers = { "content-type": "application/json" };
  if (d.signature !== undefined) headers["N-Signature"] = d.signature;
  const response = await fetch(url, { method: "POST", headers, body: d.body });
  const answer = await response.json();
  const ok = response.status === d.expect;
  if (!ok) wrong++;
  const verdict = response.status === 200 ? `accepted ${answer.received}` : `refused ${answer.error}`;
  console.log(`${ok ? "ok   " : "WRONG"} ${String(response.status).padEnd(4)} ${d.what.padEnd(52)} ${verdict}`);
  if (response.status !== 200) console.log(`${" ".repeat(11)}${answer.message}`);
}
console.log(`\n${deliveries.length - wrong} of ${deliveries.length} deliveries got the expected verdict.`);

// The same receiver, fed by the package's CLI, as a user tests a handler:
//   npx zentitle-webhooks trigger <eventCode> --url <receiver> --key <private.pem>
const cli = fileURLToPath(new URL("../pkg/cli.mjs", import.meta.url));
const key = fileURLToPath(new URL("keys/demo.key.pem", import.meta.url));
let cliFailed = false;
for (const extra of [
  ["entitlement.expires7days", "--count", "2"],
  ["customer.updated", "--tamper", "signature"],
]) {
  console.log(`\n$ npx zentitle-webhooks trigger ${extra.join(" ")} --url ${url} --key examples/keys/demo.key.pem`);
  const out = await new Promise((resolve) =>
    execFile(process.execPath, [cli, "trigger", ...extra, "--url", url, "--key", key], (error, stdout, stderr) => resolve({ error, text: stdout + stderr })),
  );
  process.stdout.write(out.text);
  cliFailed ||= Boolean(out.error);
}
server.close();
process.exitCode = wrong === 0 && !cliFailed ? 0 : 1;
