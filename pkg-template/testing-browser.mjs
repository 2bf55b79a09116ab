// The test kit for browsers and bundlers: `await init()` once before first use.
import { compile } from "./lib/compile.mjs";
import { kit } from "./lib/testing-core.mjs";

let ready;

/** Loads the test kit's WebAssembly module. Safe to call more than once. */
export function init(input) {
  ready ??= compile(input ?? new URL("./wasm/zentitle_webhooks_testing.wasm", import.meta.url)).then(
    (module) => {
      kit.load(module);
    },
    (error) => {
      ready = undefined;
      throw error;
    },
  );
  return ready;
}

export * from "./testing-api.mjs";
