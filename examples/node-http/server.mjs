// Node's own http module: receiver.node() reads the raw body itself.
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import { createServer } from "node:http";

import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS });
receiver.on("entitlement.seat.activated", (event) => console.log("seat activated", event.payload.seatId));
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));

createServer(receiver.node()).listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
