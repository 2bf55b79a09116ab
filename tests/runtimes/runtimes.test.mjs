// Every runtime the package claims, each started for real on loopback, each receiving the
// same signed deliveries: valid -> 200, tampered -> 401 invalid_signature, unknown event ->
// 200, unsigned -> 401 missing_signature. The handlers are the recipes in examples/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { deliverAll, deliveries, handledLines, modulus } from "./deliveries.mjs";
import { freePort, startServer } from "./servers.mjs";
import { serveStatic } from "./static-server.mjs";
import { bundleModules, workerdConfig } from "./workerd-config.mjs";
import { launchChromium } from "./chromium.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const examples = join(root, "examples");
const work = mkdtempSync(join(tmpdir(), "zentitle-runtimes-"));
const versions = {};
after(() => {
  const lines = Object.entries(versions).map(([k, v]) => `${k}: ${v}`);
  console.log(`# runtime versions\n# ${lines.join("\n# ")}`);
});

async function checkServer(name, command, args, { path = "/webhooks/zentitle", env = {}, cwd = root } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}${path}`;
  const server = await startServer(command, args, { url, cwd, env: { ZENTITLE_RSA_MODULUS: modulus, PORT: String(port), ...env } });
  try {
    assert.deepEqual(await deliverAll(url), [], `${name}:\n${server.output()}`);
    await handlersRan(server.output, name);
  } finally {
    await server.stop();
  }
}

/** The recipe's handlers ran for each verified event (each logs `handled <code> <eventId>`). */
async function handlersRan(output, name) {
  for (let i = 0; i < 50 && !handledLines.every((line) => output().includes(line)); i++) await new Promise((r) => setTimeout(r, 100));
  for (const line of handledLines) assert.ok(output().includes(line), `${name}: no "${line}" in\n${output()}`);
}

const version = (command, args) => execFileSync(command, args, { encoding: "utf8" }).trim().split("\n")[0];

describe("Node", () => {
  versions.node = process.version;
  test("node:http handler (ESM import)", () => checkServer("node-http", process.execPath, [join(examples, "node-http/server.mjs")]));
  test("Express: receiver.node() with no body parser", () => checkServer("express", process.execPath, [join(examples, "express/server.mjs")]));
  test("Express: receiver.node() after express.raw()", () =>
    checkServer("express-raw", process.execPath, [join(examples, "express/server.mjs")], { path: "/webhooks/zentitle-raw" }));
  test("Fastify with a raw-body content-type parser", () => checkServer("fastify", process.execPath, [join(examples, "fastify/server.mjs")]));
  test("Koa with receiver.node() on ctx.req", () => checkServer("koa", process.execPath, [join(examples, "koa/server.mjs")]));
  test("AWS Lambda handler (API Gateway v2 events, base64 bodies)", () =>
    checkServer("aws-lambda", process.execPath, [join(examples, "aws-lambda/local.mjs")]));
  test("Hono on Node", () => checkServer("hono-node", process.execPath, [join(examples, "hono/node.mjs")]));
});

describe("Rust (axum)", () => {
  test("examples/rust-axum: the crate in an axum route, built by cargo", () => {
    const manifest = join(examples, "rust-axum/Cargo.toml");
    execFileSync("cargo", ["build", "--quiet", "--locked", "--manifest-path", manifest], { cwd: root, stdio: "pipe" });
    versions.axum = "0.8 (examples/rust-axum/Cargo.lock)";
    return checkServer("rust-axum", join(examples, "rust-axum/target/debug/zentitle-webhooks-axum-example"), []);
  });
});

describe("Deno", () => {
  versions.deno = version(bin("deno"), ["--version"]);
  test("Deno.serve", () =>
    checkServer("deno", bin("deno"), ["run", "--quiet", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", join(examples, "deno/server.ts")], {
      env: { DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" },
    }));
});

describe("Bun", () => {
  versions.bun = version(bin("bun"), ["--version"]);
  test("Bun.serve", () => checkServer("bun", bin("bun"), [join(examples, "bun/server.ts")]));
});

describe("Cloudflare Workers (wrangler bundle, served by workerd)", () => {
  versions.workerd = version(bin("workerd"), ["--version"]);
  versions.wrangler = version(bin("wrangler"), ["--version"]).replace(/[^\d.]/g, "") || "?";
  for (const [name, dir] of [
    ["worker", "cloudflare-worker"],
    ["Hono on Workers", "hono"],
  ]) {
    test(name, async () => {
      const out = join(work, `worker-${dir}`);
      execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out, "-c", join(examples, dir, "wrangler.toml")], {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
        stdio: "pipe",
      });
      const files = readdirSync(out).filter((f) => f.endsWith(".js") || f.endsWith(".wasm"));
      const port = await freePort();
      // The worker recipe keeps its events in a Durable Object (one per eventId).
      const durable = dir === "cloudflare-worker";
      const bindings = [`(name = "ZENTITLE_RSA_MODULUS", text = "${modulus}")`];
      if (durable) bindings.push('(name = "WEBHOOK_EVENTS", durableObjectNamespace = "ZentitleEventObject")');
      const extra = durable
        ? 'durableObjectNamespaces = [(className = "ZentitleEventObject", uniqueKey = "zentitle-webhook-events")],\n  durableObjectStorage = (inMemory = void),'
        : "";
      writeFileSync(
        join(out, "config.capnp"),
        workerdConfig({ port, modules: bundleModules("worker.js", files), compatibilityDate: "2026-11-01", bindings, extra }),
      );
      const url = `http://127.0.0.1:${port}/webhooks/zentitle`;
      const server = await startServer(bin("workerd"), ["serve", "--verbose", join(out, "config.capnp")], { url, cwd: out });
      try {
        assert.deepEqual(await deliverAll(url), [], server.output());
        await handlersRan(server.output, name);
        if (durable) {
          // A retry of a processed event is answered 2xx from the Durable Object, running nothing.
          const d = deliveries[0];
          const again = await fetch(url, { method: "POST", body: d.body, headers: d.headers });
          assert.deepEqual([again.status, await again.json()], [200, { ok: true, outcome: "duplicate" }]);
        }
      } finally {
        await server.stop();
      }
    });
  }
});

