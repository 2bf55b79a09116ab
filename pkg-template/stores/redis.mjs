// `RedisStore`: the receiver's store on Redis, shared by every instance. Takes the caller's
// own client (node-redis 4 or later, or ioredis 5 or later): the package adds no dependency.
//
// One key per event, `<prefix><key of the eventId>`: while an instance holds the lease, its
// value is the lease's random token (with a TTL of the lease, so that the lease ends by itself
// if the instance dies); once processed, "done" for `doneSeconds`. Each operation is one Lua
// script, so that the check of the token and the write are one atomic step: a stale instance
// can never renew, complete or release a lease another instance holds now.
import {
  checkEventId,
  checkToken,
  leaseToken,
  readDoneSeconds,
  readLeaseMs,
  readLogger,
  readStoreOptions,
  storageKey,
  typeError,
} from "../lib/store-shared.mjs";

const CLAIM = `local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 'claimed' end
if v == 'done' then return 'done' end
return 'busy'`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end return 0`;
const COMPLETE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], 'done', 'EX', ARGV[2]) return 1 end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end return 0`;

const WHAT = "new RedisStore(client, options)";

export class RedisStore {
  #command;
  #prefix;
  #doneSeconds;
  #logger;
  /** When the eviction policy is next read (ms), and the evicting policy last warned of. */
  #nextPolicyCheck = 0;
  #warnedPolicy;

  /** `new RedisStore(client, { prefix = "zentitle:event:", doneSeconds = 604800, logger = console.warn })`. */
  constructor(client, options) {
    this.#command = commandOf(client);
    const o = readStoreOptions(options, ["prefix", "doneSeconds", "logger"], WHAT);
    if (o.prefix !== undefined && typeof o.prefix !== "string") throw typeError(`${WHAT}: prefix must be a string.`);
    this.#prefix = o.prefix ?? "zentitle:event:";
    this.#doneSeconds = readDoneSeconds(o.doneSeconds, WHAT);
    this.#logger = readLogger(o.logger, WHAT);
  }

  async claim(eventId, leaseMs) {
    checkEventId(eventId, "RedisStore.claim");
    const ms = readLeaseMs(leaseMs, "RedisStore.claim");
    if (Date.now() >= this.#nextPolicyCheck) {
      this.#nextPolicyCheck = Date.now() + POLICY_CHECK_MS;
      this.#warnIfEvicting(); // in the background: it never delays or fails a claim
    }
    const token = leaseToken();
    const state = text(await this.#command(["EVAL", CLAIM, "1", await this.#key(eventId), token, String(ms)]));
    if (state === "claimed") return { state, token };
    if (state === "done" || state === "busy") return { state };
    throw new Error(`RedisStore.claim: unexpected reply from Redis (${typeof state}).`);
  }

  async renew(eventId, token, leaseMs) {
    checkEventId(eventId, "RedisStore.renew");
    checkToken(token, "RedisStore.renew");
    const ms = readLeaseMs(leaseMs, "RedisStore.renew");
    return (await this.#command(["EVAL", RENEW, "1", await this.#key(eventId), token, String(ms)])) === 1;
  }

  async complete(eventId, token) {
    checkEventId(eventId, "RedisStore.complete");
    checkToken(token, "RedisStore.complete");
    return (await this.#command(["EVAL", COMPLETE, "1", await this.#key(eventId), token, String(this.#doneSeconds)])) === 1;
  }

  async release(eventId, token) {
    checkEventId(eventId, "RedisStore.release");
    checkToken(token, "RedisStore.release");
    return (await this.#command(["EVAL", RELEASE, "1", await this.#key(eventId), token])) === 1;
  }

  async #key(eventId) {
    return this.#prefix + (await storageKey(eventId));
  }

  /**
   * One line through `logger` if the server may evict the store's keys: an evicted done mark
   * lets a retry run its event again, an evicted lease lets a second instance run it at once.
   * Read at the first claim, then every ten minutes (a restarted or reconfigured server may
   * evict where it did not), warning once per evicting policy seen. Says nothing where CONFIG
   * is refused (managed Redis); a read that fails is tried again at a claim a minute later.
   */
  async #warnIfEvicting() {
    try {
      const policy = configValue(await this.#command(["CONFIG", "GET", "maxmemory-policy"]), "maxmemory-policy");
      if (policy === undefined || policy === "noeviction") {
        this.#warnedPolicy = undefined;
      } else if (policy !== this.#warnedPolicy) {
        this.#warnedPolicy = policy;
        this.#logger(
          `zentitle-webhooks RedisStore: this Redis evicts keys (maxmemory-policy ${policy}); an evicted done mark lets a retry run its event again. Use maxmemory-policy noeviction (docs/stores.md).`,
        );
      }
    } catch {
      this.#nextPolicyCheck = Math.min(this.#nextPolicyCheck, Date.now() + 60_000);
    }
  }
}

/** How often the eviction policy is read again. */
const POLICY_CHECK_MS = 10 * 60 * 1000;

/**
 * How to send one command (an array of strings) with the given client. ioredis (which also has
 * a `sendCommand`, taking its own Command objects) is told apart by `call`; node-redis 4, 5 and
 * 6 by `sendCommand(array)` and no `call`.
 */
function commandOf(client) {
  let call;
  let sendCommand;
  try {
    call = client?.call;
    sendCommand = client?.sendCommand;
  } catch (error) {
    throw typeError(`${WHAT}: reading the client threw an exception (see error.cause).`, error);
  }
  if (typeof call === "function") return ([name, ...args]) => call.call(client, name, ...args); // ioredis
  if (typeof sendCommand === "function") return (args) => sendCommand.call(client, args); // node-redis
  throw typeError(`${WHAT}: client must be a node-redis (4 or later) or ioredis client.`);
}

/** A reply as text: clients answer strings, or bytes where they are set up to. */
function text(reply) {
  if (typeof reply === "string" || reply === null || reply === undefined) return reply;
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  return reply;
}

/** The value of `name` in a CONFIG GET reply: `[name, value]` (RESP2), or a map (RESP3). */
function configValue(reply, name) {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (text(reply[i]) === name) return text(reply[i + 1]);
    return undefined;
  }
  if (reply instanceof Map) return text(reply.get(name));
  if (typeof reply === "object" && reply !== null) return text(reply[name]);
  return undefined;
}
