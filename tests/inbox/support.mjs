// Shared by the inbox tests: signed deliveries (the fixture key, as Zentitle signs them), the
// worker loop and a verifier from the built package, and small waiting helpers.
import { createPrivateKey, randomBytes, sign } from "node:crypto";

import { WebhookVerifier } from "zentitle-webhooks";

import { keyForms, privateKeyPem } from "../js/fixtures.mjs";

export { verifyWith, work } from "../../pkg/lib/inbox-worker.mjs";

export const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
export const verifier = new WebhookVerifier({ key });

export const newEventId = () => `event_${randomBytes(16).toString("base64url").slice(0, 22)}`;

/** A signed delivery: `{ body (Buffer), signature, headers, event }`. */
export function delivery({
  eventId = newEventId(),
  eventCode = "customer.created",
  resourceId = "cust_1",
  eventDate = new Date().toISOString(),
  callAttempt = 1,
  payload = { customerId: "cust_1" },
} = {}) {
  const event = { eventId, eventDate, eventCode, resourceId, callAttempt, payload };
  const body = Buffer.from(JSON.stringify(event));
  const signature = sign("sha256", body, privateKey).toString("base64");
  return { body, signature, headers: { "content-type": "application/json", "n-signature": signature }, event };
}

/** What `inbox.add()` takes for a delivery. */
export const record = (d, extra = {}) => ({ ...d.event, body: d.body, signature: d.signature, ...extra });

export const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check, what, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await wait(50);
  }
}

export const quiet = { warn() {}, error() {}, log() {} };
