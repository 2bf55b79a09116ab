// The test kit for browsers and bundlers: `await init()` once before first use.
import { memoisedInit } from "./lib/compile.mjs";
import { kit } from "./lib/testing-core.mjs";

const load = memoisedInit(kit, new URL("./wasm/zentitle_webhooks_testing.wasm", import.meta.url));

/** Loads the test kit's WebAssembly module. Safe to call more than once. */
export function init(input) {
  return load(input);
}

export * from "./testing-api.mjs";
