// The inbox on Cloudflare Durable Object alarms, for real: the test Worker of
// tests/inbox/cloudflare/ bundled by wrangler and served by workerd on loopback. Deliveries
// (each sent twice) are stored once and answered 200 at once; the objects' alarms run the
// handler, retry a failed attempt after its back-off and keep a poison event as dead with its
// last error; a forged delivery is refused and never stored; retry puts the dead one back.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

import { freePort, startServer } from "../runtimes/servers.mjs";
import { bundleModules, workerdConfig } from "../runtimes/workerd-config.mjs";
import { delivery, key, until } from "./support.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name) => join(root, "node_modules/.bin", name);
const work = mkdtempSync(join(tmpdir(), "zw-inbox-cf-"));
after(() => rmSync(work, { recursive: true, force: true }));

test("Durable Object inbox under workerd: stored once, run by alarms, retried, dead kept", { timeout: 180_000 }, async () => {
  const out = join(work, "bundle");
  execFileSync(bin("wrangler"), ["deploy", "--dry-run", "--outdir", out, "-c", join(root, "tests/inbox/cloudflare/wrangler.toml")], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: "pipe",
  });
  const files = readdirSync(out).filter((f) => f.endsWith(".js") || f.endsWith(".wasm"));
  const port = await freePort();
  writeFileSync(
    join(out, "config.capnp"),
    workerdConfig({
      port,
      modules: bundleModules("worker.js", files),
      compatibilityDate: "2026-11-01",
      bindings: [`(name = "ZENTITLE_RSA_MODULUS", text = "${key.trim()}")`, '(name = "WEBHOOK_INBOX", durableObjectNamespace = "ZentitleInboxObject")'],
      extra:
        'durableObjectNamespaces = [(className = "ZentitleInboxObject", uniqueKey = "zentitle-webhook-inbox")],\n  durableObjectStorage = (inMemory = void),',
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(bin("workerd"), ["serve", "--verbose", join(out, "config.capnp")], { url: `${base}/stats`, cwd: out });
  try {
    const events = [];
    for (let i = 0; i < 12; i++) {
      const payload = { customerId: `cust_${i}` };
      if (i === 3) payload.failOnce = true;
      if (i === 7) payload.poison = true;
      events.push(delivery({ resourceId: `cust_${i}`, payload }));
    }
    for (const d of events) {
      const [first, second] = await Promise.all(
        [1, 2].map(async (attempt) => {
          const copy = delivery({ ...d.event, callAttempt: attempt });
          const response = await fetch(`${base}/`, { method: "POST", body: copy.body, headers: copy.headers });
          return [response.status, (await response.json()).outcome];
        }),
      );
      assert.deepEqual([first[0], second[0]], [200, 200]);
      assert.deepEqual([first[1], second[1]].sort(), ["duplicate", "stored"]);
    }
    const forged = delivery();
    forged.headers["n-signature"] = delivery().signature;
    assert.equal((await fetch(`${base}/`, { method: "POST", body: forged.body, headers: forged.headers })).status, 401);

    const stats = await until(async () => {
      const s = await (await fetch(`${base}/stats`)).json();
      return s.done === 11 && s.dead === 1 ? s : undefined;
    }, "11 done and 1 dead");
    assert.equal(stats.pending + stats.running + stats.unfit, 0, JSON.stringify(stats));
    const output = server.output();
    for (const d of events) {
      const runs = output.match(new RegExp(`ran ${d.event.eventId} attempt`, "g"))?.length ?? 0;
      const expected = d.event.payload.poison ? 3 : d.event.payload.failOnce ? 2 : 1;
      assert.equal(runs, expected, `${d.event.eventId}: ${runs} runs`);
    }
    assert.equal(output.includes(forged.event.eventId), false);
    const dead = await (await fetch(`${base}/list?state=dead`)).json();
    assert.deepEqual(
      dead.map((r) => [r.eventId, r.attempts, r.lastError]),
      [[events[7].event.eventId, 3, "poison"]],
    );
    assert.deepEqual(await (await fetch(`${base}/retry-dead`, { method: "POST" })).json(), { retried: 1 });
    await until(async () => (server.output().match(new RegExp(`ran ${events[7].event.eventId} attempt 1`, "g"))?.length ?? 0) === 2, "the retried run");
  } finally {
    await server.stop();
  }
});
