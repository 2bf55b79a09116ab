// POST /api/webhooks/zentitle: a SvelteKit endpoint. receiver.fetch reads the raw body: never
// `await request.json()` first. The key is read when the first delivery comes ($env/dynamic:
// set at run time, on Node from the environment, on Workers from the worker's variables).
import { env } from "$env/dynamic/private";
import { WebhookReceiver } from "zentitle-webhooks";
import type { RequestHandler } from "./$types";

let receiver: WebhookReceiver | undefined;

export const POST: RequestHandler = ({ request }) => {
  receiver ??= new WebhookReceiver({ key: env.ZENTITLE_RSA_MODULUS ?? "" }).onAny((event) => {
    console.log("handled", event.eventCode, event.eventId);
  });
  return receiver.fetch(request);
};
