// Cloudflare Workers (workerd) entry. Workers may not compile WebAssembly from bytes at run
// time, so the .wasm is imported as a compiled module (wrangler, workerd, Nitro's unwasm and
// Cloudflare's Vite plugin compile it at deploy time); instantiation is synchronous, with no init
// call. The `?module` suffix asks every one of those bundlers for a WebAssembly.Module rather
// than an instance's exports.
import wasmModule from "./wasm/zentitle_webhooks.wasm?module";
import { core } from "./lib/core.mjs";

core.load(wasmModule);

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
