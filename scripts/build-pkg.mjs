// Assembles the npm package in pkg/ from the wasm-bindgen output and pkg-template/.
//
//   node scripts/build-pkg.mjs <verify wasm from cargo> <test-kit wasm (feature "testing")>
//
// Steps: wasm-bindgen (--target web: an ES module whose initSync takes a compiled module or
// bytes, so each runtime's loader decides how the .wasm is obtained), wasm-opt, the
// hand-written files of pkg-template/, and a CommonJS build of the Node entry by esbuild.
// Prints the raw and gzipped size of the .wasm.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const input = process.argv[2] ?? join(root, "target/wasm32-unknown-unknown/release/zentitle_webhooks.wasm");
const testingInput = process.argv[3] ?? join(root, "target/testing/wasm32-unknown-unknown/release/zentitle_webhooks.wasm");
const bindgen = join(root, "target/bindgen");
const pkg = join(root, "pkg");
const bin = (name) => join(root, "node_modules/.bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit", cwd: root });

rmSync(bindgen, { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--out-dir", bindgen, "--out-name", "zentitle_webhooks", input]);

rmSync(pkg, { recursive: true, force: true });
mkdirSync(join(pkg, "wasm"), { recursive: true });
cpSync(join(bindgen, "zentitle_webhooks.js"), join(pkg, "wasm/zentitle_webhooks.js"));
cpSync(join(bindgen, "snippets"), join(pkg, "wasm/snippets"), { recursive: true });
run(bin("wasm-opt"), [
  "-O3", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  join(bindgen, "zentitle_webhooks_bg.wasm"), "-o", join(pkg, "wasm/zentitle_webhooks_bg.wasm"),
]);

// The error class is a wasm-bindgen snippet (the Rust boundary constructs it); its folder
// name carries a hash, so the package re-exports it from a fixed path.
const snippet = findFile(join(pkg, "wasm/snippets"), "errors.js");
writeFileSync(
  join(pkg, "wasm/errors.js"),
  `export { WebhookVerificationError } from "./${relative(join(pkg, "wasm"), snippet)}";\n`,
);

// The test kit: its own .wasm (key generation and signing stay out of the verify build), whose
// glue imports the package's one WebhookVerificationError class instead of a copy.
const testingBindgen = join(root, "target/bindgen-testing");
rmSync(testingBindgen, { recursive: true, force: true });
run("wasm-bindgen", ["--target", "web", "--out-dir", testingBindgen, "--out-name", "zentitle_webhooks_testing", testingInput]);
mkdirSync(join(pkg, "wasm/testing"), { recursive: true });
const testingGlue = readFileSync(join(testingBindgen, "zentitle_webhooks_testing.js"), "utf8").replace(
  /from '\.\/snippets\/[^']+\/src\/wasm\/errors\.js'/,
  "from '../errors.js'",
);
if (!testingGlue.includes("from '../errors.js'")) throw new Error("test-kit glue: the errors.js import was not found");
writeFileSync(join(pkg, "wasm/testing/zentitle_webhooks_testing.js"), testingGlue);
run(bin("wasm-opt"), [
  "-O3", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  join(testingBindgen, "zentitle_webhooks_testing_bg.wasm"), "-o", join(pkg, "wasm/testing/zentitle_webhooks_testing_bg.wasm"),
]);

const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))[1];
for (const entry of readdirSync(join(root, "pkg-template"))) {
  cpSync(join(root, "pkg-template", entry), join(pkg, entry), { recursive: true });
}
const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
manifest.version = version;
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
// The CommonJS entry gets its own declaration file, so that `require` is typed as CommonJS.
cpSync(join(pkg, "index.d.ts"), join(pkg, "index.d.cts"));
writeFileSync(join(pkg, "testing.d.cts"), readFileSync(join(pkg, "testing.d.ts"), "utf8").replace('from "./index.js"', 'from "./index.cjs"'));
cpSync(join(root, "LICENSE"), join(pkg, "LICENSE"));

// CommonJS for `require`: the same Node loaders, bundled with their glue. import.meta.url is
// replaced by the file's own URL so the .wasm is found beside it. In the test kit's bundle,
// the error class comes from node.cjs, so that both entries share one class.
const esbuild = await import(join(root, "node_modules/esbuild/lib/main.js"));
for (const [entry, out] of [["node.mjs", "node.cjs"], ["testing-node.mjs", "testing-node.cjs"]]) {
  await esbuild.build({
    entryPoints: [join(pkg, entry)],
    outfile: join(pkg, out),
    bundle: true,
    format: "cjs",
    platform: "node",
    logLevel: "warning",
    define: { "import.meta.url": "__zw_import_meta_url" },
    banner: { js: 'const __zw_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    plugins: [
      {
        name: "shared-error-class",
        setup(build) {
          if (entry === "node.mjs") return;
          build.onResolve({ filter: /(^|\/)errors\.js$/ }, () => ({ path: "./node.cjs", external: true }));
          build.onResolve({ filter: /^\.\/node\.mjs$/ }, () => ({ path: "./node.cjs", external: true }));
        },
      },
    ],
  });
}

const size = (path) => {
  const bytes = readFileSync(join(pkg, path));
  return `${bytes.length} bytes, ${gzipSync(bytes, { level: 9 }).length} gzipped`;
};
console.log(`pkg/ assembled: zentitle-webhooks@${version}`);
console.log(`  verify .wasm:   ${size("wasm/zentitle_webhooks_bg.wasm")}`);
console.log(`  test-kit .wasm: ${size("wasm/testing/zentitle_webhooks_testing_bg.wasm")}`);

function findFile(dir, name) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) {
      return path;
    }
  }
  return undefined;
}
