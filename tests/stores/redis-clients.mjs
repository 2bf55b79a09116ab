// The Redis clients RedisStore takes, each connected to a test server: node-redis 4, 5 and 6
// (`redis`, `redis5`, `redis6` in package.json) and ioredis 5 and 6 (`ioredis`, `ioredis6`).
// Each fails fast while the server is down (no offline queue), as docs/stores.md recommends.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const version = (name) => require(`${name}/package.json`).version;

async function nodeRedis(pkg, url) {
  const { createClient } = await import(pkg);
  const client = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy: (n) => Math.min(50 * n, 500) } });
  client.on("error", () => {});
  await client.connect();
  const close = async () => {
    try {
      await (typeof client.destroy === "function" ? client.destroy() : client.disconnect()); // destroy: 5 and later
    } catch {}
  };
  return { client, close };
}

async function ioredis(pkg, url) {
  const { default: Redis } = await import(pkg);
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: (n) => Math.min(50 * n, 500) });
  client.on("error", () => {});
  await client.connect();
  return { client, close: async () => client.disconnect() };
}

/** `{ name, connect(url) → { client, close() } }` for each client. */
export const redisClients = [
  { name: `node-redis ${version("redis")}`, connect: (url) => nodeRedis("redis", url) },
  { name: `node-redis ${version("redis5")}`, connect: (url) => nodeRedis("redis5", url) },
  { name: `node-redis ${version("redis6")}`, connect: (url) => nodeRedis("redis6", url) },
  { name: `ioredis ${version("ioredis")}`, connect: (url) => ioredis("ioredis", url) },
  { name: `ioredis ${version("ioredis6")}`, connect: (url) => ioredis("ioredis6", url) },
];
