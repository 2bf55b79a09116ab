// One WebAssembly instance of a compiled module, and the only code that touches its memory.
//
// The module imports nothing and its exports take numbers: inputs are copied into its input
// buffer, results read from its output buffer. Every JavaScript value a caller passed has been
// read before a call starts, so no user code runs while a wasm frame is on the stack.
//
// If a call still fails inside the module (a trap, a stack overflow, memory that cannot be
// had), the instance's state can no longer be trusted: it is dropped, the call throws
// `internal_error`, and the next call runs on a fresh instance of the same module. Objects
// that keep handles into the instance (verifiers) compare `generation` and rebuild theirs.
import { abiMismatch } from "./abi.mjs";
import { argumentError, internalError, isOurs, registerErrors, verificationError } from "./errors.mjs";
import { text } from "./text.mjs";

export class WasmInstance {
  #module;
  #exports;
  #generation = 0;
  /** Error codes by their index in the module's table. */
  #codes = [];
  #abi;

  /**
   * @param {string} what the module's name in the error thrown before it is loaded
   * @param {Record<string, number>} abi the functions the module must export, with their arity (abi.mjs)
   */
  constructor(what, abi) {
    this.what = what;
    this.#abi = abi;
  }

  /** Sets the compiled module (from any realm) and instantiates it; refuses a module whose exports are not `abi`'s. */
  load(module) {
    const exports = new WebAssembly.Instance(module, {}).exports;
    const mismatch = abiMismatch(exports, this.#abi);
    if (mismatch !== undefined) {
      throw argumentError(`${this.what} does not match this version of the package (${mismatch}): load the .wasm file of the same version.`);
    }
    this.#module = module;
    this.#drop();
    this.#exports = exports;
    this.#codes = registerErrors(this.#readErrorTable());
  }

  get loaded() {
    return this.#module !== undefined;
  }

  /** Increases each time the instance is dropped: handles of an older generation are stale. */
  get generation() {
    return this.#generation;
  }

  /** The bytes of linear memory the current instance holds (for tests and monitoring). */
  get memoryBytes() {
    return this.#exports ? this.#exports.memory.buffer.byteLength : 0;
  }

  /**
   * Runs `call(exports)` on the instance, where `call` uses this object's `write`, `output*`
   * and `failure` for the buffers. The package's own errors (a refusal the module returned)
   * pass through as thrown; anything else thrown from inside the module drops the instance and
   * becomes `internal_error`. `call` must not run user code.
   */
  run(call) {
    if (this.#module === undefined) {
      throw new TypeError(`${this.what} is not loaded yet: call \`await init()\` once before the first use (browsers and bundlers).`);
    }
    try {
      if (this.#exports === undefined) this.#instantiate();
      return call(this.#exports);
    } catch (error) {
      if (isOurs(error)) throw error;
      this.#drop();
      throw internalError(error);
    }
  }

  /** Copies `parts` (Uint8Arrays) into the input buffer, back to back. Inside `run` only. */
  write(...parts) {
    const exports = this.#exports;
    let total = 0;
    for (const part of parts) total += part.length;
    const ptr = exports.zw_input(total);
    if (ptr === 0 && total > 0) throw new RangeError("The WebAssembly instance could not allocate the input buffer.");
    const memory = new Uint8Array(exports.memory.buffer, ptr, total);
    let at = 0;
    for (const part of parts) {
      memory.set(part, at);
      at += part.length;
    }
  }

  /** The output buffer as a copy of its bytes. Inside `run` only. */
  outputBytes() {
    const exports = this.#exports;
    const ptr = exports.zw_output_ptr();
    const len = exports.zw_output_len();
    return new Uint8Array(exports.memory.buffer, ptr, len).slice();
  }

  /** The output buffer as text. (A short ASCII output, such as an eventId, is read directly:
   * a call into TextDecoder costs more than the loop.) Inside `run` only. */
  outputText() {
    const exports = this.#exports;
    const ptr = exports.zw_output_ptr();
    const len = exports.zw_output_len();
    const bytes = new Uint8Array(exports.memory.buffer, ptr, len);
    if (len <= 64) {
      let out = "";
      for (let i = 0; i < len; i++) {
        if (bytes[i] >= 0x80) return text(bytes);
        out += String.fromCharCode(bytes[i]);
      }
      return out;
    }
    return text(bytes);
  }

  /**
   * A negative result: its `WebhookVerificationError` (with the hint and the diagnosis the
   * call left in the output, `hint NUL mismatch NUL bodyChange NUL part`), and whether the
   * failure was the payload's alone (`part` is `payload`: the envelope is valid). Inside `run` only.
   */
  failure(result) {
    const [hint, mismatch, bodyChange, part] = this.outputText().split("\0");
    const error = verificationError(this.#codes[-1 - result] ?? "internal_error", hint || undefined, mismatch || undefined, bodyChange || undefined);
    return { error, payloadMismatch: part === "payload" };
  }

  /** `[{ code, message, status }]` in the module's order: the one table of error codes. */
  #readErrorTable() {
    const table = [];
    const count = this.#exports.zw_error_count();
    for (let i = 0; i < count; i++) {
      const status = this.#exports.zw_error_describe(i);
      const [code, message] = this.outputText().split("\0");
      table.push({ code, message, status });
    }
    return table;
  }

  #instantiate() {
    this.#exports = new WebAssembly.Instance(this.#module, {}).exports;
  }

  /** Forgets the instance; handles made in it are stale from now on. */
  #drop() {
    this.#exports = undefined;
    this.#generation++;
  }
}

export { text, utf8 } from "./text.mjs";
