// ADAPTER=cloudflare builds for Workers (adapter-cloudflare); otherwise a Node server (adapter-node).
import cloudflare from "@sveltejs/adapter-cloudflare";
import node from "@sveltejs/adapter-node";

export default {
  kit: { adapter: process.env.ADAPTER === "cloudflare" ? cloudflare() : node() },
};
