// Load test (`make load`): the Cloudflare Workers recipe (a WebhookReceiver on the Durable
// Object store), bundled by wrangler and served by workerd on loopback, under 50,000 requests from autocannon that mix valid, tampered,
// unknown-event and junk deliveries. Checks: zero wrong verdicts (exactly the expected count
// of 200s and 401s), zero 5xx, workerd's memory flat; reports throughput.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import autocannon from "autocannon";

import { deliveries, modulus } from "../runtimes/deliveries.mjs";
import { freePort } from "../runtimes/servers.mjs";
import { bundleModules, workerdConfig } from "../runtimes/workerd-config.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const total = Number(process.env.ZW_LOAD_REQUESTS ?? 50_000);
const connections = 10;

const out = join(root, "target/load-worker");
execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out, "-c", join(root, "examples/cloudflare-worker/wrangler.toml")], {
  cwd: root,
  stdio: "pipe",
  env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
});
const port = await freePort();
writeFileSync(
  join(out, "config.capnp"),
  workerdConfig({
    port,
    modules: bundleModules("worker.js", readdirSync(out).sort()),
    compatibilityDate: "2026-11-01",
    bindings: [`(name = "ZENTITLE_RSA_MODULUS", text = "${modulus}")`, `(name = "WEBHOOK_EVENTS", durableObjectNamespace = "ZentitleEventObject")`],
    extra: `durableObjectNamespaces = [(className = "ZentitleEventObject", uniqueKey = "zentitle-webhook-events")], durableObjectStorage = (inMemory = void),`,
  }),
);
const workerd = spawn(bin("workerd"), ["serve", join(out, "config.capnp")], { cwd: out, stdio: "ignore" });
const url = `http://127.0.0.1:${port}/webhooks/zentitle`;
for (let i = 0; ; i++) {
  try {
    await fetch(url, { method: "GET" });
    break;
  } catch {
    if (i > 300) throw new Error("workerd did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
}
const rss = () => Number(readFileSync(`/proc/${workerd.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) * 1024;

// Four kinds, in turn on every connection: valid (200), tampered (401), unknown event (200),
// junk (401: a random body and a malformed signature).
const [valid, tampered, unknown] = [deliveries[0], deliveries[1], deliveries[2]];
const requests = [valid, tampered, unknown, { body: "\u0000junk" + "x".repeat(300), headers: { "N-Signature": "%%%" } }].map((d) => ({
  method: "POST",
  body: d.body,
  headers: { "content-type": "application/json", ...d.headers },
}));
const run = (amount) => autocannon({ url, connections, amount, requests });
// Warm-up, then two measured runs: memory is "flat" when the second run does not grow it
// further (the first lets V8's heap reach its working size).
await run(4_000);
const warm = rss();
const result = await run(total);
const before = rss();
const second = await run(total);
const after = rss();
workerd.kill("SIGTERM");
for (const key of ["2xx", "4xx", "5xx", "non2xx", "errors", "timeouts"]) result[key] += second[key];

const ok2xx = result["2xx"];
const bad4xx = result["4xx"];
const wrong = Math.abs(ok2xx - total) + Math.abs(bad4xx - total) + result["5xx"] + result.non2xx - bad4xx;
console.log(`workerd load: 2 × ${total.toLocaleString("en")} requests, ${connections} connections`);
console.log(
  `  2xx ${ok2xx} (expected ${total}), 4xx ${bad4xx} (expected ${total}), 5xx ${result["5xx"]}, errors ${result.errors}, timeouts ${result.timeouts}`,
);
console.log(`  throughput ${result.requests.average.toFixed(0)} req/s; latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`);
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
console.log(`  workerd RSS: ${mib(warm)} after warm-up, ${mib(before)} after the first run, ${mib(after)} after the second`);
const failed = wrong !== 0 || result.errors !== 0 || result["5xx"] !== 0 || after > before * 1.1 + 16 * 2 ** 20;
console.log(failed ? "FAILED" : "passed: zero wrong verdicts, zero 5xx, memory flat");
process.exit(failed ? 1 : 0);
