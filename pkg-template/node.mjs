// Node entry: compiles the .wasm that sits beside this file, synchronously, at import, so
// that the API needs no init call. (`require` gets the same file bundled as node.cjs.)
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/zentitle_webhooks.js";

initSync({ module: readFileSync(new URL("./wasm/zentitle_webhooks_bg.wasm", import.meta.url)) });

export * from "./api.mjs";

/** Nothing to wait for in Node: the module is ready on import. */
export async function init() {}
