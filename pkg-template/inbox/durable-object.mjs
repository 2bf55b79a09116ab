// The durable inbox on Cloudflare: a Durable Object keeps the deliveries in its storage and
// runs them from its alarm, so no separate worker process is needed. The receiver's Worker
// stores each verified delivery through `DurableObjectInbox` (a write to the object's storage,
// confirmed before the object answers, so the 200 follows a durable write); the object sets an
// alarm, and its `alarm()` runs the receiver's handlers over what is due (the same worker loop
// as on Node, until nothing is due), retries with back-off by setting the next alarm, and keeps
// dead deliveries. If the object is evicted or crashes mid-alarm, Cloudflare retries the alarm;
// a delivery left `running` is claimed again once its lease has ended.
//
//   export const ZentitleInboxObject = inboxObject((env, inbox) =>
//     register(new WebhookReceiver({ key: env.ZENTITLE_RSA_MODULUS, inbox })));
//   fetch: new WebhookReceiver({ key, inbox: new DurableObjectInbox(env.WEBHOOK_INBOX) }).fetch(request)
//
// One object runs its deliveries one at a time (its storage and alarm are single-threaded);
// `shards` spreads resources over several objects (each resourceId always in the same one).
// Not supported here: `ordered` (one object at concurrency 1 runs a resource's events in
// arrival order, not eventDate order) and `ctx.sql`: handlers' side effects are at-least-once
// (use ctx.idempotencyKey).

const ORIGIN = "https://zentitle-inbox.internal";
const STATES = ["pending", "running", "done", "dead", "unfit"];

/** The receiver's side: stores deliveries in the inbox object(s) through the namespace binding. */
export class DurableObjectInbox {
  #namespace;
  #shards;

  /** `new DurableObjectInbox(env.WEBHOOK_INBOX, { shards = 1 })`. */
  constructor(namespace, { shards = 1 } = {}) {
    if (typeof namespace?.idFromName !== "function" || typeof namespace?.get !== "function") {
      throw new TypeError("new DurableObjectInbox(namespace): namespace must be a Durable Object namespace binding (env.WEBHOOK_INBOX).");
    }
    if (!Number.isSafeInteger(shards) || shards < 1 || shards > 1024) throw new TypeError("DurableObjectInbox: shards must be a whole number from 1 to 1024.");
    this.#namespace = namespace;
    this.#shards = shards;
  }

  get kind() {
    return "durable-object";
  }

