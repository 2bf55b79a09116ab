// Cloudflare Workers (workerd) entry. Workers may not compile WebAssembly from bytes at run
// time, so the .wasm is imported as a module (wrangler and workerd compile it at deploy time);
// instantiation is synchronous, with no init call.
import wasmModule from "./wasm/zentitle_webhooks.wasm";
import { core } from "./lib/core.mjs";

core.load(wasmModule);

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
