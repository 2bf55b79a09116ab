// The deliveries every runtime's handler receives, signed with Node's crypto and the demo
// key (as Zentitle signs), and the verdicts they must get.
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { readFileSync } from "node:fs";

const keys = new URL("../../examples/keys/", import.meta.url);
export const modulus = readFileSync(new URL("demo.modulus.txt", keys), "utf8").trim();
const privateKey = createPrivateKey(readFileSync(new URL("demo.key.pem", keys), "utf8"));
const signature = (body) => sign("sha256", Buffer.from(body), privateKey).toString("base64");

// A fresh eventId per run: each server's store sees each event once.
const run = randomBytes(11).toString("hex").slice(0, 21);
const event = (eventCode, resourceId, payload, n) =>
  JSON.stringify({ eventId: `event_${run}${n}`, eventDate: "2026-11-27T10:15:30.1234567Z", eventCode, resourceId, callAttempt: 1, payload });

const seat = event(
  "entitlement.seat.activated",
  "act_Q2w3E4r5T6y7U8i9O0pA1s",
  {
    entitlementId: "ent_Zx8Cv7Bn6Mm5Ll4Kk3Jj2H",
    activationId: "act_Q2w3E4r5T6y7U8i9O0pA1s",
    seatId: "build-agent-07",
    seatsUsed: 3,
  },
  "A",
);
const unknown = event("entitlement.brand.new", "ent_Zx8Cv7Bn6Mm5Ll4Kk3Jj2H", { somethingNew: true }, "B");

export const deliveries = [
  { what: "valid", body: seat, headers: { "N-Signature": signature(seat) }, status: 200, handled: "entitlement.seat.activated" },
  {
    what: "tampered",
    body: seat.replace("build-agent-07", "build-agent-08"),
    headers: { "N-Signature": signature(seat) },
    status: 401,
    error: "invalid_signature",
  },
  { what: "unknown event", body: unknown, headers: { "n-signature": signature(unknown) }, status: 200, handled: "entitlement.brand.new" },
  { what: "unsigned", body: seat, headers: {}, status: 401, error: "missing_signature" },
];

/** The lines the recipes log for each event their handlers ran. */
export const handledLines = deliveries.filter((d) => d.handled).map((d) => `handled ${d.handled} ${JSON.parse(d.body).eventId}`);

/**
 * Posts every delivery to `url`; returns a list of mismatches (empty when all is right). The
 * recipes answer as the receiver does: `{ ok: true, outcome }` or `{ ok: false, code }`.
 */
export async function deliverAll(url) {
  const wrong = [];
  for (const d of deliveries) {
    const response = await fetch(url, { method: "POST", body: d.body, headers: { "content-type": "application/json", ...d.headers } });
    const text = await response.text();
    let answer = {};
    try {
      answer = JSON.parse(text);
    } catch {
      answer = { text };
    }
    const ok = response.status === d.status && (d.error ? answer.code === d.error : answer.ok === true);
    if (!ok) wrong.push(`${d.what}: got ${response.status} ${text.slice(0, 200)}`);
  }
  return wrong;
}
