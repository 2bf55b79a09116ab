// Bun.serve:  ZENTITLE_RSA_MODULUS=... PORT=3000 bun server.ts
import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

const verifier = new WebhookVerifier({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" });

Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
  async fetch(request) {
    try {
      // Not `await request.json()`: verifyRequest reads the raw body itself.
      const { event } = await verifier.verifyRequest(request);
      return Response.json({ received: event.eventCode, eventId: event.eventId });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return Response.json({ error: error.code }, { status: error.status });
    }
  },
});
