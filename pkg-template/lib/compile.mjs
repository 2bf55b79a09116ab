// Compiles a .wasm for the browser entries, from whatever `init(input)` was given.

/** `input`: a WebAssembly.Module (any realm), bytes, a URL or string, a Response or a promise of one. */
export async function compile(input) {
  const value = await input;
  if (isModule(value)) return value;
  if (typeof value === "string" || value instanceof URL) return compile(fetch(value));
  if (typeof Response === "function" && value instanceof Response) {
    if (typeof WebAssembly.compileStreaming === "function" && value.headers.get("content-type")?.startsWith("application/wasm")) {
      return WebAssembly.compileStreaming(value);
    }
    return WebAssembly.compile(await value.arrayBuffer());
  }
  return WebAssembly.compile(value);
}

function isModule(value) {
  try {
    WebAssembly.Module.exports(value);
    return true;
  } catch {
    return false;
  }
}
