// Serves a framework's Cloudflare build as a deploy would ship it: `wrangler deploy --dry-run`
// bundles the app's wrangler.json entry (as `wrangler deploy` does), and workerd, the Workers
// runtime, serves that bundle on loopback with the config's compatibility date and flags.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

import { startServer } from "../runtimes/servers.mjs";
import { bundleModules, workerdConfig } from "../runtimes/workerd-config.mjs";

/** `config`: the app's wrangler.json (plain JSON); `vars`: text bindings. */
export async function serveWithWorkerd({ dir, config, port, root, vars }) {
  const bin = (name) => join(root, "node_modules/.bin", name);
  const out = mkdtempSync(join(tmpdir(), "zentitle-framework-worker-"));
  const settings = JSON.parse(readFileSync(join(dir, config), "utf8"));
  try {
    execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out, "-c", join(dir, config)], {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
      stdio: "pipe",
    });
  } catch (error) {
    throw new Error(`wrangler deploy --dry-run failed in ${dir}:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
  const files = walk(out).map((path) => relative(out, path));
  const entry = files.find((f) => /\.m?js$/.test(f) && !f.includes("/"));
  const bindings = Object.entries(vars).map(([name, text]) => `(name = "${name}", text = "${text}")`);
  writeFileSync(
    join(out, "config.capnp"),
    workerdConfig({
      port,
      modules: bundleModules(entry, files),
      compatibilityDate: settings.compatibility_date,
      compatibilityFlags: settings.compatibility_flags,
      bindings,
    }),
  );
  return startServer(bin("workerd"), ["serve", "--verbose", join(out, "config.capnp")], { url: `http://127.0.0.1:${port}/`, cwd: out });
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}
