// The test kit for Cloudflare Workers: the .wasm imported as a module, ready on import.
import wasmModule from "./wasm/testing/zentitle_webhooks_testing_bg.wasm";
import { initSync } from "./wasm/testing/zentitle_webhooks_testing.js";

initSync({ module: wasmModule });

export * from "./testing-api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
