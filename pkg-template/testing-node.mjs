// The test kit for Node: make keys, sign bodies like Zentitle, build realistic signed
// deliveries. A separate .wasm, so that the verifier's stays small.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/testing/zentitle_webhooks_testing.js";

initSync({ module: readFileSync(new URL("./wasm/testing/zentitle_webhooks_testing_bg.wasm", import.meta.url)) });

export * from "./testing-api.mjs";

/** Nothing to wait for in Node: the module is ready on import. */
export async function init() {}
