// DurableObjectStore and ZentitleEventObject in workerd (the runtime of Cloudflare Workers),
// with a real Durable Object namespace: the store conformance suite runs inside the worker
// (tests/stores/durable-object-worker.mjs, bundled with the package's workerd conditions), one
// request per case; and the object's alarm clearing the storage of a lease left behind.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { freePort, startServer } from "../runtimes/servers.mjs";
import { bundleModules, workerdConfig } from "../runtimes/workerd-config.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "zw-durable-"));
let server;
let base;

before(async () => {
  const esbuild = await import("esbuild");
  const wasm = [];
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("durable-object-worker.mjs", import.meta.url))],
    outfile: join(out, "worker.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    logLevel: "warning",
    plugins: [
      {
        // As wrangler does: `x.wasm?module` becomes a compiled module beside the worker.
        name: "wasm-module",
        setup(build) {
          build.onResolve({ filter: /\.wasm\?module$/ }, ({ path, resolveDir }) => {
            const file = join(resolveDir, path.replace(/\?module$/, ""));
            const name = file.split("/").pop();
            wasm.push(name);
            copyFileSync(file, join(out, name));
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  const port = await freePort();
  writeFileSync(
    join(out, "config.capnp"),
    workerdConfig({
      port,
      modules: bundleModules("worker.js", ["worker.js", ...wasm]),
      compatibilityDate: "2026-11-01",
      bindings: ['(name = "EVENTS", durableObjectNamespace = "ZentitleEventObject")', '(name = "PEEK", durableObjectNamespace = "PeekableEventObject")'],
      extra:
        'durableObjectNamespaces = [(className = "ZentitleEventObject", uniqueKey = "zentitle-contract-events"), (className = "PeekableEventObject", uniqueKey = "zentitle-peek-events")],\n  durableObjectStorage = (inMemory = void),',
    }),
  );
  base = `http://127.0.0.1:${port}`;
  server = await startServer(join(root, "node_modules/.bin/workerd"), ["serve", join(out, "config.capnp")], { url: base, cwd: out });
});

after(async () => {
  await server?.stop();
  rmSync(out, { recursive: true, force: true });
});

test("DurableObjectStore passes the store contract in workerd", async (t) => {
  const names = await (await fetch(`${base}/cases`)).json();
  assert.ok(names.length >= 15, `the suite has its cases (${names.length})`);
  for (const [n, name] of names.entries()) {
    await t.test(name, async () => {
      const result = await (await fetch(`${base}/run?case=${n}`, { method: "POST" })).json();
      assert.ok(result.ok, result.error);
    });
  }
});

test("a lease whose instance went away: the object's alarm clears its storage once the lease ended", async () => {
  const id = `abandoned_${Date.now()}`;
  assert.equal(await (await fetch(`${base}/abandon?id=${id}&leaseMs=500`)).json(), "claimed");
  const during = await (await fetch(`${base}/peek?id=${id}`)).json();
  assert.deepEqual(during.entries, ["entry"]);
  assert.equal(typeof during.alarm, "number", "an alarm is set at the lease's end");
  let after;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await (await fetch(`${base}/peek?id=${id}`)).json();
    if (after.entries.length === 0) break;
  }
  assert.deepEqual(after.entries, [], "the storage is empty after the alarm");
});
