// Hono on Cloudflare Workers: `wrangler dev` / `wrangler deploy` with wrangler.toml here.
// (One isolate's MemoryStore; with several isolates use the Durable Object store, as the
// cloudflare-worker example does.)
import { createApp } from "./app.mjs";

export default createApp((c) => ({ key: c.env.ZENTITLE_RSA_MODULUS }));
