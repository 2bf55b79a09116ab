// Hono on Cloudflare Workers: `wrangler dev` / `wrangler deploy` with wrangler.toml here.
import { createApp } from "./app.mjs";

export default createApp((c) => c.env.ZENTITLE_RSA_MODULUS);
