// Each framework app of tests/frameworks/<name>/ as a user builds it: the packed package
// installed from its tarball, the framework's production build, the built server started on
// loopback, then signed (2xx), tampered (401) and unsigned (401) deliveries to every webhook
// route. Each app's framework.json says how to build and serve it; see tests/frameworks/README.md.
//
// ZW_TARBALL: the packed package (make test-frameworks packs it). LATEST=1: the newest
// versions of each framework instead of its lock file's. ZW_FRAMEWORKS=a,b: only those apps.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { deliverAll, handledLines, modulus } from "../runtimes/deliveries.mjs";
import { freePort, startServer } from "../runtimes/servers.mjs";
import { serveWithWorkerd } from "./workerd.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = join(here, "../..");
const tarball = process.env.ZW_TARBALL;
const latest = process.env.LATEST === "1";
const only = process.env.ZW_FRAMEWORKS?.split(",").filter(Boolean);
const results = [];

assert.ok(tarball && existsSync(tarball), "ZW_TARBALL must name the packed package (make test-frameworks packs it)");

after(() => {
  const out = join(root, "target/frameworks");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "results.json"), `${JSON.stringify({ node: process.version, latest, results }, null, 2)}\n`);
  console.log(`# frameworks (Node ${process.version}${latest ? ", LATEST=1" : ""})`);
  for (const r of results) console.log(`# ${r.framework} ${r.version} · ${r.build} · ${r.route}: ${r.result}`);
});

const apps = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "framework.json")))
  .map((d) => d.name)
  .filter((name) => !only || only.includes(name));

for (const name of apps) {
  const dir = join(here, name);
  const spec = JSON.parse(readFileSync(join(dir, "framework.json"), "utf8"));
  describe(spec.name, () => {
    let version = "?";
    test("install: the framework from its lock file, the package from its tarball", { timeout: 600_000 }, () => {
      install(dir, spec);
      version = installedVersion(dir, spec.versionOf);
      const installed = JSON.parse(readFileSync(join(dir, "node_modules/zentitle-webhooks/package.json"), "utf8"));
      assert.equal(installed.name, "zentitle-webhooks");
      assert.ok(!isLink(join(dir, "node_modules/zentitle-webhooks")), "the package must be installed from the tarball, not linked");
    });
    for (const variant of spec.variants) {
      test(`${variant.build}: production build, then ${Object.keys(variant.routes).join(", ")}`, { timeout: 600_000 }, async () => {
        const env = { ...process.env, ...variant.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", ASTRO_TELEMETRY_DISABLED: "1" };
        for (const command of variant.steps) run(dir, command, env);
        const port = await freePort();
        const server = await serve(dir, spec, variant, port, env);
        try {
          for (const [route, path] of Object.entries(variant.routes)) {
            const url = `http://127.0.0.1:${port}${path}`;
            const wrong = await deliverAll(url);
            results.push({ framework: spec.name, version, build: variant.build, route, result: wrong.length ? `failed: ${wrong.join("; ")}` : "passed" });
            assert.deepEqual(wrong, [], `${spec.name}, ${variant.build}, ${route} (${url}):\n${server.output()}`);
          }
          for (let i = 0; i < 50 && !handledLines.every((line) => server.output().includes(line)); i++) await new Promise((r) => setTimeout(r, 100));
          for (const line of handledLines) assert.ok(server.output().includes(line), `no "${line}" in the server's output:\n${server.output()}`);
        } finally {
          await server.stop();
        }
      });
    }
  });
}

/**
 * `npm ci` when node_modules does not match the lock file (a stamp records which it matches),
 * or the newest versions with LATEST=1; then the tarball, with `npm install --no-save`. The
 * npm cache is the user's one cache, shared by every app.
 */
function install(dir, spec) {
  const lock = readFileSync(join(dir, "package-lock.json"), "utf8");
  const stamp = join(dir, "node_modules/.zw-installed");
  const want = latest ? `latest ${new Date().toISOString().slice(0, 10)} ${spec.latest.join(" ")}` : `lock ${createHash("sha256").update(lock).digest("hex")}`;
  const npm = (args) => run(dir, ["npm", ...args, "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], process.env);
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== want) {
    rmSync(join(dir, "node_modules"), { recursive: true, force: true });
    // The newest releases of a framework's packages do not always agree on their peers on the
    // day (an adapter behind a new major, packages pinning each other's exact versions): LATEST
    // probes the newest code, so peer ranges do not stop the install.
    if (latest) npm(["install", "--no-save", "--no-package-lock", "--legacy-peer-deps", ...spec.latest, tarball]);
    else npm(["ci"]);
    writeFileSync(stamp, want);
  }
  if (!latest) npm(["install", "--no-save", tarball]);
}

function installedVersion(dir, name) {
  return JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;
}

function run(dir, [command, ...args], env) {
  try {
    execFileSync(bin(dir, command), args.map(expand), { cwd: dir, env, stdio: "pipe", maxBuffer: 64 << 20 });
  } catch (error) {
    throw new Error(`${command} ${args.join(" ")} failed in ${dir}:\n${error.stdout ?? ""}${error.stderr ?? ""}`);
  }
}

async function serve(dir, spec, variant, port, env) {
  const key = { [spec.keyVariable ?? "ZENTITLE_RSA_MODULUS"]: modulus };
  if (variant.workerd) return serveWithWorkerd({ dir, config: variant.workerd, port, root, vars: key });
  const serverEnv = { ...env, ...key, PORT: String(port), HOST: "127.0.0.1" };
  const [command, ...args] = variant.serve;
  return startServer(
    bin(dir, command),
    args.map((a) => expand(a).replace("{port}", String(port))),
    {
      cwd: dir,
      env: serverEnv,
      url: `http://127.0.0.1:${port}/`,
      timeoutMs: 60_000,
    },
  );
}

/** A command from the app's own node_modules/.bin, else the repository's, else the PATH. */
function bin(dir, command) {
  for (const base of [dir, root]) {
    const path = join(base, "node_modules/.bin", command);
    if (existsSync(path)) return path;
  }
  return command;
}

const expand = (arg) => arg.replace("{root}", root);

function isLink(path) {
  return lstatSync(path).isSymbolicLink();
}
