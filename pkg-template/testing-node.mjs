// The test kit for Node (and Deno, Bun): its own .wasm, so that the verifier's stays small.
import { readFileSync } from "node:fs";
import { TextDecoder, TextEncoder } from "node:util";
import { kit } from "./lib/testing-core.mjs";
import { provideTextCodec } from "./lib/text.mjs";

provideTextCodec(TextEncoder, TextDecoder);
kit.load(new WebAssembly.Module(readFileSync(new URL("./wasm/zentitle_webhooks_testing.wasm", import.meta.url))));

export * from "./testing-api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
