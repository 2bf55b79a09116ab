// The deliveries every runtime's handler receives, signed with Node's crypto and the demo
// key (as Zentitle signs), and the verdicts they must get.
import { createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";

const keys = new URL("../../examples/keys/", import.meta.url);
export const modulus = readFileSync(new URL("demo.modulus.txt", keys), "utf8").trim();
const privateKey = createPrivateKey(readFileSync(new URL("demo.key.pem", keys), "utf8"));
const signature = (body) => sign("sha256", Buffer.from(body), privateKey).toString("base64");

const event = (eventCode, resourceId, payload) =>
  JSON.stringify({ eventId: "event_Rt5Yu6Io7Pa8Sd9Fg0Hj1K", eventDate: "2026-11-27T10:15:30.1234567Z", eventCode, resourceId, callAttempt: 1, payload });

const seat = event("entitlement.seat.activated", "act_Q2w3E4r5T6y7U8i9O0pA1s", {
  entitlementId: "ent_Zx8Cv7Bn6Mm5Ll4Kk3Jj2H", activationId: "act_Q2w3E4r5T6y7U8i9O0pA1s", seatId: "build-agent-07", seatsUsed: 3,
});
const unknown = event("entitlement.brand.new", "ent_Zx8Cv7Bn6Mm5Ll4Kk3Jj2H", { somethingNew: true });

export const deliveries = [
  { what: "valid", body: seat, headers: { "N-Signature": signature(seat) }, status: 200, received: "entitlement.seat.activated" },
  { what: "tampered", body: seat.replace("build-agent-07", "build-agent-08"), headers: { "N-Signature": signature(seat) }, status: 401, error: "invalid_signature" },
  { what: "unknown event", body: unknown, headers: { "n-signature": signature(unknown) }, status: 200, received: "entitlement.brand.new" },
  { what: "unsigned", body: seat, headers: {}, status: 401, error: "missing_signature" },
];

/** Posts every delivery to `url`; returns a list of mismatches (empty when all is right). */
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
    const ok = response.status === d.status && (d.error ? answer.error === d.error : answer.received === d.received);
    if (!ok) wrong.push(`${d.what}: got ${response.status} ${text.slice(0, 200)}`);
  }
  return wrong;
}
