// The test kit for Cloudflare Workers: the .wasm imported as a compiled module (`?module`, as in
// workerd.mjs), ready on import.
import wasmModule from "./wasm/zentitle_webhooks_testing.wasm?module";
import { kit } from "./lib/testing-core.mjs";

kit.load(wasmModule);

export * from "./testing-api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
