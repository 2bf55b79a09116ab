// Node (and Deno, Bun) entry: compiles the verify .wasm synchronously at import, so the API
// needs no init call. The build publishes this file bundled (scripts/build-pkg.mjs: one module
// to load instead of a dozen, the modules that hold shared state apart), and as node.cjs for
// `require`. The module's bytes are inlined (lib/verify-wasm.mjs, base64, written by the build
// and taken into both bundles) rather than read from a file beside this one: server bundlers
// (webpack in Next.js, esbuild, Nitro) move or rewrite `new URL("./x.wasm", import.meta.url)`,
// and output tracing may leave the file behind.
import { Buffer } from "node:buffer";
import { TextDecoder, TextEncoder } from "node:util";
import { core } from "./lib/core.mjs";
import { provideTextCodec } from "./lib/text.mjs";
import { verifyWasm } from "./lib/verify-wasm.mjs";

provideTextCodec(TextEncoder, TextDecoder);
core.load(new WebAssembly.Module(Buffer.from(verifyWasm, "base64")));

export * from "./api.mjs";

/** Nothing to wait for here: the module is ready on import. */
export async function init() {}
