// POST /api/webhooks/zentitle: a Nitro (Nuxt server) route. The pitfall: readBody() parses the
// JSON, and a parsed body cannot be verified; readRawBody(event, false) keeps the bytes.
import { WebhookReceiver } from "zentitle-webhooks";

let receiver: WebhookReceiver | undefined;

export default defineEventHandler(async (event) => {
  receiver ??= new WebhookReceiver({ key: useRuntimeConfig(event).zentitleRsaModulus }).onAny((webhook) => {
    console.log("handled", webhook.eventCode, webhook.eventId);
  });
  const result = await receiver.receive({ body: await readRawBody(event, false), headers: getRequestHeaders(event) });
  setResponseStatus(event, result.status);
  return result.status < 300 ? { ok: true, outcome: result.outcome } : { ok: false, code: result.code };
});
