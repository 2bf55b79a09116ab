// Next.js App Router route handler (app/api/webhooks/zentitle/route.ts), on the Edge runtime
// (the package's `edge-light` entry) or on Node (remove `runtime`): the same code.
// The pitfall: `await request.json()` before verifying. receiver.fetch reads the raw body.
import { WebhookReceiver } from "zentitle-webhooks";

export const runtime = "edge";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" });
receiver.on("entitlement.seat.activated", (event) => {
  console.log("seat activated", event.payload.seatId);
});
receiver.onAny((event) => {
  console.log("handled", event.eventCode, event.eventId);
});

export function POST(request: Request): Promise<Response> {
  return receiver.fetch(request);
}
