// Assembles the npm package in pkg/ from the two .wasm files cargo built and pkg-template/.
//
//   node scripts/build-pkg.mjs <verify wasm from cargo> <test-kit wasm (feature "testing")>
//
// Steps: wasm-opt on each .wasm (their exports are plain functions over numbers: no generated
// glue), the hand-written files of pkg-template/, and CommonJS builds of the Node entries by
// esbuild. Prints the raw and gzipped size of each .wasm.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const input = process.argv[2] ?? join(root, "target/wasm32-unknown-unknown/release/zentitle_webhooks.wasm");
const testingInput = process.argv[3] ?? join(root, "target/testing/wasm32-unknown-unknown/release/zentitle_webhooks.wasm");
const pkg = join(root, "pkg");

// The features the .wasm may use: those every runtime the package claims has had for years.
const WASM_OPT_FLAGS = [
  "-O3",
  "--strip-debug",
  "--strip-producers",
  "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-multivalue",
];
const optimise = (from, to) => execFileSync(join(root, "node_modules/.bin/wasm-opt"), [...WASM_OPT_FLAGS, from, "-o", to], { stdio: "inherit", cwd: root });

rmSync(pkg, { recursive: true, force: true });
mkdirSync(join(pkg, "wasm"), { recursive: true });
optimise(input, join(pkg, "wasm/zentitle_webhooks.wasm"));
optimise(testingInput, join(pkg, "wasm/zentitle_webhooks_testing.wasm"));

const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
for (const entry of readdirSync(join(root, "pkg-template"))) {
  cpSync(join(root, "pkg-template", entry), join(pkg, entry), { recursive: true });
}
// The Node entries' copy of the verify .wasm, inlined (see pkg-template/node.mjs): a module
// that the bundles of node.mjs and node.cjs below take in, and that is then removed.
const verifyWasm = readFileSync(join(pkg, "wasm/zentitle_webhooks.wasm")).toString("base64");
const generated = "// Written by scripts/build-pkg.mjs: wasm/zentitle_webhooks.wasm in base64, for the Node entry.";
writeFileSync(join(pkg, "lib/verify-wasm.mjs"), `${generated}\nexport const verifyWasm = "${verifyWasm}";\n`);
const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
manifest.version = version;
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
// The CommonJS entries get their own declaration files, so that `require` is typed as CommonJS.
cpSync(join(pkg, "index.d.ts"), join(pkg, "index.d.cts"));
writeFileSync(join(pkg, "testing.d.cts"), readFileSync(join(pkg, "testing.d.ts"), "utf8").replace('from "./index.js"', 'from "./index.cjs"'));
cpSync(join(root, "LICENSE"), join(pkg, "LICENSE"));
// The www page, which `zentitle-webhooks listen` serves as its inbox (its samples are signed
// with the test kit's ready-made key, lib/test-key.mjs).
cpSync(join(root, "www"), join(pkg, "www"), { recursive: true });
// In the package the page sits beside the entries, not in a repository beside pkg/: its import
// map points one level up, so that any static server (and listen) serves it as it is.
const page = join(pkg, "www/index.html");
writeFileSync(page, readFileSync(page, "utf8").replaceAll('"../pkg/', '"../'));

// CommonJS for `require`: the Node entries bundled. import.meta.url is replaced by the file's
// own URL so the .wasm is found beside it. Both bundles require one lib/errors.cjs, so that the
// main entry and the test kit share one WebhookVerificationError class, as the ESM entries do.
const esbuild = await import(join(root, "node_modules/esbuild/lib/main.js"));
const common = { bundle: true, format: "cjs", platform: "node", logLevel: "warning" };
await esbuild.build({ ...common, entryPoints: [join(pkg, "lib/errors.mjs")], outfile: join(pkg, "lib/errors.cjs") });
for (const [entry, out] of [
  ["node.mjs", "node.cjs"],
  ["testing-node.mjs", "testing-node.cjs"],
]) {
  await esbuild.build({
    ...common,
    entryPoints: [join(pkg, entry)],
    outfile: join(pkg, out),
    define: { "import.meta.url": "__zw_import_meta_url" },
    banner: { js: 'const __zw_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [
      {
        name: "shared-errors",
        setup(build) {
          build.onResolve({ filter: /(^|\/)errors\.mjs$/ }, () => ({ path: "./lib/errors.cjs", external: true }));
        },
      },
    ],
  });
}

