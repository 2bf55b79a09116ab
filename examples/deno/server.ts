// Deno.serve:  ZENTITLE_RSA_MODULUS=... PORT=3000 deno run --allow-net --allow-env --allow-read server.ts
// (in a project with the package in node_modules, or import "npm:zentitle-webhooks").
import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: Deno.env.get("ZENTITLE_RSA_MODULUS") ?? "" });
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

// Not `await request.json()`: receiver.fetch reads the raw body itself.
Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 3000) }, (request) => receiver.fetch(request));
