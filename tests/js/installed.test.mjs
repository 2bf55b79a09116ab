// The package as a user installs it: `npm pack`, then `npm install` of the tarball into a clean
// project (not a symlink), where ESM, CommonJS, the CLI, tsc and the .wasm subpath are used.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { keyForms, privateKeyPem } from "./fixtures.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "zw-installed-"));
const modulus = keyForms("rsa2048")["modulus string"].trim();
const body = `{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}`;
const signature = sign("sha256", Buffer.from(body), createPrivateKey(privateKeyPem("rsa2048"))).toString("base64");
const run = (command, args, options = {}) =>
  execFileSync(command, args, { cwd: project, encoding: "utf8", env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false" }, ...options });

before(() => {
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", project], { cwd: join(root, "pkg"), encoding: "utf8" }),
  );
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user-app", private: true, type: "module" }));
  run("npm", ["install", "--no-package-lock", "--offline", join(project, packed.filename)]);
  writeFileSync(join(project, "input.json"), JSON.stringify({ body, signature, modulus }));
});

test("installed as files, not linked", () => {
  const installed = join(project, "node_modules/zentitle-webhooks");
  assert.equal(realpathSync(installed), installed);
});

test("ESM: import, verify, receive", () => {
  writeFileSync(
    join(project, "esm.mjs"),
    `import { readFileSync } from "node:fs";
import { WebhookReceiver, WebhookVerifier } from "zentitle-webhooks";
const { body, signature, modulus } = JSON.parse(readFileSync("input.json", "utf8"));
const event = new WebhookVerifier({ key: modulus }).verify(body, signature);
const result = await new WebhookReceiver({ key: modulus }).on("customer.created", () => {}).receive({ body, headers: { "n-signature": signature } });
console.log(event.eventCode, result.status, result.outcome);`,
  );
  assert.equal(run(process.execPath, ["esm.mjs"]).trim(), "customer.created 200 processed");
});

test("CommonJS: require, verify; the test kit", () => {
  writeFileSync(
    join(project, "cjs.cjs"),
    `const { readFileSync } = require("node:fs");
const { WebhookVerifier, WebhookVerificationError } = require("zentitle-webhooks");
const { signPayload, createTestEvent } = require("zentitle-webhooks/testing");
const { body, signature, modulus } = JSON.parse(readFileSync("input.json", "utf8"));
const verifier = new WebhookVerifier({ key: modulus });
let refused;
try { verifier.verify(body + " ", signature); } catch (e) { refused = e instanceof WebhookVerificationError && e.code; }
console.log(verifier.verify(body, signature).eventId, refused, typeof signPayload, createTestEvent("customer.created").eventCode);`,
  );
  assert.equal(run(process.execPath, ["cjs.cjs"]).trim(), "event_AAAAAAAAAAAAAAAAAAAAAA invalid_signature function customer.created");
});

test("the CLI from node_modules/.bin", () => {
  const cli = join(project, "node_modules/.bin/zentitle-webhooks");
  assert.match(run(cli, ["--help"]), /trigger/);
  writeFileSync(join(project, "body.json"), body);
  const out = run(cli, ["verify", "--key", modulus, "--signature", signature, "--body", "body.json"]);
  assert.match(out, /customer\.created/);
});

test("tsc on a TypeScript file that uses the installed package", () => {
  writeFileSync(
    join(project, "app.mts"),
    `import { WebhookReceiver, type ZentitleEvent } from "zentitle-webhooks";
import { RedisStore } from "zentitle-webhooks/stores/redis";
const receiver = new WebhookReceiver({ key: "n" });
receiver.on("entitlement.seat.activated", (event) => event.payload.seatId.toUpperCase());
export const check = (event: ZentitleEvent) => event.eventId;
export const store = RedisStore;`,
  );
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: [],
        lib: ["es2022", "dom"],
      },
      files: ["app.mts"],
    }),
  );
  run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", project]);
});

test("the .wasm as a subpath, for bundlers that want its URL", () => {
  writeFileSync(
    join(project, "wasm.mjs"),
    `import { createRequire } from "node:module";
console.log(createRequire(import.meta.url).resolve("zentitle-webhooks/zentitle_webhooks.wasm"));`,
  );
  const path = run(process.execPath, ["wasm.mjs"]).trim();
  assert.ok(path.endsWith("wasm/zentitle_webhooks.wasm"), path);
  assert.ok(WebAssembly.validate(readFileSync(path)));
});
