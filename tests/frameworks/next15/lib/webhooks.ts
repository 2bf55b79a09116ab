// The app's one receiver, created on the first delivery: `next build` imports every route to
// collect its configuration, where the key (a runtime secret) may not be set.
import { WebhookReceiver } from "zentitle-webhooks";

let receiver: WebhookReceiver | undefined;

export function webhooks(): WebhookReceiver {
  receiver ??= new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" }).onAny((event) => {
    console.log("handled", event.eventCode, event.eventId);
  });
  return receiver;
}
