// Bun.serve:  ZENTITLE_RSA_MODULUS=... PORT=3000 bun server.ts
import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS ?? "" });
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 3000), fetch: (request) => receiver.fetch(request) });
