// Hono on Node:  ZENTITLE_RSA_MODULUS=... PORT=3000 node node.mjs
import { serve } from "@hono/node-server";

import { createApp } from "./app.mjs";

const app = createApp(() => ({ key: process.env.ZENTITLE_RSA_MODULUS }));
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1" });
