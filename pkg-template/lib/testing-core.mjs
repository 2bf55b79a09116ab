// The test kit's WebAssembly module (src/abi/testing.rs), as functions over plain values.
// Its randomness: a fresh 32-byte seed from `crypto.getRandomValues` per call.
import { argumentError } from "./errors.mjs";
import { utf8, WasmInstance } from "./wasm-instance.mjs";

export const kit = new WasmInstance("The zentitle-webhooks test kit's WebAssembly module");

const seed = () => crypto.getRandomValues(new Uint8Array(32));

/** Runs an export whose result is text in the output buffer; throws its error. */
function call(inputs, invoke) {
  const outcome = kit.run((x, io) => {
    io.write(x, ...inputs);
    const result = invoke(x);
    return result < 0 ? io.failure(x, result) : { text: io.outputText(x) };
  });
  if (outcome instanceof Error) {
    // The kit's argument errors are TypeErrors, like the rest of the API's.
    throw outcome.code === "invalid_argument" ? argumentError(outcome.hint ?? outcome.message) : outcome;
  }
  return outcome.text;
}

export const generateKeyPair = (bits) => JSON.parse(call([seed()], (x) => x.zt_generate_key_pair(bits)));

export const sign = (key, body) => call([key, body], (x) => x.zt_sign(key.length, body.length));

export function sampleEvent(code, overrides, nowMs) {
  const codeBytes = utf8(code);
  const overrideBytes = overrides === undefined ? new Uint8Array(0) : utf8(overrides);
  return call([seed(), codeBytes, overrideBytes], (x) => x.zt_sample_event(codeBytes.length, overrideBytes.length, nowMs));
}

/** JSON text written again the way Zentitle's .NET serialiser writes it (`é` as `\u00E9`). */
export function dotnetJson(text) {
  const bytes = utf8(text);
  return call([bytes], (x) => x.zt_dotnet_json(bytes.length));
}

export function tamperBody(text) {
  const bytes = utf8(text);
  return call([bytes], (x) => x.zt_tamper_body(bytes.length));
}

export function tamperSignature(signature) {
  const bytes = utf8(signature);
  return call([bytes], (x) => x.zt_tamper_signature(bytes.length));
}
