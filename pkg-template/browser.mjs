// Browser (and bundler) entry. Browsers compile WebAssembly asynchronously, so call
// `await init()` once before the first use. The .wasm is found beside this file through
// `new URL(..., import.meta.url)`, which Vite, webpack 5 and Parcel turn into an asset; pass
// its URL or bytes (or a compiled module) to `init` to load it from elsewhere.
import { memoisedInit } from "./lib/compile.mjs";
import { core } from "./lib/core.mjs";

const load = memoisedInit(core, new URL("./wasm/zentitle_webhooks.wasm", import.meta.url));

/**
 * Loads the WebAssembly module; resolves when the API is ready. Safe to call more than once.
 * @param {WebAssembly.Module | BufferSource | URL | string | Response | Promise<Response>} [input]
 */
export function init(input) {
  return load(input);
}

export * from "./api.mjs";
