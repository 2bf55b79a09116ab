// The browser entries' `init` (lib/compile.mjs's memoisedInit), run in Node with the .wasm's
// bytes: one load for any number of calls, and a failed load (a fetch that failed, the .wasm
// of the other entry) forgotten so that the next call can succeed.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const pkg = new URL("../../pkg/", import.meta.url);
const verifyWasm = readFileSync(new URL("wasm/zentitle_webhooks.wasm", pkg));
const kitWasm = readFileSync(new URL("wasm/zentitle_webhooks_testing.wasm", pkg));

for (const [entry, own, other] of [
  ["browser.mjs", verifyWasm, kitWasm],
  ["testing-browser.mjs", kitWasm, verifyWasm],
]) {
  test(`${entry}: init loads once, and a failed init can be retried`, async () => {
    const api = await import(new URL(entry, pkg));
    // Not loaded yet: the API says to call init.
    if (entry === "browser.mjs") assert.throws(() => api.parseEvent("{}"), /await init\(\)/);
    else assert.throws(() => api.tamperSignature("AAAA"), /await init\(\)/);
    await assert.rejects(api.init(Promise.reject(new Error("offline"))), /offline/);
    await assert.rejects(api.init(other), { name: "TypeError", code: "invalid_argument", message: /does not match this version/ });
    const first = api.init(own);
    assert.equal(api.init(), first, "the same promise for every later call");
    await first;
    if (entry === "browser.mjs") assert.throws(() => api.parseEvent("{}"), { code: "invalid_event" });
    else assert.equal(typeof api.tamperSignature("AAAA"), "string");
    assert.equal(api.init(other), first, "loaded: later inputs are not compiled");
  });
}
