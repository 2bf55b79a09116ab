// A workerd config (capnp) serving one worker on a loopback port: for the bundles that
// `wrangler deploy --dry-run` writes, by the runtimes and the framework tests.

/** The module list of a bundle: `entry` first, then the other .js/.mjs and .wasm files. */
export function bundleModules(entry, files) {
  return [entry, ...files.filter((f) => f !== entry)]
    .map((f) => {
      if (/\.m?js$/.test(f)) return `(name = "${f}", esModule = embed "${f}")`;
      if (f.endsWith(".wasm")) return `(name = "${f}", wasm = embed "${f}")`;
      return undefined;
    })
    .filter(Boolean);
}

/**
 * `bindings`: capnp binding entries (`(name = "X", text = "…")`); `extra`: more fields of the
 * worker (Durable Object namespaces, storage), each ending with a comma.
 */
export function workerdConfig({ port, modules, compatibilityDate, compatibilityFlags = [], bindings = [], extra = "" }) {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(", ")}],
  compatibilityDate = "${compatibilityDate}",
  compatibilityFlags = [${compatibilityFlags.map((f) => `"${f}"`).join(", ")}],
  bindings = [${bindings.join(", ")}],${extra ? `\n  ${extra}` : ""}
);
`;
}
