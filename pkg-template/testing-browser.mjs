// The test kit for browsers and bundlers: `await init()` once before first use.
import initWasm from "./wasm/testing/zentitle_webhooks_testing.js";

let ready;

/** Loads the test kit's WebAssembly module. Safe to call more than once. */
export function init(input) {
  ready ??= initWasm({ module_or_path: input ?? new URL("./wasm/testing/zentitle_webhooks_testing_bg.wasm", import.meta.url) }).then(
    () => undefined,
    (error) => {
      ready = undefined;
      throw error;
    },
  );
  return ready;
}

export * from "./testing-api.mjs";
