// The receiver's store on Cloudflare Durable Objects: one object per eventId, so that every
// claim of an event is decided inside one single-threaded object (atomic across isolates and
// locations), unlike Workers KV. Bind the class in wrangler.toml and export it from the worker:
//
//   export { ZentitleEventObject } from "zentitle-webhooks/stores/durable-object";
//   new WebhookReceiver({ key, store: new DurableObjectStore(env.WEBHOOK_EVENTS) })
//
// A finished event is remembered for `doneSeconds` (default 7 days), then the object clears
// its storage with an alarm.

const ORIGIN = "https://zentitle-event.internal";
const DEFAULT_DONE_SECONDS = 7 * 24 * 60 * 60;

/** The store: talks to one `ZentitleEventObject` per eventId through the namespace binding. */
export class DurableObjectStore {
  #namespace;
  #doneSeconds;

  /** `new DurableObjectStore(env.WEBHOOK_EVENTS, { doneSeconds = 7 days })`. */
  constructor(namespace, { doneSeconds = DEFAULT_DONE_SECONDS } = {}) {
    if (typeof namespace?.idFromName !== "function" || typeof namespace?.get !== "function") {
      throw new TypeError("new DurableObjectStore(namespace): namespace must be a Durable Object namespace binding (env.WEBHOOK_EVENTS).");
    }
    this.#namespace = namespace;
    this.#doneSeconds = doneSeconds;
  }

  async #call(eventId, operation, body) {
    const stub = this.#namespace.get(this.#namespace.idFromName(eventId));
    const response = await stub.fetch(`${ORIGIN}/${operation}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`The Durable Object answered ${response.status} to ${operation}.`);
    return response.json();
  }

  async claim(eventId, leaseMs) {
    return (await this.#call(eventId, "claim", { leaseMs })).state;
  }

  async renew(eventId, leaseMs) {
    await this.#call(eventId, "renew", { leaseMs });
  }

  async complete(eventId) {
    await this.#call(eventId, "complete", { doneSeconds: this.#doneSeconds });
  }

  async release(eventId) {
    await this.#call(eventId, "release", {});
  }
}

/** The Durable Object class: one instance per eventId; its state is `{ state, until }`. */
export class ZentitleEventObject {
  #storage;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    const operation = new URL(request.url).pathname.slice(1);
    const body = await request.json();
    const now = Date.now();
    // One request at a time runs between the storage calls below (the object's input gate),
    // so the read and the write of a claim are one atomic step.
    const entry = await this.#storage.get("entry");
    switch (operation) {
      case "claim": {
        if (entry && (entry.state === "done" || entry.until > now)) return answer(entry.state === "done" ? "done" : "busy");
        await this.#storage.put("entry", { state: "running", until: now + body.leaseMs });
        return answer("claimed");
      }
      case "renew":
        if (entry?.state === "running") await this.#storage.put("entry", { state: "running", until: now + body.leaseMs });
        return answer(entry?.state ?? "none");
      case "complete":
        await this.#storage.put("entry", { state: "done", until: now + body.doneSeconds * 1000 });
        await this.#storage.setAlarm(now + body.doneSeconds * 1000);
        return answer("done");
      case "release":
        if (entry?.state === "running") await this.#storage.delete("entry");
        return answer("released");
      default:
        return new Response("unknown operation", { status: 404 });
    }
  }

  async alarm() {
    await this.#storage.deleteAll();
  }
}

function answer(state) {
  return new Response(JSON.stringify({ state }), { headers: { "content-type": "application/json" } });
}
