// Deno.serve:  ZENTITLE_RSA_MODULUS=... PORT=3000 deno run --allow-net --allow-env --allow-read server.ts
// (in a project with the package in node_modules, or import "npm:zentitle-webhooks").
import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

const verifier = new WebhookVerifier({ key: Deno.env.get("ZENTITLE_RSA_MODULUS") ?? "" });

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 3000) }, async (request) => {
  try {
    // Not `await request.json()`: verifyRequest reads the raw body itself.
    const { event } = await verifier.verifyRequest(request);
    return Response.json({ received: event.eventCode, eventId: event.eventId });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    return Response.json({ error: error.code }, { status: error.status });
  }
});
