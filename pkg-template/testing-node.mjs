// The test kit for Node (and Deno, Bun): its own .wasm, so that the verifier's stays small;
// keys and signatures from node:crypto (native, synchronous signing).
import { createPrivateKey, sign, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { TextDecoder, TextEncoder } from "node:util";
import { provideNativeRsa } from "./lib/native-rsa.mjs";
import { kit } from "./lib/testing-core.mjs";
import { provideTextCodec } from "./lib/text.mjs";

provideTextCodec(TextEncoder, TextDecoder);
provideNativeRsa({ subtle: webcrypto?.subtle, createPrivateKey, sign });
kit.load(new WebAssembly.Module(readFileSync(new URL("./wasm/zentitle_webhooks_testing.wasm", import.meta.url))));

export * from "./testing-api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
