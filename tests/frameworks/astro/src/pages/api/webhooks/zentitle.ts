// POST /api/webhooks/zentitle: an Astro API endpoint, rendered on demand (output: "server").
// receiver.fetch reads the raw body: never `await request.json()` first. The key is read from
// process.env when the first delivery comes: `import.meta.env` would be fixed at build time.
import type { APIRoute } from "astro";
import { WebhookReceiver } from "zentitle-webhooks";

let receiver: WebhookReceiver | undefined;

export const POST: APIRoute = ({ request }) => {
  receiver ??= new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" }).onAny((event) => {
    console.log("handled", event.eventCode, event.eventId);
  });
  return receiver.fetch(request);
};
