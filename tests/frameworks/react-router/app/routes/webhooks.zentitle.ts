// POST /api/webhooks/zentitle: a resource route (an `action` and no component). The request is
// the raw Fetch Request: receiver.fetch reads its body; never `await request.json()` first.
import { WebhookReceiver } from "zentitle-webhooks";
import type { ActionFunctionArgs } from "react-router";

let receiver: WebhookReceiver | undefined;

export function action({ request }: ActionFunctionArgs): Promise<Response> {
  receiver ??= new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" }).onAny((event) => {
    console.log("handled", event.eventCode, event.eventId);
  });
  return receiver.fetch(request);
}
