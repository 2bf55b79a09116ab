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
import { internalError, registerErrors, verificationError } from "./errors.mjs";
import { text } from "./text.mjs";

export class WasmInstance {
  #module;
  #exports;
  #generation = 0;
  /** Error codes by their index in the module's table. */
  #codes = [];

  /** @param {string} what the module's name in the error thrown before it is loaded */
  constructor(what) {
    this.what = what;
  }

  /** Sets the compiled module (from any realm) and instantiates it. */
  load(module) {
    this.#module = module;
    this.#drop();
    this.#instantiate();
    this.#codes = registerErrors(readErrorTable(this.#exports, this));
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
   * Runs `fn(exports, io)` on the instance. Anything thrown from inside the module drops the
   * instance and becomes `internal_error`; `fn` must not run user code.
   */
  run(fn) {
    if (this.#module === undefined) {
      throw new TypeError(`${this.what} is not loaded yet: call \`await init()\` once before the first use (browsers and bundlers).`);
    }
    try {
      if (this.#exports === undefined) this.#instantiate();
      return fn(this.#exports, this);
    } catch (error) {
      this.#drop();
      throw internalError(error);
    }
  }

  /** Copies `parts` (Uint8Arrays) into the input buffer, back to back. */
  write(exports, ...parts) {
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

  /** The output buffer as a copy of its bytes. */
  outputBytes(exports) {
    const ptr = exports.zw_output_ptr();
    const len = exports.zw_output_len();
    return new Uint8Array(exports.memory.buffer, ptr, len).slice();
  }

  /** The output buffer as text. (A short ASCII output, such as an eventId, is read directly:
   * a call into TextDecoder costs more than the loop.) */
  outputText(exports) {
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

  /** The `WebhookVerificationError` of a negative result, with the hint and the diagnosis
   * (`hint NUL mismatch NUL bodyChange`) the call left. */
  failure(exports, result) {
    const [hint, mismatch, bodyChange] = this.outputText(exports).split("\0");
    return verificationError(this.#codes[-1 - result] ?? "internal_error", hint || undefined, mismatch || undefined, bodyChange || undefined);
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

/** `[{ code, message, status }]` in the module's order: the one table of error codes. */
function readErrorTable(exports, io) {
  const table = [];
  const count = exports.zw_error_count();
  for (let i = 0; i < count; i++) {
    const status = exports.zw_error_describe(i);
    const [code, message] = io.outputText(exports).split("\0");
    table.push({ code, message, status });
  }
  return table;
}

export { text, utf8 } from "./text.mjs";