  async #call(shard, operation, body) {
    const stub = this.#namespace.get(this.#namespace.idFromName(`zentitle-inbox-${shard}`));
    const response = await stub.fetch(`${ORIGIN}/${operation}`, { method: "POST", body: JSON.stringify(body ?? {}) });
    if (!response.ok) throw new Error(`The inbox object answered ${response.status} to ${operation}.`);
    return response.json();
  }

  #shardOf(resourceId) {
    let h = 0;
    for (const c of String(resourceId ?? "")) h = (h * 31 + c.codePointAt(0)) >>> 0;
    return h % this.#shards;
  }

  /** Stores a verified delivery once per eventId; resolves once the object has stored it. */
  async add(record) {
    const body = typeof record.body === "string" ? new TextEncoder().encode(record.body) : record.body;
    if (!(body instanceof Uint8Array)) throw new TypeError("add(): body must be the raw bytes (Uint8Array) or text.");
    return this.#call(this.#shardOf(record.resourceId), "add", { ...record, body: toBase64(body) });
  }

  /** Workers run inside the objects (their alarms): there is nothing to claim from outside. */
  claim() {
    throw new TypeError("A DurableObjectInbox is worked by its objects' alarms (inboxObject), not by receiver.work().");
  }

  /** Counts by state over every shard, and the age of the oldest unfinished delivery. */
  async stats() {
    const all = await Promise.all(Array.from({ length: this.#shards }, (_, i) => this.#call(i, "stats")));
    const stats = Object.fromEntries(STATES.map((s) => [s, all.reduce((n, one) => n + one[s], 0)]));
    const ages = all.map((one) => one.oldestPendingSeconds).filter((a) => a !== null);
    stats.oldestPendingSeconds = ages.length ? Math.max(...ages) : null;
    return stats;
  }

  async list({ state, limit = 50 } = {}) {
    const all = await Promise.all(Array.from({ length: this.#shards }, (_, i) => this.#call(i, "list", { state, limit })));
    return all
      .flat()
      .map(revive)
      .sort((a, b) => b.receivedAt - a.receivedAt)
      .slice(0, limit);
  }

  async get(eventId) {
    for (let i = 0; i < this.#shards; i++) {
      const found = await this.#call(i, "get", { eventId });
      if (found) return revive(found);
    }
    return undefined;
  }

  async retry(target) {
    let n = 0;
    for (let i = 0; i < this.#shards; i++) n += (await this.#call(i, "retry", typeof target === "object" ? target : { eventId: String(target) })).retried;
    return n;
  }

  async purge({ olderThanMs, states }) {
    let n = 0;
    for (let i = 0; i < this.#shards; i++) n += (await this.#call(i, "purge", { olderThanMs, states })).purged;
    return n;
  }
}

/**
 * The Durable Object class to export from the Worker (bind it as the inbox namespace).
 * `makeReceiver(env, inbox)` returns a WebhookReceiver built with `{ inbox }` and your handlers;
 * `options` are the worker loop's (maxAttempts, backoff, leaseSeconds, handlerTimeoutSeconds).
 */
export function inboxObject(makeReceiver, { maxAttempts, backoff, leaseSeconds, handlerTimeoutSeconds } = {}) {
  if (typeof makeReceiver !== "function") throw new TypeError("inboxObject(makeReceiver): makeReceiver(env, inbox) must return a WebhookReceiver.");
  return class ZentitleInboxObject {
    #storage;
    #env;
    #inbox;
    #receiver;

    constructor(state, env) {
      this.#storage = state.storage;
      this.#env = env;
      this.#inbox = new StorageInbox(state.storage);
    }

    async fetch(request) {
      const operation = new URL(request.url).pathname.slice(1);
      const body = await request.json();
      let result;
      switch (operation) {
        case "add":
          result = await this.#inbox.add({ ...body, body: fromBase64(body.body) });
          if (result.added) await this.#wake(Date.now());
          break;
        case "stats":
          result = await this.#inbox.stats();
          break;
        case "list":
          result = await this.#inbox.listRaw(body);
          break;
        case "get":
          result = (await this.#inbox.raw(body.eventId)) ?? null;
          break;
        case "retry":
          result = { retried: await this.#inbox.retry(body.dead || body.unfit ? body : body.eventId) };
          if (result.retried > 0) await this.#wake(Date.now());
          break;
        case "purge":
          result = { purged: await this.#inbox.purge(body) };
          break;
        default:
          return new Response("unknown operation", { status: 404 });
      }
      return new Response(JSON.stringify(result), { headers: { "content-type": "application/json" } });
    }

    /** Runs what is due (one at a time) until nothing is, then sets the next alarm. */
    async alarm() {
      this.#receiver ??= makeReceiver(this.#env, this.#inbox);
      await this.#receiver.work({ maxAttempts, backoff, leaseSeconds, handlerTimeoutSeconds, concurrency: 1, drain: true, pollSeconds: 0.05 });
      const next = await this.#inbox.nextRunAt();
      if (next !== undefined) await this.#storage.setAlarm(Math.max(Date.now(), next));
    }

    async #wake(at) {
      const current = await this.#storage.getAlarm();
      if (current === null || current > at) await this.#storage.setAlarm(at);
    }
  };
}

/**
 * An inbox over one Durable Object's storage (used inside the object): `d:<key>` holds each
 * delivery, `q:<runAt>:<key>` indexes the unfinished ones by when they are due.
 */
class StorageInbox {
  #storage;

  constructor(storage) {
    this.#storage = storage;
  }

  async add({ eventId, eventCode, resourceId, eventDate, callAttempt, body, signature }) {
    const key = await keyOf(eventId);
    const found = await this.#storage.get(`d:${key}`);
    if (found) return { added: false, id: String(eventId), state: found.state };
    const now = Date.now();
    const record = {
      eventId: String(eventId),
      eventCode: String(eventCode ?? ""),
      resourceId: String(resourceId ?? ""),
      eventDate: typeof eventDate === "string" ? eventDate : null,
      callAttempt: Number.isSafeInteger(callAttempt) ? callAttempt : null,
      body: toBase64(body),
      signature: String(signature),
      state: "pending",
      attempts: 0,
      runAt: now,
      lastError: null,
      receivedAt: now,
      updatedAt: now,
      token: null,
    };
    await this.#storage.put({ [`d:${key}`]: record, [queueKey(now, key)]: key });
    return { added: true, id: String(eventId) };
  }

  async claim({ leaseMs = 30_000 } = {}) {
    const first = await this.#storage.list({ prefix: "q:", limit: 1 });
    const [[qKey, key] = []] = [...first];
    if (qKey === undefined || Number(qKey.slice(2, 17)) > Date.now()) return null;
    const record = await this.#storage.get(`d:${key}`);
    const now = Date.now();
    const token = crypto.randomUUID();
    const claimed = { ...record, state: "running", attempts: record.attempts + 1, runAt: now + leaseMs, token, updatedAt: now };
    await this.#storage.delete(qKey);
    await this.#storage.put({ [`d:${key}`]: claimed, [queueKey(claimed.runAt, key)]: key });
    return {
      delivery: { ...revive(plainRecord(claimed)), id: claimed.eventId, body: fromBase64(claimed.body), signature: claimed.signature },
      context: {},
      renew: async () => (await this.#storage.get(`d:${key}`))?.token === token,
      finish: async ({ state, error, delayMs = 0, refund = false }) => {
        const current = await this.#storage.get(`d:${key}`);
        if (current?.token !== token) return false;
        const at = Date.now();
        const next = {
          ...current,
          state,
          token: null,
          lastError: error === undefined ? null : String(error).slice(0, 4000),
          attempts: current.attempts - (refund ? 1 : 0),
          runAt: state === "pending" ? at + delayMs : current.runAt,
          updatedAt: at,
        };
        await this.#storage.delete(queueKey(current.runAt, key));
        const writes = { [`d:${key}`]: next };
        if (state === "pending") writes[queueKey(next.runAt, key)] = key;
        await this.#storage.put(writes);
        return true;
      },
    };
  }

  async nextRunAt() {
    const first = await this.#storage.list({ prefix: "q:", limit: 1 });
    const [[qKey] = []] = [...first];
    return qKey === undefined ? undefined : Number(qKey.slice(2, 17));
  }

  async #all() {
    return [...(await this.#storage.list({ prefix: "d:" })).values()];
  }

  async stats() {
    const stats = Object.fromEntries(STATES.map((s) => [s, 0]));
    let oldest = Number.POSITIVE_INFINITY;
    for (const record of await this.#all()) {
      stats[record.state]++;
      if (record.state === "pending" || record.state === "running") oldest = Math.min(oldest, record.receivedAt);
    }
    stats.oldestPendingSeconds = Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : null;
    return stats;
  }

  async listRaw({ state, limit = 50 } = {}) {
    return (await this.#all())
      .filter((r) => state === undefined || r.state === state)
      .sort((a, b) => b.receivedAt - a.receivedAt)
      .slice(0, limit)
      .map(plainRecord);
  }

  async list(options) {
    return (await this.listRaw(options)).map(revive);
  }

  async raw(eventId) {
    return this.#storage.get(`d:${await keyOf(eventId)}`);
  }

  async get(eventId) {
    const record = await this.raw(eventId);
    return record && { ...revive(plainRecord(record)), body: fromBase64(record.body), signature: record.signature };
  }

  async retry(target) {
    const records =
      typeof target === "object" && target !== null
        ? (await this.#all()).filter((r) => (target.dead && r.state === "dead") || (target.unfit && r.state === "unfit"))
        : [await this.raw(target)].filter((r) => r && (r.state === "dead" || r.state === "unfit"));
    const now = Date.now();
    for (const r of records) {
      const key = await keyOf(r.eventId);
      await this.#storage.put({
        [`d:${key}`]: { ...r, state: "pending", attempts: 0, lastError: null, runAt: now, updatedAt: now },
        [queueKey(now, key)]: key,
      });
    }
    return records.length;
  }

  async purge({ olderThanMs, states = ["done"] }) {
    const cutoff = Date.now() - olderThanMs;
    let n = 0;
    for (const r of await this.#all()) {
      if (states.includes(r.state) && r.updatedAt < cutoff) {
        await this.#storage.delete(`d:${await keyOf(r.eventId)}`);
        n++;
      }
    }
    return n;
  }
}

const queueKey = (at, key) => `q:${String(Math.max(0, Math.floor(at))).padStart(15, "0")}:${key}`;

/** Storage keys stay short: a long eventId is stored under its SHA-256. */
async function keyOf(eventId) {
  const id = String(eventId);
  if (id.length <= 512) return `=${id}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id)));
  return `#${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function plainRecord(r) {
  const { body, signature, token, ...rest } = r;
  return { ...rest, id: r.eventId };
}

function revive(r) {
  const date = (ms) => (typeof ms === "number" ? new Date(ms) : null);
  return {
    ...r,
    id: r.eventId,
    runAt: date(r.runAt),
    receivedAt: date(r.receivedAt),
    updatedAt: date(r.updatedAt),
    finishedAt: r.state === "done" || r.state === "dead" || r.state === "unfit" ? date(r.updatedAt) : null,
    lockedBy: null,
  };
}

function toBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
