// The assembled package as npm would publish it: exactly the files it should hold, its
// entries for each runtime, and the size budget of size-budget.json.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

const pkg = new URL("../../pkg/", import.meta.url);
const budget = JSON.parse(readFileSync(new URL("../../size-budget.json", import.meta.url), "utf8"));
const manifest = JSON.parse(readFileSync(new URL("package.json", pkg), "utf8"));

test("npm pack holds exactly the package's files", () => {
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: pkg, encoding: "utf8" }));
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    "LICENSE",
    "README.md",
    "api.mjs",
    "browser.mjs",
    "cli.mjs",
    "cli/account.mjs",
    "cli/delivery.mjs",
    "cli/escape.mjs",
    "cli/inbox.mjs",
    "cli/listen.mjs",
    "cli/read-input.mjs",
    "cli/record-file.mjs",
    "cli/replay.mjs",
    "cli/suggest.mjs",
    "cli/webhooks.mjs",
    "cli/zentitle-env.mjs",
    "edge.mjs",
    "inbox/durable-object.cjs",
    "inbox/durable-object.d.cts",
    "inbox/durable-object.d.ts",
    "inbox/durable-object.mjs",
    "inbox/postgres.cjs",
    "inbox/postgres.d.cts",
    "inbox/postgres.d.ts",
    "inbox/postgres.mjs",
    "inbox/redis.cjs",
    "inbox/redis.d.cts",
    "inbox/redis.d.ts",
    "inbox/redis.mjs",
    "index.d.cts",
    "index.d.ts",
    "lib/abi.mjs",
    "lib/bounded-body.mjs",
    "lib/compile.mjs",
    "lib/core.mjs",
    "lib/errors.cjs",
    "lib/errors.mjs",
    "lib/event-codes.mjs",
    "lib/inbox-mode.mjs",
    "lib/inbox-worker.mjs",
    "lib/key-source.mjs",
    "lib/memory-store.mjs",
    "lib/native-rsa.mjs",
    "lib/printable.mjs",
    "lib/read.mjs",
    "lib/receiver.mjs",
    "lib/receiver/fetch-adapter.mjs",
    "lib/receiver/flow.mjs",
    "lib/receiver/handlers.mjs",
    "lib/receiver/lease.mjs",
    "lib/receiver/node-adapter.mjs",
    "lib/receiver/report.mjs",
    "lib/store-contract-tests.mjs",
    "lib/store-shared.cjs",
    "lib/store-shared.mjs",
    "lib/test-key.mjs",
    "lib/testing-core.mjs",
    "lib/text.mjs",
    "lib/verifier.mjs",
    "lib/wasm-instance.mjs",
    "management.cjs",
    "management.d.cts",
    "management.d.ts",
    "management.mjs",
    "node.cjs",
    "node.mjs",
    "package.json",
    "stores/durable-object.cjs",
    "stores/durable-object.d.cts",
    "stores/durable-object.d.ts",
    "stores/durable-object.mjs",
    "stores/postgres.cjs",
    "stores/postgres.d.cts",
    "stores/postgres.d.ts",
    "stores/postgres.mjs",
    "stores/redis.cjs",
    "stores/redis.d.cts",
    "stores/redis.d.ts",
    "stores/redis.mjs",
    "testing-api.mjs",
    "testing-browser.mjs",
    "testing-node.cjs",
    "testing-node.mjs",
    "testing-workerd.mjs",
    "testing.d.cts",
    "testing.d.ts",
    "wasm/zentitle_webhooks.wasm",
    "wasm/zentitle_webhooks_testing.wasm",
    "workerd.mjs",
    "www/app.js",
    "www/inbox.js",
    "www/index.html",
    "www/raw-request.js",
    "www/style.css",
  ]);
  assert.ok(packed.size <= budget.packed_tarball_bytes, `tarball ${packed.size} B > budget ${budget.packed_tarball_bytes} B`);
});

