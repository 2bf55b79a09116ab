// The Management API client on fetch alone: the same calls in Deno and Bun (from node_modules)
// against the local Zentitle on loopback, as in Node.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { startMockZentitle } from "./mock-zentitle.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry = join(root, "pkg/management.mjs");
let mock;
before(async () => {
  mock = await startMockZentitle();
});
after(() => mock.close());

const script = `import { ZentitleClient, zentitleKey } from ${JSON.stringify(entry)};
const env = (name) => (globalThis.Deno ? Deno.env.get(name) : process.env[name]);
const client = new ZentitleClient({ tokenUrl: env("ZENTITLE_TOKEN_URL"), clientId: env("ZENTITLE_CLIENT_ID"),
  clientSecret: env("ZENTITLE_CLIENT_SECRET"), tenantId: env("ZENTITLE_TENANT_ID"), baseUrl: env("ZENTITLE_API_URL") });
const key = zentitleKey(client);
const [a, b] = await Promise.all([key.getKey(), key.getKey()]);
const created = await client.createWebhook({ uri: "https://example.com/runtime", subscriptions: ["customer.created"] });
const listed = (await client.listWebhooks()).some((w) => w.id === created.id);
await client.deleteWebhook(created.id);
let refused = "";
try { await new ZentitleClient({ tokenUrl: env("ZENTITLE_TOKEN_URL"), clientId: "x", clientSecret: "wrong-secret-77", tenantId: "t_x", baseUrl: env("ZENTITLE_API_URL") }).getKey(); }
catch (error) { refused = error.code + " " + error.status + " " + (error.message + error.detail).includes("wrong-secret-77"); }
console.log(JSON.stringify({ n: a.n, same: a === b, fetches: key.fetches, listed, refused }));
`;
const dir = mkdtempSync(join(tmpdir(), "zw-management-"));
const file = join(dir, "client.mjs");
writeFileSync(file, script);

for (const [name, args] of [
  ["deno", ["run", "--quiet", "--allow-net=127.0.0.1", "--allow-env", `--allow-read=${root}`, file]],
  ["bun", [file]],
]) {
  test(`the client and zentitleKey in ${name}`, async () => {
    const out = await new Promise((resolve, reject) =>
      execFile(
        join(root, "node_modules/.bin", name),
        args,
        { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...mock.env }, timeout: 60000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${name}: ${error.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const result = JSON.parse(out.trim().split("\n").at(-1));
    assert.deepEqual(result, { n: mock.key.jwk.n, same: true, fetches: 1, listed: true, refused: "unauthorized 401 false" });
  });
}
