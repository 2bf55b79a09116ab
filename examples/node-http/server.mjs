// Node's own http module: collect the raw body bytes, then verify them with the headers.
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import { createServer } from "node:http";

import { WebhookVerificationError, WebhookVerifier } from "zentitle-webhooks";

const verifier = new WebhookVerifier({ key: process.env.ZENTITLE_RSA_MODULUS });

createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const reply = (status, body) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    try {
      const event = verifier.verify(Buffer.concat(chunks), req.headers); // raw bytes, never a parsed body
      reply(200, { received: event.eventCode, eventId: event.eventId });
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      reply(error.status, { error: error.code });
    }
  });
}).listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
