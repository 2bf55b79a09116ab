// Typings of zentitle-webhooks/inbox/durable-object: the durable inbox on Cloudflare Durable Objects.
import type { Inbox, InboxAddResult, InboxDelivery, InboxRecord, InboxState, InboxStats, WebhookReceiver, WorkOptions } from "../index.js";

/** A Durable Object namespace binding (`env.WEBHOOK_INBOX`), as far as the inbox uses it. */
export interface InboxNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(url: string, init?: RequestInit): Promise<Response> };
}

/** The receiver's side of the Cloudflare inbox: stores deliveries in the inbox object(s). */
export declare class DurableObjectInbox implements Inbox {
  /** `new DurableObjectInbox(env.WEBHOOK_INBOX, { shards = 1 })`: each resourceId always goes to the same shard. */
  constructor(namespace: InboxNamespace, options?: { shards?: number });
  readonly kind: "durable-object";
  add(record: InboxRecord): Promise<InboxAddResult>;
  /** @throws {TypeError} always: the objects' alarms run the deliveries. */
  claim(): never;
  stats(): Promise<InboxStats>;
  list(options?: { state?: InboxState; limit?: number }): Promise<InboxDelivery[]>;
  get(eventId: string): Promise<InboxDelivery | undefined>;
  retry(target: string | { dead?: boolean; unfit?: boolean }): Promise<number>;
  purge(options: { olderThanMs: number; states?: ("done" | "dead" | "unfit")[] }): Promise<number>;
}

/**
 * The Durable Object class to export from the Worker and bind as the inbox namespace; its
 * alarm runs the receiver's handlers over what is due. `makeReceiver(env, inbox)` returns
 * `new WebhookReceiver({ key, inbox })` with your handlers.
 */
export declare function inboxObject<Env = unknown>(
  makeReceiver: (env: Env, inbox: Inbox) => WebhookReceiver,
  options?: Pick<WorkOptions, "maxAttempts" | "backoff" | "leaseSeconds" | "handlerTimeoutSeconds">,
): new (
  state: unknown,
  env: Env,
) => { fetch(request: Request): Promise<Response>; alarm(): Promise<void> };
