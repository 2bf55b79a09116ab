// Express. The pitfall is express.json(), which parses the body before it can be verified:
// mount receiver.node() with no body parser (it reads the raw body itself), or after
// express.raw(). After express.json() it answers body_not_raw with a hint.
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import express from "express";

import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS });
receiver.on("entitlement.seat.activated", (event) => console.log("seat activated", event.payload.seatId));
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

const app = express();
app.post("/webhooks/zentitle", receiver.node());
app.post("/webhooks/zentitle-raw", express.raw({ type: "application/json" }), receiver.node());
app.use(express.json()); // other routes may parse JSON: after the webhook routes
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