test("one verify .wasm for every runtime, within the size budget; the test kit apart", () => {
  const wasm = readFileSync(new URL("wasm/zentitle_webhooks.wasm", pkg));
  const gz = gzipSync(wasm, { level: 9 }).length;
  console.log(`# wasm: ${wasm.length} bytes, ${gz} bytes gzipped (budget ${budget.wasm_raw_bytes} / ${budget.wasm_gzip_bytes})`);
  assert.ok(gz <= budget.wasm_gzip_bytes, `gzipped .wasm ${gz} B > budget ${budget.wasm_gzip_bytes} B`);
  assert.ok(wasm.length <= budget.wasm_raw_bytes, `.wasm ${wasm.length} B > budget ${budget.wasm_raw_bytes} B`);
  for (const entry of ["workerd.mjs", "edge.mjs", "browser.mjs"]) {
    const text = readFileSync(new URL(entry, pkg), "utf8");
    assert.match(text, /zentitle_webhooks\.wasm/, `${entry} loads the shared .wasm`);
    assert.doesNotMatch(text, /testing/, `${entry} does not load the test kit`);
  }
  // The Node entries (bundles) carry the same module inlined (base64), byte for byte.
  for (const entry of ["node.mjs", "node.cjs"]) {
    const inlined = [...readFileSync(new URL(entry, pkg), "utf8").matchAll(/"(AGFzbQ[A-Za-z0-9+/=]+)"/g)];
    assert.equal(inlined.length, 1, `${entry} inlines one .wasm`);
    assert.ok(Buffer.from(inlined[0][1], "base64").equals(wasm), `${entry} inlines wasm/zentitle_webhooks.wasm`);
  }
  // The module imports nothing: no JavaScript runs while a wasm frame is on the stack.
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(wasm)), []);
  assert.deepEqual(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(new URL("wasm/zentitle_webhooks_testing.wasm", pkg)))), []);
});

test("the Node ES-module entry is one bundle that shares the stateful modules with the other entries", () => {
  const bundle = readFileSync(new URL("node.mjs", pkg), "utf8");
  const imported = new Set([...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]));
  assert.deepEqual([...imported].sort(), ["./lib/core.mjs", "./lib/errors.mjs", "./lib/text.mjs", "./lib/wasm-instance.mjs", "node:buffer", "node:util"]);
  // The instance, the error classes and the codecs are those modules', not copies.
  assert.doesNotMatch(bundle, /class WasmInstance|class WebhookVerificationError|function provideTextCodec/);
  assert.match(bundle, /WebhookVerifier = class/);
});

test("exports: a condition for each runtime, types first, default last", () => {
  const conditions = Object.keys(manifest.exports["."]);
  assert.deepEqual(conditions, ["workerd", "edge-light", "deno", "bun", "browser", "node", "require", "default"]);
  assert.deepEqual(Object.keys(manifest.exports["./testing"]), ["workerd", "deno", "bun", "browser", "node", "require", "default"]);
  // The generic `worker` condition is not used: bundlers set it for Web Workers, where the
  // browser entry (with init()) is right and the Workers entry's .wasm import is not.
  for (const path of [".", "./testing"]) {
    for (const [condition, target] of Object.entries(manifest.exports[path])) {
      const targets = "types" in target ? [target] : Object.values(target);
      for (const t of targets) assert.equal(Object.keys(t)[0], "types", `${path} ${condition}: types first`);
    }
  }
});

test("every entry exports the same API", async () => {
  const esm = await import("zentitle-webhooks");
  const names = Object.keys(esm).sort();
  assert.deepEqual(names, [
    "EVENT_CODES",
    "MemoryStore",
    "WebhookReceiver",
    "WebhookReceiverError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "init",
    "isKnownEventCode",
    "parseEvent",
  ]);
  // Every entry re-exports the one list (api.mjs) and adds its own init(); the Node entry is
  // published bundled (its names are those above), so its source is read here.
  for (const entry of ["../pkg-template/node.mjs", "workerd.mjs", "edge.mjs", "browser.mjs"]) {
    const text = readFileSync(new URL(entry, pkg), "utf8");
    assert.match(text, /^export \* from "\.\/api\.mjs";$/m, `${entry} re-exports api.mjs`);
    assert.match(text, /export (async )?function init\b/, `${entry} exports init`);
  }
  const { createRequire } = await import("node:module");
  const cjs = createRequire(import.meta.url)("zentitle-webhooks");
  assert.deepEqual(Object.keys(cjs).sort(), names);
  await esm.init(); // a no-op in Node, but part of the universal API
  const kit = [
    "buildSignedRequest",
    "createSender",
    "createTestEvent",
    "generateTestKeyPair",
    "init",
    "signPayload",
    "storeContractTests",
    "tamperBody",
    "tamperSignature",
    "testKeyPair",
  ];
  assert.deepEqual(Object.keys(await import("zentitle-webhooks/testing")).sort(), kit);
  assert.deepEqual(Object.keys(createRequire(import.meta.url)("zentitle-webhooks/testing")).sort(), kit);
  for (const entry of ["testing-node.mjs", "testing-workerd.mjs", "testing-browser.mjs"]) {
    const text = readFileSync(new URL(entry, pkg), "utf8");
    assert.match(text, /^export \* from "\.\/testing-api\.mjs";$/m, `${entry} re-exports testing-api.mjs`);
    assert.match(text, /export (async )?function init\b/, `${entry} exports init`);
  }
});
