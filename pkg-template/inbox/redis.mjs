// `RedisInbox`: the durable inbox on Redis Streams with a consumer group. Takes the caller's
// own client (node-redis ≥ 4 or ioredis ≥ 5): the package adds no dependency.
//
// Each delivery is a hash `<prefix>d:<eventId>` (raw body in base64, signature, envelope,
// state, attempts, last error); the hash is also the de-duplication marker, so the check and
// the XADD to `<prefix>stream` happen in one Lua script. Workers read with XREADGROUP, take
// entries whose worker died with XAUTOCLAIM (idle longer than the lease), renew a lease by
// XCLAIM to themselves, and finish with XACK + XDEL — every step a script that first checks that
// the entry is still pending for this worker's consumer name (a fenced lease: a stale worker
// changes nothing). Retries wait in the sorted set `<prefix>delayed` until due, then go back to
// the stream; dead and unfit deliveries stay as hashes, indexed per state in `<prefix>s:<state>`
// (scored by reception time) for stats, listing, retry and purge. For per-resource order,
// `<prefix>r:<resourceId>` holds the unfinished events of a resource by eventDate and
// `<prefix>rl` the resource's running event; an event that is not its resource's turn is
// parked (taken off the stream) and put back when the event before it finishes.
//
// One Redis (or a primary with replicas), not Redis Cluster: the scripts touch keys they
// compute. Durability is the server's: run it with AOF (`appendonly yes`, `appendfsync
// everysec` or `always`) and `maxmemory-policy noeviction` (docs/inbox.md).

const STATES = ["pending", "running", "done", "dead", "unfit"];
const GROUP = "workers";

// Shared Lua: wake the next event of a resource when it was parked; release the resource.
const LIB = `
local p = ARGV[1]
local function release(res, id)
  if redis.call('HGET', p..'rl', res) == id then redis.call('HDEL', p..'rl', res) end
end
local function wake(res)
  local nxt = redis.call('ZRANGE', p..'r:'..res, 0, 0)[1]
  if nxt and redis.call('HGET', p..'d:'..nxt, 'parked') == '1' then
    redis.call('HSET', p..'d:'..nxt, 'parked', '0')
    redis.call('XADD', p..'stream', '*', 'e', nxt)
  end
end
local function owned(entry, consumer)
  local pend = redis.call('XPENDING', p..'stream', '${GROUP}', entry, entry, 1)
  return pend[1] ~= nil and pend[1][2] == consumer
end
`;

// ARGV: prefix, eventId, body, signature, eventCode, resourceId, eventDate, eventMs, callAttempt, state, error, now
const ADD = `${LIB}
local id = ARGV[2]
local key = p..'d:'..id
local st = redis.call('HGET', key, 'state')
if st then return {0, st} end
redis.call('HSET', key, 'body', ARGV[3], 'signature', ARGV[4], 'eventCode', ARGV[5], 'resourceId', ARGV[6], 'eventDate', ARGV[7],
  'eventMs', ARGV[8], 'callAttempt', ARGV[9], 'state', ARGV[10], 'attempts', '0', 'lastError', ARGV[11], 'receivedAt', ARGV[12],
  'updatedAt', ARGV[12], 'parked', '0')
redis.call('ZADD', p..'s:'..ARGV[10], ARGV[12], id)
if ARGV[10] == 'pending' then
  redis.call('ZADD', p..'r:'..ARGV[6], ARGV[8], id)
  redis.call('XADD', p..'stream', '*', 'e', id)
end
return {1, ARGV[10]}`;

// ARGV: prefix, now, limit — due retries back to the stream.
const PROMOTE = `${LIB}
local due = redis.call('ZRANGEBYSCORE', p..'delayed', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZREM', p..'delayed', id)
  if redis.call('HGET', p..'d:'..id, 'state') == 'pending' and redis.call('HGET', p..'d:'..id, 'parked') ~= '1' then
    redis.call('XADD', p..'stream', '*', 'e', id)
  end
end
return #due`;