// The Node ES-module entry, bundled in place (after the CommonJS builds, which start from the
// unbundled file): one module instead of a dozen, and the inlined .wasm with it, since each
// module Node loads costs start-up time. The modules that hold state shared with the test kit
// entry and the package's own tests stay apart, imported by the bundle: the one instance of
// the verify module (lib/core.mjs and its lib/wasm-instance.mjs), the error classes
// (lib/errors.mjs) and the text codecs (lib/text.mjs).
const SHARED = ["core.mjs", "wasm-instance.mjs", "errors.mjs", "text.mjs"];
await esbuild.build({
  bundle: true,
  format: "esm",
  platform: "node",
  logLevel: "warning",
  entryPoints: [join(pkg, "node.mjs")],
  outfile: join(pkg, "node.mjs"),
  allowOverwrite: true,
  plugins: [
    {
      name: "shared-state",
      setup(build) {
        build.onResolve({ filter: /\.mjs$/ }, ({ path, kind }) => {
          const name = path.split("/").pop();
          return kind !== "entry-point" && SHARED.includes(name) ? { path: `./lib/${name}`, external: true } : undefined;
        });
      },
    },
  ],
});
rmSync(join(pkg, "lib/verify-wasm.mjs"));

// Each store gets a CommonJS twin and typings for it. The stores' shared part gets one
// CommonJS twin too (lib/store-shared.cjs), which requires the one lib/errors.cjs, as the Node
// entries do; the stores' twins require it.
const external = (pattern, path) => ({
  name: `external-${path}`,
  setup(build) {
    build.onResolve({ filter: pattern }, () => ({ path, external: true }));
  },
});
await esbuild.build({
  ...common,
  entryPoints: [join(pkg, "lib/store-shared.mjs")],
  outfile: join(pkg, "lib/store-shared.cjs"),
  plugins: [external(/(^|\/)errors\.mjs$/, "./errors.cjs")],
});
for (const name of ["redis", "postgres", "durable-object"]) {
  await esbuild.build({
    ...common,
    entryPoints: [join(pkg, `stores/${name}.mjs`)],
    outfile: join(pkg, `stores/${name}.cjs`),
    plugins: [external(/(^|\/)store-shared\.mjs$/, "../lib/store-shared.cjs")],
  });
  writeFileSync(join(pkg, `stores/${name}.d.cts`), readFileSync(join(pkg, `stores/${name}.d.ts`), "utf8").replace('from "../index.js"', 'from "../index.cjs"'));
}
// The inboxes likewise (no imports).
for (const name of ["redis", "postgres", "durable-object"]) {
  await esbuild.build({ ...common, bundle: false, entryPoints: [join(pkg, `inbox/${name}.mjs`)], outfile: join(pkg, `inbox/${name}.cjs`) });
  writeFileSync(join(pkg, `inbox/${name}.d.cts`), readFileSync(join(pkg, `inbox/${name}.d.ts`), "utf8").replace('from "../index.js"', 'from "../index.cjs"'));
}

// The Management API client needs no bundling either (no imports): the same treatment.
await esbuild.build({ ...common, bundle: false, entryPoints: [join(pkg, "management.mjs")], outfile: join(pkg, "management.cjs") });
writeFileSync(join(pkg, "management.d.cts"), readFileSync(join(pkg, "management.d.ts"), "utf8").replace('from "./index.js"', 'from "./index.cjs"'));

const size = (path) => {
  const bytes = readFileSync(join(pkg, path));
  return `${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`;
};
console.log(`pkg/ assembled: zentitle-webhooks@${version}`);
console.log(`  verify .wasm:   ${size("wasm/zentitle_webhooks.wasm")}`);
console.log(`  test-kit .wasm: ${size("wasm/zentitle_webhooks_testing.wasm")}`);
