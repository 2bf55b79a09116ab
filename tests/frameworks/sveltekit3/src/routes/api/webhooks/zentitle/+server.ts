// POST /api/webhooks/zentitle: a SvelteKit endpoint. receiver.fetch reads the raw body: never
// `await request.json()` first. The key is declared in src/env.ts and read at run time.
import { ZENTITLE_RSA_MODULUS } from "$app/env/private";
import { WebhookReceiver } from "zentitle-webhooks";
import type { RequestHandler } from "./$types";

let receiver: WebhookReceiver | undefined;

export const POST: RequestHandler = ({ request }) => {
  receiver ??= new WebhookReceiver({ key: ZENTITLE_RSA_MODULUS }).onAny((event) => {
    console.log("handled", event.eventCode, event.eventId);
  });
  return receiver.fetch(request);
};