describe("Vercel Edge (edge-runtime)", () => {
  test("Next.js App Router route handler, edge-light entry", async () => {
    const { EdgeRuntime, runServer } = await import("edge-runtime");
    versions["edge-runtime"] = JSON.parse(readFileSync(join(root, "node_modules/edge-runtime/package.json"), "utf8")).version;
    const esbuild = await import("esbuild");
    // Bundled as Next.js bundles edge routes: the `edge-light` condition, process.env inlined,
    // and `.wasm?module` bound to a WebAssembly.Module the runtime provides.
    const result = await esbuild.build({
      stdin: {
        contents: `import { POST } from ${JSON.stringify(join(examples, "nextjs/app/api/webhooks/zentitle/route.ts"))};
addEventListener("fetch", (e) => e.respondWith(e.request.method === "POST" ? POST(e.request) : new Response("ready")));`,
        resolveDir: root,
        loader: "js",
      },
      bundle: true,
      write: false,
      format: "iife",
      platform: "neutral",
      conditions: ["edge-light"],
      mainFields: ["module", "main"],
      define: { "process.env.ZENTITLE_RSA_MODULUS": JSON.stringify(modulus) },
      plugins: [
        {
          name: "wasm-module",
          setup(build) {
            build.onResolve({ filter: /\.wasm\?module$/ }, (args) => ({ path: args.path, namespace: "wasm-module" }));
            build.onLoad({ filter: /.*/, namespace: "wasm-module" }, () => ({ contents: "export default globalThis.__zentitle_wasm;", loader: "js" }));
          },
        },
      ],
      logLevel: "silent",
    });
    const wasmBytes = new Uint8Array(readFileSync(join(root, "pkg/wasm/zentitle_webhooks.wasm")));
    // The `?module` import bound to a module compiled in the runtime's own realm, and to one
    // compiled in another realm (this process's), as a framework's build may hand it over.
    for (const realm of ["runtime", "host"]) {
      const runtime = new EdgeRuntime();
      const Module = realm === "runtime" ? runtime.evaluate("WebAssembly").Module : WebAssembly.Module;
      runtime.context.__zentitle_wasm = new Module(wasmBytes);
      runtime.evaluate(result.outputFiles[0].text);
      const server = await runServer({ runtime, host: "127.0.0.1", port: await freePort() });
      try {
        assert.deepEqual(await deliverAll(`${server.url.replace(/\/$/, "")}/api/webhooks/zentitle`), [], `module from the ${realm} realm`);
      } finally {
        await server.close();
      }
    }
  });
});

describe("Browser (headless Chromium)", async () => {
  const { chromium } = await import("playwright-core");
  const expected = deliveries.map((d) => (d.status === 200 ? { status: 200, received: d.handled } : { status: d.status, error: d.error }));
  const served = { "/deliveries.json": { modulus, deliveries: deliveries.map(({ body, headers }) => ({ body, headers })) } };
  let browser;
  const open = async (site, path) => {
    browser ??= await launchChromium(chromium);
    versions.chromium = browser.version();
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(site.url + path);
    await page.waitForSelector("body[data-results]", { state: "attached", timeout: 30_000 });
    const results = JSON.parse(await page.getAttribute("body", "data-results"));
    await page.close();
    return { results, errors };
  };
  after(async () => browser?.close());
  /** Serves `dir`, opens `path` in Chromium, and checks the verdicts the page published. */
  const checkSite = async (dir, path) => {
    const site = await serveStatic(dir, served);
    try {
      const { results, errors } = await open(site, path);
      assert.deepEqual(results, expected, errors.join("\n"));
    } finally {
      site.close();
    }
  };

  test("unbundled: the package's browser entry through an import map", () => checkSite(root, "/tests/runtimes/browser/unbundled.html"));

  test("bundled by Vite", async () => {
    const out = join(work, "vite");
    execFileSync(bin("vite"), ["build", "--logLevel", "error", "--outDir", out, "--emptyOutDir"], { cwd: join(root, "tests/runtimes/browser"), stdio: "pipe" });
    assert.ok(
      readdirSync(join(out, "assets")).some((f) => f.endsWith(".wasm")),
      "Vite emitted the .wasm as an asset",
    );
    await checkSite(out, "/index.html");
  });

  test("bundled by esbuild (the .wasm copied beside the bundle)", async () => {
    const out = join(work, "esbuild");
    mkdirSync(join(out, "wasm"), { recursive: true });
    execFileSync(bin("esbuild"), [
      join(root, "tests/runtimes/browser/page.mjs"),
      "--bundle",
      "--format=esm",
      "--platform=browser",
      `--outfile=${join(out, "page.mjs")}`,
      "--log-level=error",
    ]);
    cpSync(join(root, "pkg/wasm/zentitle_webhooks.wasm"), join(out, "wasm/zentitle_webhooks.wasm"));
    writeFileSync(join(out, "index.html"), readFileSync(join(root, "tests/runtimes/browser/index.html"), "utf8"));
    await checkSite(out, "/index.html");
  });
});
