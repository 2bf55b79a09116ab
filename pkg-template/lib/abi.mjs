// The functions the WebAssembly modules export (src/abi/mod.rs, src/abi/testing.rs), each with
// its number of parameters: the one list the JavaScript layer calls them by. The Rust side and
// this list change together or not at all: `WasmInstance.load` refuses a module whose functions
// differ (a .wasm of another version passed to `init`), and tests/js/abi.test.mjs holds both
// built modules to the list, so that an export renamed, added or given another arity on one
// side alone fails before anything calls it with the wrong arguments.

/** The verifier's module (`zentitle_webhooks.wasm`). */
export const VERIFY_EXPORTS = Object.freeze({
  zw_input: 1,
  zw_output_ptr: 0,
  zw_output_len: 0,
  zw_error_count: 0,
  zw_error_describe: 1,
  zw_keys_clear: 0,
  zw_keys_add: 2,
  zw_verifier_new: 2,
  zw_verifier_free: 1,
  zw_verify_signature: 4,
  zw_verify: 6,
  zw_parse_event: 1,
  zw_trap_for_tests: 0,
});

/** The test kit's module (`zentitle_webhooks_testing.wasm`): the verifier's exports and its own. */
export const KIT_EXPORTS = Object.freeze({
  ...VERIFY_EXPORTS,
  zt_generate_key_pair: 1,
  zt_sign: 2,
  zt_sample_event: 3,
  zt_dotnet_json: 1,
  zt_tamper_body: 1,
  zt_tamper_signature: 1,
});

/**
 * How `exports` (an instance's) differs from `expected`: a sentence naming the first
 * difference, or `undefined` when every function is there with its arity and no other is.
 */
export function abiMismatch(exports, expected) {
  for (const [name, arity] of Object.entries(expected)) {
    const fn = exports[name];
    if (typeof fn !== "function") return `it lacks the function ${name}`;
    if (fn.length !== arity) return `its ${name} takes ${fn.length} parameter(s), not ${arity}`;
  }
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === "function" && !Object.hasOwn(expected, name)) return `it exports a function ${name} this JavaScript does not know`;
  }
  if (!(exports.memory instanceof WebAssembly.Memory)) return "it exports no memory";
  return undefined;
}
