// The receiver's handlers are typed by event code: checked by tsc, with @ts-expect-error on
// what must not compile.
import { MemoryStore, type NodeRequestLike, type NodeResponseLike, type ReceiveResult, WebhookReceiver, WebhookReceiverError } from "zentitle-webhooks";
import { RedisStore } from "zentitle-webhooks/stores/redis";
import { PostgresStore } from "zentitle-webhooks/stores/postgres";
import { DurableObjectStore } from "zentitle-webhooks/stores/durable-object";

const receiver = new WebhookReceiver({ key: "n", store: new MemoryStore(), leaseSeconds: 30 });

receiver.on("entitlement.seat.activated", (event) => {
  const seat: string = event.payload.seatId;
  // @ts-expect-error a seat payload has no customerId
  event.payload.customerId;
  return seat;
});

receiver.on(["customer.created", "customer.updated"], (event) => {
  const id: string = event.payload.customerId;
  // @ts-expect-error the code is one of the two
  const wrong: "entitlement.created" = event.eventCode;
  return [id, wrong];
});

// @ts-expect-error a misspelt code does not compile (and is a TypeError at run time)
receiver.on("customer.create", () => {});
// @ts-expect-error an empty list of codes
receiver.on([], () => {});
// A code newer than the package, said explicitly.
receiver.on("entitlement.future.thing", (event, ctx) => [event.eventId, ctx.known], { allowUnknownCode: true });

receiver.on("customer.created", async (event, ctx) => {
  const key: string = ctx.idempotencyKey;
  const attempt: number = ctx.attempt;
  const signal: AbortSignal = ctx.signal;
  return [event.payload.customerId, key, attempt, signal.aborted];
});

receiver.onError((error, info) => {
  const code: string = error instanceof WebhookReceiverError ? error.code : info.code;
  const ran: boolean | "partly" | undefined = info.handlersRan;
  return [code, ran];
});

// @ts-expect-error the verifier's deduplicator is not a receiver option
new WebhookReceiver({ key: "n", deduplicator: { remember: () => true } });
new WebhookReceiver({ key: "n", storeTimeoutSeconds: 2, handlerTimeoutSeconds: 10, logger: false });
new WebhookReceiver({ key: "n", logger: console });

receiver.onAny((event, info) => {
  const typed: boolean = info.typed;
  const mismatch: string | undefined = info.mismatch;
  return [event.eventId, typed, mismatch];
});

receiver.onError((_error, info) => [info.code, info.mismatch satisfies "body" | "key" | undefined, info.bodyChange]);

export async function handle(request: Request): Promise<Response> {
  const result: ReceiveResult = await receiver.receive({ body: await request.text(), headers: request.headers });
  if (result.outcome === "processed") return new Response(null, { status: result.status });
  return receiver.fetch(request);
}

// The Node handler's promise settles once the answer is sent (Next.js Pages Router awaits it).
declare const nodeRequest: NodeRequestLike;
declare const nodeResponse: NodeResponseLike;
export const sent: Promise<void> = receiver.node()(nodeRequest, nodeResponse);

declare const redisClient: { sendCommand(args: string[]): Promise<unknown> };
declare const pool: { query(text: string, values?: unknown[]): Promise<{ rowCount: number | null; rows: Array<Record<string, unknown>> }> };
new WebhookReceiver({ key: "n", store: new RedisStore(redisClient) });
new WebhookReceiver({ key: "n", store: new PostgresStore(pool) });
// @ts-expect-error a store needs claim, complete and release
new WebhookReceiver({ key: "n", store: {} });

declare const namespace: { idFromName(name: string): { id: string }; get(id: { id: string }): { fetch(input: string, init?: RequestInit): Promise<Response> } };
new WebhookReceiver({ key: "n", store: new DurableObjectStore(namespace) });
