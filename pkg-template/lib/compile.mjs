// The browser entries' `init`: compiles a .wasm from whatever `init(input)` was given and loads
// it into the entry's instance, once.

/**
 * The `init(input)` of a browser entry: compiles `input` (by default `defaultUrl`) and loads
 * it into `instance` on the first call; later calls get the same promise. A failure (a fetch
 * that failed, a module of another version) is forgotten, so that the next call tries again.
 */
export function memoisedInit(instance, defaultUrl) {
  let ready;
  return (input) => {
    ready ??= compile(input ?? defaultUrl)
      .then((module) => {
        instance.load(module);
      })
      .catch((error) => {
        ready = undefined;
        throw error;
      });
    return ready;
  };
}

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