// ARGV: prefix, entry, eventId, consumer, now, ordered ('1' | '0'), leaseMs
const START = `${LIB}
local entry, id, consumer, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local key = p..'d:'..id
if not owned(entry, consumer) then return {'lost'} end
local st = redis.call('HGET', key, 'state')
if st ~= 'pending' and st ~= 'running' then
  redis.call('XACK', p..'stream', '${GROUP}', entry)
  redis.call('XDEL', p..'stream', entry)
  return {'stale'}
end
local res = redis.call('HGET', key, 'resourceId')
if ARGV[6] == '1' then
  local head = redis.call('ZRANGE', p..'r:'..res, 0, 0)[1]
  local holder = redis.call('HGET', p..'rl', res)
  if holder and holder ~= id then
    -- The running slot follows the lease: a holder whose entry is no longer pending, or has
    -- been idle past the lease (its worker died or is paused), does not block its resource.
    local hentry = redis.call('HGET', p..'d:'..holder, 'entry')
    local live = false
    if hentry and hentry ~= '' and redis.call('HGET', p..'d:'..holder, 'state') == 'running' then
      local hp = redis.call('XPENDING', p..'stream', '${GROUP}', hentry, hentry, 1)
      live = hp[1] ~= nil and tonumber(hp[1][3]) < tonumber(ARGV[7])
    end
    if not live then
      redis.call('HDEL', p..'rl', res)
      holder = nil
    end
  end
  if head ~= id or holder then
    redis.call('XACK', p..'stream', '${GROUP}', entry)
    redis.call('XDEL', p..'stream', entry)
    redis.call('HSET', key, 'state', 'pending', 'parked', '1', 'lockedBy', '')
    redis.call('ZREM', p..'s:running', id)
    redis.call('ZADD', p..'s:pending', redis.call('HGET', key, 'receivedAt'), id)
    -- An event parked while it held the slot (reclaimed, no longer first) lets it go; with no
    -- live holder, the first event is woken if it was parked.
    if holder == id then redis.call('HDEL', p..'rl', res); holder = nil end
    if not holder then wake(res) end
    return {'parked'}
  end
  redis.call('HSET', p..'rl', res, id)
end
redis.call('HINCRBY', key, 'attempts', 1)
redis.call('HSET', key, 'state', 'running', 'lockedBy', consumer, 'entry', entry, 'updatedAt', now)
local received = redis.call('HGET', key, 'receivedAt')
redis.call('ZREM', p..'s:pending', id)
redis.call('ZADD', p..'s:running', received, id)
return {'started', redis.call('HGETALL', key)}`;

// ARGV: prefix, entry, consumer
const RENEW = `${LIB}
if not owned(ARGV[2], ARGV[3]) then return 0 end
redis.call('XCLAIM', p..'stream', '${GROUP}', ARGV[3], 0, ARGV[2], 'JUSTID')
return 1`;

// ARGV: prefix, entry, eventId, consumer, state, error, delayMs, refund, now
const FINISH = `${LIB}
local entry, id, consumer, state, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[9])
if not owned(entry, consumer) then return 0 end
local key = p..'d:'..id
redis.call('XACK', p..'stream', '${GROUP}', entry)
redis.call('XDEL', p..'stream', entry)
redis.call('HSET', key, 'state', state, 'lastError', ARGV[6], 'updatedAt', now, 'lockedBy', '')
if ARGV[8] == '1' then redis.call('HINCRBY', key, 'attempts', -1) end
redis.call('ZREM', p..'s:running', id)
local res = redis.call('HGET', key, 'resourceId')
release(res, id)
if state == 'pending' then
  redis.call('ZADD', p..'s:pending', redis.call('HGET', key, 'receivedAt'), id)
  redis.call('ZADD', p..'delayed', now + tonumber(ARGV[7]), id)
else
  redis.call('ZADD', p..'s:'..state, now, id)
  redis.call('ZREM', p..'r:'..res, id)
  wake(res)
end
return 1`;

