// Hono, on Node and on Cloudflare Workers alike. The pitfall is c.req.json(): read the raw
// request instead (verifyRequest reads it once and hands the text back).
import { Hono } from "hono";

import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

export function createApp(getKey) {
  let verifier;
  const app = new Hono();
  app.post("/webhooks/zentitle", async (c) => {
    verifier ??= new WebhookVerifier({ key: getKey(c) });
    try {
      const { event } = await verifier.verifyRequest(c.req.raw);
      return c.json({ received: event.eventCode, eventId: event.eventId });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return c.json({ error: error.code }, error.status);
    }
  });
  return app;
}
