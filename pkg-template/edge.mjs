// Vercel Edge (edge-light) entry: like Workers, the .wasm is imported as a compiled module
// (`?module`, which Next.js and Vercel's build turn into a WebAssembly.Module). The module may
// come from another realm than this file's `WebAssembly`: it is instantiated as it is, with no
// `instanceof` check that a module from another realm would fail.
import wasmModule from "./wasm/zentitle_webhooks.wasm?module";
import { core } from "./lib/core.mjs";

core.load(wasmModule);

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