// ARGV: prefix, eventId, now — a dead or unfit delivery back to pending, attempts reset.
const RETRY = `${LIB}
local id, now = ARGV[2], ARGV[3]
local key = p..'d:'..id
local st = redis.call('HGET', key, 'state')
if st ~= 'dead' and st ~= 'unfit' then return 0 end
redis.call('ZREM', p..'s:'..st, id)
redis.call('HSET', key, 'state', 'pending', 'attempts', '0', 'lastError', '', 'updatedAt', now, 'parked', '0')
redis.call('ZADD', p..'s:pending', redis.call('HGET', key, 'receivedAt'), id)
redis.call('ZADD', p..'r:'..redis.call('HGET', key, 'resourceId'), redis.call('HGET', key, 'eventMs'), id)
redis.call('XADD', p..'stream', '*', 'e', id)
return 1`;

// ARGV: prefix, state, cutoff, limit
const PURGE = `${LIB}
local ids = redis.call('ZRANGEBYSCORE', p..'s:'..ARGV[2], '-inf', ARGV[3], 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(ids) do
  redis.call('DEL', p..'d:'..id)
  redis.call('ZREM', p..'s:'..ARGV[2], id)
end
return #ids`;

export class RedisInbox {
  #command;
  #prefix;
  #ready;
  #promotedAt = 0;
  /** script source → its SHA1 on the server */
  #shas = new Map();

  /** `new RedisInbox(client, { prefix = "zentitle:inbox:" })`: a connected node-redis or ioredis client. */
  constructor(client, { prefix = "zentitle:inbox:" } = {}) {
    if (typeof client?.call === "function") {
      this.#command = ([name, ...args]) => client.call(name, ...args.map(String)); // ioredis
    } else if (typeof client?.sendCommand === "function") {
      this.#command = (args) => client.sendCommand(args.map(String)); // node-redis ≥ 4
    } else {
      throw new TypeError("new RedisInbox(client): client must be a connected node-redis (≥ 4) or ioredis client.");
    }
    if (typeof prefix !== "string" || prefix === "") throw new TypeError("RedisInbox: prefix must be a non-empty string.");
    this.#prefix = prefix;
  }

  /** The engine's name, for logs and the CLI. */
  get kind() {
    return "redis";
  }

