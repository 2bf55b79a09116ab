// Express: the pitfall is express.json(), which parses the body before you can verify it.
// Use express.raw() on the webhook route, so req.body is the raw Buffer.
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import express from "express";

import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

const verifier = new WebhookVerifier({ key: process.env.ZENTITLE_RSA_MODULUS });
const app = express();

app.post("/webhooks/zentitle", express.raw({ type: "*/*" }), (req, res) => {
  try {
    const event = verifier.verify(req.body, req.headers);
    res.json({ received: event.eventCode, eventId: event.eventId });
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    res.status(error.status).json({ error: error.code });
  }
});

app.use(express.json()); // other routes may parse JSON: after the webhook route
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
