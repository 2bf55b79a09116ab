// `zentitle-webhooks inbox …` (see and repair a durable inbox: stats, list, show, retry, purge)
// and `zentitle-webhooks work` (a worker process running the user's handlers over the inbox).
// The database clients are the user's: `pg`, `redis` or `ioredis` is loaded from the project in
// the current directory (then from beside the package), and a clear message says when missing.
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const STORE_USAGE = "(--postgres URL [--table NAME] | --redis URL [--prefix PREFIX])";

export const HELP = {
  inbox: `Usage: zentitle-webhooks inbox <stats | list | show ID | retry ID | retry --dead | retry --unfit | purge --older-than DURATION>
                               ${STORE_USAGE} [--json]

See and repair a durable inbox (docs/inbox.md).
  stats                       counts by state and the age of the oldest unfinished delivery
  list [--state S] [--limit N] the newest deliveries (S: pending, running, done, dead, unfit)
  show ID                     one delivery (PostgreSQL: row id or eventId; Redis: eventId), body included
  retry ID | --dead | --unfit put dead or unfit deliveries back to pending, attempts reset
  purge --older-than 7d [--dead] [--unfit]
                              delete done deliveries (and dead / unfit ones when named) last
                              changed before then; DURATION is a number with s, m, h or d
Needs the pg package (--postgres) or redis / ioredis (--redis) in your project.`,
  work: `Usage: zentitle-webhooks work --handlers FILE ${STORE_USAGE}
                               [--key KEY] [--concurrency 4] [--ordered] [--max-attempts 12]
                               [--lease 30] [--handler-timeout 300]

Runs workers over the inbox until SIGINT or SIGTERM (in-flight handlers are signalled, then
finished). FILE is an ES module of yours that exports either
  receiver              a WebhookReceiver configured with { key, inbox } and its handlers, or
  register(receiver)    a function adding handlers (on, onAny, onError) to a receiver that
                        this command makes from --key (or ZENTITLE_RSA_MODULUS) and the store.
The store options are needed only with register.`,
};

const SPECS = {
  postgres: { type: "string" },
  table: { type: "string" },
  redis: { type: "string" },
  prefix: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  state: { type: "string" },
  limit: { type: "string" },
  dead: { type: "boolean" },
  unfit: { type: "boolean" },
  "older-than": { type: "string" },
  handlers: { type: "string" },
  key: { type: "string" },
  concurrency: { type: "string" },
  ordered: { type: "boolean" },
  "max-attempts": { type: "string" },
  lease: { type: "string" },
  "handler-timeout": { type: "string" },
};

class UsageError extends Error {}

/** Runs `inbox …` or `work`; resolves to the exit status. */
export async function main(command, argv, { out = process.stdout, err = process.stderr } = {}) {
  let args;
  try {
    args = parseArgs({ args: argv, options: SPECS, allowPositionals: true });
  } catch (error) {
    err.write(`${error.message}\n\n${HELP[command]}\n`);
    return 2;
  }
  const { values: o, positionals } = args;
  if (o.help) {
    out.write(`${HELP[command]}\n`);
    return 0;
  }
  const cleanup = [];
  try {
    if (command === "work") return await work(o, cleanup, out, err);
    return await inbox(o, positionals, cleanup, out);
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`${error.message}\n\n${HELP[command]}\n`);
      return 2;
    }
    err.write(`error: ${error?.message ?? error}\n`);
    return 1;
  } finally {
    for (const close of cleanup.reverse())
      await Promise.resolve()
        .then(close)
        .catch(() => {});
  }
}

