// The package's types under the TypeScript setups users have: each TypeScript version below ×
// module node16 / nodenext / bundler × target es2020 / es2022 × strict on / off, with
// skipLibCheck false, for an ESM consumer (and a CommonJS one where the module setting has
// CommonJS files). Each setup is its own tsc run in a temporary project whose node_modules
// links the built package. Prints the matrix; exits 1 if any setup fails.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
// The oldest the types support (5.0: `const` type parameters and the `exports` resolution of
// `bundler` are used by users' setups; older versions cannot read `moduleResolution: bundler`).
const versions = { "5.0": "ts50", "5.4": "ts54", "5.9": "ts59", repo: "typescript" };
const modules = [
  { module: "node16", moduleResolution: "node16", cjs: true },
  { module: "nodenext", moduleResolution: "nodenext", cjs: true },
  { module: "esnext", moduleResolution: "bundler", cjs: false },
];
const work = mkdtempSync(join(tmpdir(), "zw-tsc-"));
mkdirSync(join(work, "node_modules"));
symlinkSync(join(root, "pkg"), join(work, "node_modules/zentitle-webhooks"));
const failures = [];
const rows = [];
for (const [label, pkgName] of Object.entries(versions)) {
  const tsc = join(root, "node_modules", pkgName, "bin/tsc");
  const version = execFileSync(process.execPath, [tsc, "--version"], { encoding: "utf8" }).trim();
  for (const m of modules) {
    for (const target of ["es2020", "es2022"]) {
      for (const strict of [true, false]) {
        const name = `${label}-${m.module}-${target}-${strict ? "strict" : "loose"}`;
        const dir = join(work, name);
        mkdirSync(dir);
        const files = ["consumer.mts", ...(m.cjs ? ["consumer.cts"] : [])];
        // The CommonJS consumer is the same file, compiled as a .cts.
        for (const f of files) cpSync(join(root, "tests/types/consumer/consumer.mts"), join(dir, f));
        writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
        writeFileSync(
          join(dir, "tsconfig.json"),
          JSON.stringify({
            compilerOptions: { module: m.module, moduleResolution: m.moduleResolution, target, strict, skipLibCheck: false, noEmit: true, types: [], lib: [target, "dom"] },
            files,
          }),
        );
        let outcome = "ok";
        try {
          execFileSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8", cwd: work });
        } catch (error) {
          outcome = "FAIL";
          failures.push(`${name} (${version}):\n${error.stdout}`);
        }
        rows.push(`${version.padEnd(18)} ${m.module.padEnd(9)} ${target} ${strict ? "strict" : "loose "} ${files.join("+").padEnd(24)} ${outcome}`);
      }
    }
  }
}
console.log(rows.join("\n"));
if (failures.length) {
  console.error(failures.join("\n"));
  process.exit(1);
}
console.log(`${rows.length} passed, 0 failed`);
