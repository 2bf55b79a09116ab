// Next.js App Router route handler (app/api/webhooks/zentitle/route.ts), on the Edge runtime
// (the package's `edge-light` entry) or on Node (remove `runtime`): the same code.
// The pitfall: `await request.json()` before verifying. verifyRequest reads the raw body.
import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

export const runtime = "edge";

const verifier = new WebhookVerifier({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" });

export async function POST(request: Request): Promise<Response> {
  try {
    const { event } = await verifier.verifyRequest(request);
    if (event.eventCode === "entitlement.seat.activated") {
      console.log("seat activated", event.payload.seatId);
    }
    return Response.json({ received: event.eventCode, eventId: event.eventId });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return Response.json({ error: error.code }, { status: error.status });
  }
}
