// Every code block of README.md, docs/*.md and the npm README (pkg-template/README.md), taken
// out and checked, so that what the docs show compiles and runs against the built package:
//
// - js and ts blocks are type-checked by TypeScript under `strict` (js with `checkJs`), each
//   block a module of its own, imports included: a name used and never imported fails.
//   Blocks marked `run` are run instead.
// - sh blocks: each `npx zentitle-webhooks ...` command is run with `--help` appended, which
//   fails on an unknown command or flag; other commands need a marker.
// - text blocks are prose (diagrams, outputs), not code.
//
// A block's marker is an HTML comment on the line before its fence:
//   <!-- snippet: run -->                         also run with Node (as an ES module)
//   <!-- snippet: run, fails with TEXT -->        run with `node --test`; it must fail, saying TEXT
//   <!-- snippet: given a, b -->                  a and b are the reader's own objects (typed any)
//   <!-- snippet: part of PATH -->                every line of the block is in PATH (a file the
//                                                 tests build), in order
//   <!-- snippet: not run: REASON -->             not checked, and why
// A block with a language the runner does not know, and no marker, fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const files = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
  "pkg-template/README.md",
];
// Inside the repository, so that `zentitle-webhooks` and the dev dependencies resolve.
const work = join(root, "target/snippets");
const cli = join(root, "pkg/cli.mjs");

/** The fenced blocks of a Markdown file: `{ file, line, lang, code, marker }`. */
function blocks(file) {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    let before = start - 1;
    while (before >= 0 && lines[before].trim() === "") before--;
    const marker = /^<!-- snippet: (.*) -->$/.exec(lines[before]?.trim() ?? "")?.[1];
    found.push({ file, line: start + 1, lang: open[1], code: body.join("\n"), marker });
  }
  return found;
}

const all = files.flatMap(blocks);
const name = (b) => `${b.file}:${b.line}`;
const given = (b) =>
  /^given (.+)$/
    .exec(b.marker ?? "")?.[1]
    .split(",")
    .map((s) => s.trim()) ?? [];

test("every block has a language the runner knows, or a marker saying why it is not checked", () => {
  const unknown = all.filter((b) => !["js", "ts", "sh", "text"].includes(b.lang) && !b.marker?.startsWith("not run: ") && !b.marker?.startsWith("part of "));
  assert.deepEqual(
    unknown.map((b) => `${name(b)} (${b.lang || "no language"})`),
    [],
  );
  const reasonless = all.filter((b) => /^not run:?\s*$/.test(b.marker ?? ""));
  assert.deepEqual(reasonless.map(name), [], "a not-run block says why");
});

test("js and ts blocks type-check under strict, imports included", () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  // Blocks marked run are run instead (below): running is the stronger check.
  const checked = all.filter(
    (b) => (b.lang === "js" || b.lang === "ts") && !b.marker?.startsWith("not run: ") && !b.marker?.startsWith("part of ") && !b.marker?.startsWith("run"),
  );
  const names = [];
  for (const b of checked) {
    const file = `${b.file.replaceAll("/", "_")}_${b.line}.${b.lang === "ts" ? "ts" : "mjs"}`;
    const givens = given(b).map((g) => (b.lang === "ts" ? `declare let ${g}: any;` : `/** @type {any} */ let ${g};`));
    writeFileSync(join(work, file), `${givens.map((g) => `${g}\n`).join("")}${b.code}\nexport {};\n`);
    names.push(file);
  }
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        allowJs: true,
        checkJs: true,
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        lib: ["ES2022", "DOM"],
        types: ["node"],
        skipLibCheck: true,
      },
      files: names,
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", work], { encoding: "utf8", timeout: 300_000 });
  // Errors name the extracted file and line: map them back to the Markdown line.
  const report = tsc.stdout.replace(/^(\S+?)_(\d+)\.(?:mjs|ts)\((\d+),\d+\)/gm, (_, file, start, line) => {
    const b = checked.find((c) => c.file.replaceAll("/", "_") === file && c.line === Number(start));
    const offset = b ? given(b).length : 0;
    return `${b?.file ?? file}:${Number(start) + Number(line) - offset}`;
  });
  assert.equal(tsc.status, 0, `TypeScript found errors in the docs' code:\n${report}${tsc.stderr}`);
  assert.ok(checked.length >= 8, `only ${checked.length} blocks checked`);
});

test("blocks marked run run with Node; those that must fail, fail for the reason given", () => {
  const runs = all.filter((b) => b.marker === "run" || b.marker?.startsWith("run, fails with "));
  assert.ok(runs.length > 0);
  mkdirSync(work, { recursive: true });
  for (const b of runs) {
    const file = join(work, `${b.file.replaceAll("/", "_")}_${b.line}.run.mjs`);
    writeFileSync(file, b.code);
    const fails = /^run, fails with (.+)$/.exec(b.marker)?.[1];
    // A test runner of its own, not a child reporting to this one.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    const out = spawnSync(process.execPath, fails ? ["--test", file] : [file], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
    if (fails) {
      assert.notEqual(out.status, 0, `${name(b)} must fail`);
      assert.ok(`${out.stdout}${out.stderr}`.includes(fails), `${name(b)} fails, but does not say ${fails}:\n${out.stdout}${out.stderr}`);
    } else {
      assert.equal(out.status, 0, `${name(b)}:\n${out.stdout}${out.stderr}`);
    }
  }
});

test("blocks that are part of a tested file are in it, line for line", () => {
  for (const b of all.filter((c) => c.marker?.startsWith("part of "))) {
    const path = b.marker.slice("part of ".length).trim();
    const lines = readFileSync(join(root, path), "utf8")
      .split("\n")
      .map((l) => l.trim());
    let at = 0;
    for (const line of b.code.split("\n").map((l) => l.trim())) {
      if (line === "") continue;
      const found = lines.indexOf(line, at);
      assert.ok(found >= 0, `${name(b)}: "${line}" is not in ${path} (after line ${at})`);
      at = found + 1;
    }
  }
});

test("sh blocks: every zentitle-webhooks command and flag exists", () => {
  const unmarked = [];
  for (const b of all.filter((c) => c.lang === "sh" && !c.marker?.startsWith("not run: "))) {
    const commands = b.code
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.replace(/\s+#.*$/, "").trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const command of commands) {
      const match = /^npx zentitle-webhooks (.*)$/.exec(command);
      if (!match) {
        unmarked.push(`${name(b)}: ${command}`);
        continue;
      }
      // Words as the shell splits them (quotes removed, redirections dropped), then --help:
      // parseArgs refuses an unknown flag before the help is printed.
      const words = [...match[1].replace(/\s*<\s*\S+/g, "").matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
      const out = spawnSync(process.execPath, [cli, ...words, "--help"], { encoding: "utf8", timeout: 60_000 });
      assert.equal(out.status, 0, `${name(b)}: ${command}\n${out.stderr}`);
    }
  }
  assert.deepEqual(unmarked, [], "commands other than the CLI's need a `not run: reason` marker on their block");
});
