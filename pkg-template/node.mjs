// Node (and Deno, Bun) entry: compiles the .wasm beside this file synchronously at import, so
// the API needs no init call. (`require` gets the same file bundled as node.cjs.)
import { readFileSync } from "node:fs";
import { TextDecoder, TextEncoder } from "node:util";
import { core } from "./lib/core.mjs";
import { provideTextCodec } from "./lib/text.mjs";

provideTextCodec(TextEncoder, TextDecoder);
core.load(new WebAssembly.Module(readFileSync(new URL("./wasm/zentitle_webhooks.wasm", import.meta.url))));

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