async function inbox(o, positionals, cleanup, out) {
  const [action, id] = positionals;
  const box = await openInbox(o, cleanup);
  if (box === undefined) throw new UsageError("--postgres URL or --redis URL is required.");
  const print = (human, json) => out.write(`${o.json ? JSON.stringify(json, null, 2) : human}\n`);
  switch (action) {
    case "stats": {
      const stats = await box.stats();
      const age = stats.oldestPendingSeconds === null ? "none" : `${stats.oldestPendingSeconds.toFixed(1)} s`;
      print(`${["pending", "running", "done", "dead", "unfit"].map((s) => `${s} ${stats[s]}`).join("  ")}\noldest unfinished: ${age}`, stats);
      return 0;
    }
    case "list": {
      const limit = o.limit === undefined ? 50 : wholeNumber(o.limit, "--limit");
      const rows = await box.list({ state: o.state, limit });
      print(table(rows), rows.map(plain));
      return 0;
    }
    case "show": {
      if (id === undefined) throw new UsageError("show needs an ID.");
      const delivery = await box.get(id);
      if (delivery === undefined) {
        print(`No delivery ${JSON.stringify(id)}.`, null);
        return 1;
      }
      const shown = { ...plain(delivery), body: new TextDecoder().decode(delivery.body) };
      print(
        Object.entries(shown)
          .map(([k, v]) => `${k.padEnd(12)} ${v instanceof Date ? v.toISOString() : v}`)
          .join("\n"),
        shown,
      );
      return 0;
    }
    case "retry": {
      if (id === undefined && !o.dead && !o.unfit) throw new UsageError("retry needs an ID, --dead or --unfit.");
      const n = await box.retry(id === undefined ? { dead: o.dead, unfit: o.unfit } : id);
      print(`${n} ${n === 1 ? "delivery" : "deliveries"} back to pending.`, { retried: n });
      return id !== undefined && n === 0 ? 1 : 0;
    }
    case "purge": {
      if (o["older-than"] === undefined) throw new UsageError("purge needs --older-than DURATION (e.g. 7d).");
      const olderThanMs = duration(o["older-than"]);
      const states = ["done", ...(o.dead ? ["dead"] : []), ...(o.unfit ? ["unfit"] : [])];
      const n = await box.purge({ olderThanMs, states });
      print(`${n} ${n === 1 ? "delivery" : "deliveries"} deleted (${states.join(", ")}).`, { purged: n, states });
      return 0;
    }
    default:
      throw new UsageError(action === undefined ? "An inbox action is required." : `Unknown inbox action "${action}".`);
  }
}

