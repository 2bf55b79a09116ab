// `RedisStore`: the receiver's store on Redis, shared by every instance. Takes the caller's
// own client (node-redis ≥ 4 or ioredis): the package adds no dependency.
//
// One key per event, `<prefix><eventId>`: a random token while an instance holds the lease
// (set with NX and PX, so that one instance at a time holds it, and the lease ends by itself
// if the instance dies), then "done" for `doneSeconds`.

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

export class RedisStore {
  #command;
  #prefix;
  #doneSeconds;
  /** eventId → the token of this instance's lease */
  #tokens = new Map();

  /** `new RedisStore(client, { prefix = "zentitle:event:", doneSeconds = 7 days })`. */
  constructor(client, { prefix = "zentitle:event:", doneSeconds = 7 * 24 * 60 * 60 } = {}) {
    if (typeof client?.sendCommand === "function") {
      this.#command = (args) => client.sendCommand(args.map(String)); // node-redis ≥ 4
    } else if (typeof client?.call === "function") {
      this.#command = ([name, ...args]) => client.call(name, ...args); // ioredis
    } else {
      throw new TypeError("new RedisStore(client): client must be a connected node-redis (≥ 4) or ioredis client.");
    }
    this.#prefix = prefix;
    this.#doneSeconds = doneSeconds;
  }

  async claim(eventId, leaseMs) {
    const key = this.#prefix + eventId;
    const token = randomToken();
    const set = await this.#command(["SET", key, token, "NX", "PX", leaseMs]);
    if (set === "OK") {
      this.#tokens.set(eventId, token);
      return "claimed";
    }
    const value = await this.#command(["GET", key]);
    if (value === "done") return "done";
    // Held by a live lease, or it ended just now: either way the retry decides.
    return "busy";
  }

  async renew(eventId, leaseMs) {
    const token = this.#tokens.get(eventId);
    if (token) await this.#command(["EVAL", RENEW, 1, this.#prefix + eventId, token, leaseMs]);
  }

  async complete(eventId) {
    this.#tokens.delete(eventId);
    await this.#command(["SET", this.#prefix + eventId, "done", "EX", this.#doneSeconds]);
  }

  async release(eventId) {
    const token = this.#tokens.get(eventId);
    this.#tokens.delete(eventId);
    if (token) await this.#command(["EVAL", RELEASE, 1, this.#prefix + eventId, token]);
  }
}

function randomToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