  /** Creates the consumer group (and the stream) if missing; called by add() and claim(). */
  ensureSchema() {
    this.#ready ??= this.#command(["XGROUP", "CREATE", `${this.#prefix}stream`, GROUP, "0", "MKSTREAM"]).then(
      () => undefined,
      (error) => {
        if (/BUSYGROUP/.test(String(error?.message))) return;
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  /** A stream or group lost with the server's data (no persistence): made again next time. */
  #recover(error) {
    if (/NOGROUP|no such key/i.test(String(error?.message))) this.#ready = undefined;
    throw error;
  }

  /** EVALSHA of a script loaded once (loaded again after a restart: NOSCRIPT). */
  async #script(source, args) {
    for (let tries = 0; ; tries++) {
      let sha = this.#shas.get(source);
      if (sha === undefined) {
        sha = String(await this.#command(["SCRIPT", "LOAD", source]));
        this.#shas.set(source, sha);
      }
      try {
        return await this.#command(["EVALSHA", sha, 0, this.#prefix, ...args]);
      } catch (error) {
        if (tries > 0 || !/NOSCRIPT/.test(String(error?.message))) throw error;
        this.#shas.delete(source);
      }
    }
  }

  /** Stores a verified delivery once per eventId (one script: the check and the XADD). */
  async add({ eventId, eventCode, resourceId, eventDate, callAttempt, body, signature, state = "pending", error }) {
    if (state !== "pending" && state !== "unfit") throw new TypeError('add(): state is "pending" or "unfit".');
    await this.ensureSchema();
    const eventMs = typeof eventDate === "string" ? Date.parse(eventDate) : Number.NaN;
    const [added, stored] = await this.#script(ADD, [
      String(eventId),
      toBase64(body),
      String(signature),
      String(eventCode ?? ""),
      String(resourceId ?? ""),
      typeof eventDate === "string" ? eventDate : "",
      Number.isFinite(eventMs) ? eventMs : 0,
      Number.isSafeInteger(callAttempt) ? callAttempt : "",
      state,
      error === undefined ? "" : String(error),
      Date.now(),
    ]);
    return Number(added) === 1 ? { added: true, id: String(eventId) } : { added: false, id: String(eventId), state: stored };
  }

  /** Claims the next entry (new, or left by a dead worker), or returns null. */
  async claim({ workerId = "worker", leaseMs = 30_000, ordered = false } = {}) {
    await this.ensureSchema();
    const now = Date.now();
    if (now - this.#promotedAt > 100) {
      this.#promotedAt = now;
      await this.#script(PROMOTE, [now, 100]);
    }
    const consumer = String(workerId);
    let entry = firstEntry(
      await this.#command(["XREADGROUP", "GROUP", GROUP, consumer, "COUNT", 1, "STREAMS", `${this.#prefix}stream`, ">"]).catch((e) => this.#recover(e)),
    );
    if (entry === undefined) {
      const taken = await this.#command(["XAUTOCLAIM", `${this.#prefix}stream`, GROUP, consumer, Math.max(1, Math.floor(leaseMs)), "0-0", "COUNT", 1]);
      entry = entryOf(taken?.[1]?.[0]);
      if (entry === undefined) return null;
    }
    const started = await this.#script(START, [entry.id, entry.eventId, consumer, Date.now(), ordered ? "1" : "0", Math.max(1, Math.floor(leaseMs))]);
    if (started[0] !== "started") return { deferred: true };
    const row = pairs(started[1]);
    const delivery = fromHash(entry.eventId, row);
    return {
      delivery,
      context: {},
      renew: async () => Number(await this.#script(RENEW, [entry.id, consumer])) === 1,
      // `abandon` (a handler that did not settle) needs nothing here: no transaction is open.
      finish: async ({ state, error, delayMs = 0, refund = false, abandon: _abandon = false }) => {
        if (!STATES.includes(state) || state === "running") throw new TypeError("finish(): unknown state");
        const done = await this.#script(FINISH, [
          entry.id,
          entry.eventId,
          consumer,
          state,
          error === undefined ? "" : String(error).slice(0, 4000),
          Math.max(0, Math.round(delayMs)),
          refund ? 1 : 0,
          Date.now(),
        ]);
        return Number(done) === 1;
      },
    };
  }

  /** Counts by state and the age of the oldest unfinished delivery, for metrics. */
  async stats() {
    const count = async (state) => Number(await this.#command(["ZCARD", `${this.#prefix}s:${state}`]));
    const stats = {
      pending: await count("pending"),
      running: await count("running"),
      done: await count("done"),
      dead: await count("dead"),
      unfit: await count("unfit"),
      oldestPendingSeconds: null,
    };
    let oldest = Number.POSITIVE_INFINITY;
    for (const state of ["pending", "running"]) {
      const [first] = scored(await this.#command(["ZRANGE", `${this.#prefix}s:${state}`, 0, 0, "WITHSCORES"]));
      if (first !== undefined) oldest = Math.min(oldest, first[1]);
    }
    stats.oldestPendingSeconds = Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : null;
    return stats;
  }

  /** The newest deliveries (optionally of one state), without their bodies. */
  async list({ state, limit = 50 } = {}) {
    if (state !== undefined && !STATES.includes(state)) throw new TypeError(`list(): state is one of ${STATES.join(", ")}.`);
    const n = Math.max(1, Math.min(10_000, Math.floor(limit)));
    const found = [];
    for (const s of state === undefined ? STATES : [state]) {
      found.push(...scored(await this.#command(["ZRANGE", `${this.#prefix}s:${s}`, "+inf", "-inf", "BYSCORE", "REV", "LIMIT", 0, n, "WITHSCORES"])));
    }
    found.sort((a, b) => b[1] - a[1]);
    const out = [];
    for (const [eventId] of found.slice(0, n)) {
      const delivery = await this.get(eventId);
      if (delivery === undefined) continue;
      delete delivery.body;
      delete delivery.signature;
      out.push(delivery);
    }
    return out;
  }

  /** One delivery by its eventId, with its body; undefined if unknown. */
  async get(eventId) {
    const row = pairs(await this.#command(["HGETALL", `${this.#prefix}d:${eventId}`]));
    return row.state === undefined ? undefined : fromHash(String(eventId), row);
  }

  /** Dead or unfit deliveries back to pending: one eventId, or every dead (`{ dead: true }`) / unfit one. */
  async retry(target) {
    await this.ensureSchema();
    let ids;
    if (target?.dead || target?.unfit) {
      ids = [];
      for (const s of [target.dead ? "dead" : null, target.unfit ? "unfit" : null].filter(Boolean)) {
        ids.push(...(await this.#command(["ZRANGE", `${this.#prefix}s:${s}`, 0, -1])));
      }
    } else {
      ids = [String(target)];
    }
    let n = 0;
    for (const id of ids) n += Number(await this.#script(RETRY, [id, Date.now()]));
    return n;
  }

  /** Deletes finished deliveries older than `olderThanMs` (done; and dead/unfit when asked). */
  async purge({ olderThanMs, states = ["done"] }) {
    if (!(Number.isFinite(olderThanMs) && olderThanMs >= 0)) throw new TypeError("purge(): olderThanMs must be a number of milliseconds.");
    if (!Array.isArray(states) || states.some((s) => !["done", "dead", "unfit"].includes(s))) throw new TypeError("purge(): states are done, dead, unfit.");
    let n = 0;
    for (const state of states) {
      for (;;) {
        const deleted = Number(await this.#script(PURGE, [state, Date.now() - olderThanMs, 500]));
        n += deleted;
        if (deleted < 500) break;
      }
    }
    return n;
  }
}

function firstEntry(reply) {
  // XREADGROUP, or null when nothing is new: [[stream, [[id, [field, value]]]]] in RESP2; a map
  // { stream: entries } in RESP3 (node-redis 6), which ioredis 6 flattens to [stream, entries].
  let entries;
  if (Array.isArray(reply)) entries = typeof reply[0] === "string" ? reply[1] : reply[0]?.[1];
  else if (reply instanceof Map) entries = [...reply.values()][0];
  else if (typeof reply === "object" && reply !== null) entries = Object.values(reply)[0];
  return entryOf(entries?.[0]);
}

/** ZRANGE … WITHSCORES as [member, score] pairs: flat in RESP2, nested in RESP3. */
function scored(reply) {
  if (!Array.isArray(reply)) return [];
  if (reply.length > 0 && Array.isArray(reply[0])) return reply.map(([member, score]) => [member, Number(score)]);
  const out = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([reply[i], Number(reply[i + 1])]);
  return out;
}

function entryOf(raw) {
  if (!Array.isArray(raw) || typeof raw[0] !== "string" || !Array.isArray(raw[1])) return undefined;
  const fields = pairs(raw[1]);
  return typeof fields.e === "string" ? { id: raw[0], eventId: fields.e } : undefined;
}

function pairs(flat) {
  // A field list: flat in RESP2 (and from scripts); a map in RESP3 (HGETALL with node-redis 6).
  if (flat instanceof Map) return Object.fromEntries(flat);
  if (typeof flat === "object" && flat !== null && !Array.isArray(flat)) return { ...flat };
  const out = {};
  if (!Array.isArray(flat)) return out;
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

function fromHash(eventId, h) {
  const date = (ms) => (ms === undefined || ms === "" ? null : new Date(Number(ms)));
  return {
    id: eventId,
    eventId,
    eventCode: h.eventCode,
    resourceId: h.resourceId,
    eventDate: h.eventDate === "" ? null : h.eventDate,
    callAttempt: h.callAttempt === "" ? null : Number(h.callAttempt),
    body: fromBase64(h.body ?? ""),
    signature: h.signature,
    state: h.state,
    attempts: Number(h.attempts ?? 0),
    runAt: null,
    lockedBy: h.lockedBy || null,
    lastError: h.lastError || null,
    receivedAt: date(h.receivedAt),
    updatedAt: date(h.updatedAt),
    finishedAt: h.state === "done" || h.state === "dead" || h.state === "unfit" ? date(h.updatedAt) : null,
  };
}

function toBase64(body) {
  let bytes;
  if (typeof body === "string") bytes = new TextEncoder().encode(body);
  else if (body instanceof Uint8Array) bytes = body;
  else throw new TypeError("add(): body must be the raw bytes (Uint8Array) or text.");
  if (typeof Buffer === "function") return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text) {
  if (typeof Buffer === "function") {
    const b = Buffer.from(text, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
