// Hono, on Node and on Cloudflare Workers alike. The pitfall is c.req.json(): hand the raw
// request to receiver.fetch, which reads the body once.
import { Hono } from "hono";

import { WebhookReceiver } from "zentitle-webhooks";

export function createApp(getOptions) {
  let receiver;
  const app = new Hono();
  app.post("/webhooks/zentitle", (c) => {
    receiver ??= new WebhookReceiver(getOptions(c)).onAny((event) => console.log("handled", event.eventCode, event.eventId));
    return receiver.fetch(c.req.raw);
  });
  return app;
}
