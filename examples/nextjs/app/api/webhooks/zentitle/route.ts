// Next.js App Router route handler (app/api/webhooks/zentitle/route.ts), on the Node.js runtime
// (the default) or, with `export const runtime = "edge"`, on the Edge runtime (the package's
// `edge-light` entry): the same code.
// The pitfalls: `await request.json()` before verifying (receiver.fetch reads the raw body),
// and a receiver built at import: `next build` imports every route to collect its
// configuration, where the key (a runtime secret) may be unset. Build it on the first delivery.
import { WebhookReceiver } from "zentitle-webhooks";

let receiver: WebhookReceiver | undefined;

function webhooks(): WebhookReceiver {
  receiver ??= new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" })
    .on("entitlement.seat.activated", (event) => {
      console.log("seat activated", event.payload.seatId);
    })
    .onAny((event) => {
      console.log("handled", event.eventCode, event.eventId);
    });
  return receiver;
}

export function POST(request: Request): Promise<Response> {
  return webhooks().fetch(request);
}
