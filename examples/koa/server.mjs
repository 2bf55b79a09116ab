// Koa: no body parser on the webhook route; receiver.node() reads ctx.req itself. Tell Koa
// the response is handled (ctx.respond = false).
//   ZENTITLE_RSA_MODULUS=... PORT=3000 node server.mjs
import Koa from "koa";

import { WebhookReceiver } from "zentitle-webhooks";

const receiver = new WebhookReceiver({ key: process.env.ZENTITLE_RSA_MODULUS });
receiver.onAny((event) => console.log("handled", event.eventCode, event.eventId));
const handle = receiver.node();

const app = new Koa();
app.use(async (ctx, next) => {
  if (ctx.method !== "POST" || ctx.path !== "/webhooks/zentitle") return next();
  ctx.respond = false;
  handle(ctx.req, ctx.res);
});
app.listen(Number(process.env.PORT ?? 3000), "127.0.0.1");
