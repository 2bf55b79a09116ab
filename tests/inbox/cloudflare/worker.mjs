// A Worker in inbox mode on Durable Object alarms, for the inbox's workerd test: POST / stores
// deliveries; GET /stats, /list?state=, /retry-dead report and repair. Its handler fails the
// first attempt of events that ask it to and always fails "poison" events; each run is logged.
import { WebhookReceiver } from "zentitle-webhooks";
import { DurableObjectInbox, inboxObject } from "zentitle-webhooks/inbox/durable-object";

function register(receiver) {
  receiver.onAny((event, ctx) => {
    console.log(`ran ${event.eventId} attempt ${ctx.attempt}`);
    if (event.payload?.poison) throw new Error("poison");
    if (event.payload?.failOnce && ctx.attempt === 1) throw new Error("fails once");
  });
  return receiver;
}

export const ZentitleInboxObject = inboxObject((env, inbox) => register(new WebhookReceiver({ key: env.ZENTITLE_RSA_MODULUS, inbox, logger: false })), {
  maxAttempts: 3,
  backoff: () => 50,
});

export default {
  async fetch(request, env) {
    const inbox = new DurableObjectInbox(env.WEBHOOK_INBOX, { shards: 2 });
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/stats") return Response.json(await inbox.stats());
    if (request.method === "GET" && url.pathname === "/list") return Response.json(await inbox.list({ state: url.searchParams.get("state") ?? undefined }));
    if (request.method === "POST" && url.pathname === "/retry-dead") return Response.json({ retried: await inbox.retry({ dead: true }) });
    return new WebhookReceiver({ key: env.ZENTITLE_RSA_MODULUS, inbox }).fetch(request);
  },
};
