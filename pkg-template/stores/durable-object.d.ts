import type { StoreClaim, StoreDoneOptions, WebhookStore } from "../index.js";

/** A Durable Object namespace binding, as far as the store uses it. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** The receiver's store on Cloudflare Durable Objects: one object per eventId, atomic, fenced by the lease's token. */
export class DurableObjectStore implements WebhookStore {
  /** @throws {TypeError} not a namespace binding; a wrong option. */
  constructor(namespace: DurableObjectNamespaceLike, options?: StoreDoneOptions);
  claim(eventId: string, leaseMs: number): Promise<StoreClaim>;
  renew(eventId: string, token: string, leaseMs: number): Promise<boolean>;
  complete(eventId: string, token: string): Promise<boolean>;
  release(eventId: string, token: string): Promise<boolean>;
}

/** The Durable Object class to bind (`class_name = "ZentitleEventObject"`) and export from the worker. */
export class ZentitleEventObject {
  constructor(state: { storage: unknown });
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}
