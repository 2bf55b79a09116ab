// What a user's TypeScript file does with the package: checked under every setup of matrix.mjs.
import { EVENT_CODES, MemoryStore, WebhookReceiver, WebhookVerifier, isKnownEventCode, type ZentitleEvent } from "zentitle-webhooks";
import { DurableObjectInbox } from "zentitle-webhooks/inbox/durable-object";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";
import { ZentitleClient, zentitleKey } from "zentitle-webhooks/management";
import { RedisStore } from "zentitle-webhooks/stores/redis";
import { type TestKeyPair, buildSignedRequest, createSender, createTestEvent, generateTestKeyPair, testKeyPair } from "zentitle-webhooks/testing";

// Also compiled as CommonJS (consumer.cts), where top-level await is not allowed.
const keys: TestKeyPair = testKeyPair();
const fresh: Promise<TestKeyPair> = generateTestKeyPair({ bits: 2048 });
fresh.then((pair) => console.log(pair.modulus));
const fixed: string = keys.modulus;
// A test event is typed by its code.
const testSeat = createTestEvent("entitlement.seat.activated", { payload: { seatsUsed: 2 } });
const seatsUsed: number | undefined = testSeat.payload.seatsUsed;
const customerName: string | undefined = createTestEvent("customer.created").payload.name;
console.log(fixed, seatsUsed, customerName);
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
// Inbox mode: the three inboxes' typings under every setup.
declare const pgPool: ConstructorParameters<typeof PostgresInbox>[0];
declare const inboxNamespace: ConstructorParameters<typeof DurableObjectInbox>[0];
const inboxReceiver = new WebhookReceiver({ key: "n", inbox: new PostgresInbox(pgPool) });
new WebhookReceiver({ key: "n", inbox: new RedisInbox(redisClient) });
new WebhookReceiver({ key: "n", inbox: new DurableObjectInbox(inboxNamespace) });
void inboxReceiver.work({ concurrency: 2 });
createSender({ privateKey: keys.privateKeyPem, url: "http://127.0.0.1/" });
verifier.free();
console.log(EVENT_CODES.length, isKnownEventCode("customer.created"));
const zentitle = new ZentitleClient({ tokenUrl: "https://t.example/token", clientId: "c", clientSecret: "s", tenantId: "t_x", baseUrl: "https://t.example" });
new WebhookReceiver({ key: zentitleKey(zentitle, { cooldownSeconds: 60 }) });
zentitle.listWebhooks().then((listeners) => console.log(listeners.map((l) => l.subscriptions.length)));
