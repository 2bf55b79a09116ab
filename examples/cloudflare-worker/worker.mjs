// Cloudflare Workers, with the Durable Object store: each event is processed once across
// every isolate and location (Workers KV could not promise that: it is not atomic).
//   wrangler secret put ZENTITLE_RSA_MODULUS   # the "RSA Modulus (n)" from Zentitle
// The package's `workerd` entry imports its .wasm as a module: nothing is compiled at run time.
import { WebhookReceiver } from "zentitle-webhooks";
import { DurableObjectStore } from "zentitle-webhooks/stores/durable-object";

// The Durable Object class that wrangler.toml binds as WEBHOOK_EVENTS.
export { ZentitleEventObject } from "zentitle-webhooks/stores/durable-object";

let receiver; // one per isolate: the key is parsed once

export default {
  fetch(request, env) {
    if (request.method !== "POST") return new Response("POST Zentitle webhooks here", { status: 405 });
    receiver ??= new WebhookReceiver({ key: env.ZENTITLE_RSA_MODULUS, store: new DurableObjectStore(env.WEBHOOK_EVENTS) })
      .on("entitlement.seat.activated", (event) => console.log("seat activated", event.payload.seatId))
      .onAny((event) => console.log("handled", event.eventCode, event.eventId));
    return receiver.fetch(request);
  },
};
