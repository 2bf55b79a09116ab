// The test kit's WebAssembly module (src/abi/testing.rs), as functions over plain values.
// Its randomness: a fresh 32-byte seed from `crypto.getRandomValues` per call.
import { KIT_EXPORTS } from "./abi.mjs";
import { argumentError } from "./errors.mjs";
import { utf8, WasmInstance } from "./wasm-instance.mjs";

export const kit = new WasmInstance("The zentitle-webhooks test kit's WebAssembly module", KIT_EXPORTS);

const seed = () => crypto.getRandomValues(new Uint8Array(32));

/** Copies `inputs` in, runs `invoke(exports)` and returns the text it left; throws its error. */
function call(inputs, invoke) {
  return kit.run((wasm) => {
    kit.write(...inputs);
    const result = invoke(wasm);
    if (result >= 0) return kit.outputText();
    const { error } = kit.failure(result);
    // The kit's argument errors are TypeErrors, like the rest of the API's.
    throw error.code === "invalid_argument" ? argumentError(error.hint ?? error.message) : error;
  });
}

export const generateKeyPair = (bits) => JSON.parse(call([seed()], (wasm) => wasm.zt_generate_key_pair(bits)));

export const sign = (key, body) => call([key, body], (wasm) => wasm.zt_sign(key.length, body.length));

export function sampleEvent(code, overrides, nowMs) {
  const codeBytes = utf8(code);
  const overrideBytes = overrides === undefined ? new Uint8Array(0) : utf8(overrides);
  return call([seed(), codeBytes, overrideBytes], (wasm) => wasm.zt_sample_event(codeBytes.length, overrideBytes.length, nowMs));
}

/** JSON text written again the way Zentitle's .NET serialiser writes it (`é` as `\u00E9`). */
export function dotnetJson(text) {
  const bytes = utf8(text);
  return call([bytes], (wasm) => wasm.zt_dotnet_json(bytes.length));
}

export function tamperBody(text) {
  const bytes = utf8(text);
  return call([bytes], (wasm) => wasm.zt_tamper_body(bytes.length));
}

export function tamperSignature(signature) {
  const bytes = utf8(signature);
  return call([bytes], (wasm) => wasm.zt_tamper_signature(bytes.length));
}
