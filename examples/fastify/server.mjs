// Fastify parses JSON bodies by default: register a parser that keeps application/json as a
// Buffer (for this plugin scope or app), then hand body and headers to receiver.receive.
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import Fastify from "fastify";

import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS });
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

const app = Fastify();
app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
app.post("/webhooks/zentitle", async (request, reply) => {
  const result = await receiver.receive({ body: request.body, headers: request.headers });
  return reply.code(result.status).send(result.status < 300 ? { ok: true, outcome: result.outcome } : { ok: false, code: result.code });
});
app.get("/webhooks/zentitle", async (_request, reply) => reply.code(405).send());
await app.listen({ port: Number(process.env.PORT ?? 3000), host: "127.0.0.1" });
