// What a user's TypeScript file does with the package: checked under every setup of matrix.mjs.
import { EVENT_CODES, MemoryStore, WebhookReceiver, WebhookVerifier, isKnownEventCode, type ZentitleEvent } from "zentitle-webhooks";
import { ZentitleClient, zentitleKey } from "zentitle-webhooks/management";
import { RedisStore } from "zentitle-webhooks/stores/redis";
import { buildSignedRequest, createSender, generateTestKeyPair } from "zentitle-webhooks/testing";

const keys = generateTestKeyPair({ bits: 2048 });
const verifier = new WebhookVerifier({ key: keys.modulus, maxAgeSeconds: 3600 });
const { body, headers } = buildSignedRequest({ privateKey: keys.privateKeyPem, eventCode: "customer.created" });
const result = verifier.safeVerify(body, headers);
// `=== true` narrows with strict off as well (a bare `if (result.ok)` needs strictNullChecks).
if (result.ok === true) {
  const event: ZentitleEvent = result.event;
  if (event.eventCode === "entitlement.seat.activated") {
    const seat: string = event.payload.seatId;
    console.log(seat);
  }
} else {
  console.log(result.code, result.status);
}
const receiver = new WebhookReceiver({ key: keys.modulus, store: new MemoryStore() });
receiver.on("customer.created", (event) => console.log(event.payload.customerId));
receiver.onAny((event, info) => console.log(event.eventId, info.typed));
declare const redisClient: { sendCommand(args: string[]): Promise<unknown> };
new RedisStore(redisClient);
createSender({ privateKey: keys.privateKeyPem, url: "http://127.0.0.1/" });
verifier.free();
console.log(EVENT_CODES.length, isKnownEventCode("customer.created"));
const zentitle = new ZentitleClient({ tokenUrl: "https://t.example/token", clientId: "c", clientSecret: "s", tenantId: "t_x", baseUrl: "https://t.example" });
new WebhookReceiver({ key: zentitleKey(zentitle, { cooldownSeconds: 60 }) });
zentitle.listWebhooks().then((listeners) => console.log(listeners.map((l) => l.subscriptions.length)));