async function work(o, cleanup, out, err) {
  if (o.handlers === undefined) throw new UsageError("--handlers FILE is required.");
  const module = await import(pathToFileURL(resolve(o.handlers)).href);
  let receiver = module.receiver ?? (typeof module.default?.work === "function" ? module.default : undefined);
  if (receiver === undefined) {
    const register = module.register ?? (typeof module.default === "function" ? module.default : undefined);
    if (typeof register !== "function") throw new UsageError(`${o.handlers} exports neither receiver nor register(receiver).`);
    const box = await openInbox(o, cleanup);
    if (box === undefined) throw new UsageError("With register(receiver), --postgres URL or --redis URL is required.");
    const key = o.key ?? process.env.ZENTITLE_RSA_MODULUS;
    if (!key) throw new UsageError("With register(receiver), --key KEY (or ZENTITLE_RSA_MODULUS) is required.");
    const { WebhookReceiver } = await import("../node.mjs");
    receiver = new WebhookReceiver({ key: readKey(key), inbox: box });
    await register(receiver);
  }
  const controller = new AbortController();
  const stop = () => {
    if (!controller.signal.aborted) err.write("stopping: waiting for the deliveries in progress…\n");
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const options = { signal: controller.signal, ordered: o.ordered === true };
  if (o.concurrency !== undefined) options.concurrency = wholeNumber(o.concurrency, "--concurrency");
  if (o["max-attempts"] !== undefined) options.maxAttempts = wholeNumber(o["max-attempts"], "--max-attempts");
  if (o.lease !== undefined) options.leaseSeconds = wholeNumber(o.lease, "--lease");
  if (o["handler-timeout"] !== undefined) options.handlerTimeoutSeconds = wholeNumber(o["handler-timeout"], "--handler-timeout");
  out.write(`working (concurrency ${options.concurrency ?? 1}${options.ordered ? ", ordered" : ""}); Ctrl-C stops\n`);
  await receiver.work(options);
  out.write("stopped\n");
  return 0;
}

/** The inbox of --postgres / --redis, with the user's client; undefined when neither is given. */
async function openInbox(o, cleanup) {
  if (o.postgres !== undefined && o.redis !== undefined) throw new UsageError("Give --postgres or --redis, not both.");
  if (o.postgres !== undefined) {
    const pg = await load(["pg"], "--postgres needs the pg package: npm install pg");
    const Pool = pg.Pool ?? pg.default?.Pool;
    // One connection per lane (a claim holds one until it finishes) and one for the rest.
    const lanes = o.concurrency === undefined ? 1 : wholeNumber(o.concurrency, "--concurrency");
    const pool = new Pool({ connectionString: o.postgres, max: lanes + 1, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    pool.on("error", () => {});
    cleanup.push(() => pool.end());
    const { PostgresInbox } = await import("../inbox/postgres.mjs");
    return new PostgresInbox(pool, o.table === undefined ? {} : { table: o.table });
  }
  if (o.redis !== undefined) {
    const lib = await load(["redis", "ioredis"], "--redis needs the redis (node-redis) or ioredis package: npm install redis");
    // A server that cannot be reached at first is an error within seconds (not endless
    // reconnecting); once connected, a lost connection is retried with a growing delay.
    let client;
    let connected = false;
    let lastError;
    const unreachable = () => new Error(`cannot reach Redis at ${redacted(o.redis)}: ${lastError?.message || lastError?.code || "no answer"}`);
    if (typeof lib.createClient === "function") {
      client = lib.createClient({
        url: o.redis,
        socket: {
          connectTimeout: CONNECT_TIMEOUT_MS,
          reconnectStrategy: (retries) => (connected ? Math.min(2000, 50 * 2 ** Math.min(6, retries)) : retries >= 2 ? unreachable() : 200),
        },
      });
      client.on("error", (error) => (lastError = error));
      client.on("ready", () => (connected = true));
      try {
        await client.connect();
      } catch (error) {
        await Promise.resolve(client.disconnect?.()).catch(() => {});
        throw lastError === undefined ? error : unreachable();
      }
      cleanup.push(() => client.quit());
    } else {
      const IORedis = lib.default ?? lib.Redis ?? lib;
      client = new IORedis(o.redis, {
        lazyConnect: true,
        maxRetriesPerRequest: 2,
        connectTimeout: CONNECT_TIMEOUT_MS,
        retryStrategy: (times) => (connected ? Math.min(2000, 50 * 2 ** Math.min(6, times)) : times > 2 ? null : 200),
      });
      client.on("error", (error) => (lastError = error));
      client.on("ready", () => (connected = true));
      try {
        await client.connect();
      } catch {
        client.disconnect();
        throw unreachable();
      }
      cleanup.push(() => client.quit());
    }
    const { RedisInbox } = await import("../inbox/redis.mjs");
    return new RedisInbox(client, o.prefix === undefined ? {} : { prefix: o.prefix });
  }
  return undefined;
}

const CONNECT_TIMEOUT_MS = 5000;

/** A URL without its password, for messages. */
function redacted(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "the given URL";
  }
}

/** The first of `names` found from the current directory's project, else beside this package. */
async function load(names, missing) {
  const fromProject = createRequire(join(process.cwd(), "package.json"));
  for (const name of names) {
    let path;
    try {
      path = fromProject.resolve(name);
    } catch {
      try {
        path = createRequire(import.meta.url).resolve(name);
      } catch {
        continue;
      }
    }
    return import(pathToFileURL(path).href);
  }
  throw new Error(missing);
}

function readKey(value) {
  const text = value.trim();
  if (text.startsWith("{")) return JSON.parse(text);
  return text;
}

function wholeNumber(value, name) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number of at least 1.`);
  return n;
}

/** "7d", "12h", "30m", "45s" or a number of seconds, in milliseconds. */
export function duration(text) {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(String(text).trim());
  if (!match) throw new UsageError(`--older-than must be a duration such as 7d, 12h, 30m or 45s (got ${JSON.stringify(text)}).`);
  return Number(match[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2]] * 1000;
}

function plain(d) {
  const { body, signature, ...rest } = d;
  return rest;
}

function table(rows) {
  if (rows.length === 0) return "(none)";
  const cols = ["id", "state", "attempts", "eventCode", "eventId", "resourceId", "receivedAt", "lastError"];
  const cell = (row, c) => {
    const v = row[c];
    const text = v instanceof Date ? v.toISOString().replace(/\.\d+Z$/, "Z") : v === null || v === undefined ? "" : JSON.stringify(v).replace(/^"|"$/g, "");
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  };
  const cells = rows.map((r) => cols.map((c) => cell(r, c)));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values) =>
    values
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(cols), ...cells.map(line)].join("\n");
}
