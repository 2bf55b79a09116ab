// Cloudflare Workers: verify Zentitle webhooks at the edge. The package's `workerd` entry
// imports its .wasm as a module, so nothing is compiled at run time and no init is needed.
//   wrangler secret put ZENTITLE_RSA_MODULUS   # the "RSA Modulus (n)" from Zentitle
import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

let verifier; // one per isolate: the key is parsed once

export default {
  async fetch(request, env) {
    if (request.method !== "POST") return new Response("POST Zentitle webhooks here", { status: 405 });
    verifier ??= new WebhookVerifier({ key: env.ZENTITLE_RSA_MODULUS });
    try {
      // verifyRequest reads the raw body itself: do not call request.json() first.
      const { event } = await verifier.verifyRequest(request);
      switch (event.eventCode) {
        case "entitlement.seat.activated":
          console.log("seat activated", event.payload.seatId);
          break;
        default:
          console.log("event", event.eventCode);
      }
      return Response.json({ received: event.eventCode, eventId: event.eventId });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return Response.json({ error: error.code }, { status: error.status });
    }
  },
};
