// Vercel Edge (edge-light) entry: like Workers, the .wasm is imported as a compiled module
// (`?module`, which Next.js and Vercel's build turn into a WebAssembly.Module), so use is
// synchronous with no init call.
import wasmModule from "./wasm/zentitle_webhooks_bg.wasm?module";
import { initSync } from "./wasm/zentitle_webhooks.js";

initSync({ module: wasmModule });

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
