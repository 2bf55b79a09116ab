import type { WebhookStore } from "../index.js";

/** A Durable Object namespace binding, as far as the store uses it. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** The receiver's store on Cloudflare Durable Objects: one object per eventId, atomic. */
export class DurableObjectStore implements WebhookStore {
  constructor(namespace: DurableObjectNamespaceLike, options?: { doneSeconds?: number });
  claim(eventId: string, leaseMs: number): Promise<"claimed" | "done" | "busy">;
  renew(eventId: string, leaseMs: number): Promise<void>;
  complete(eventId: string): Promise<void>;
  release(eventId: string): Promise<void>;
}

/** The Durable Object class to bind (`class_name = "ZentitleEventObject"`) and export from the worker. */
export class ZentitleEventObject {
  constructor(state: { storage: unknown });
  fetch(request: Request): Promise<Response>;
  alarm(): Promise<void>;
}
