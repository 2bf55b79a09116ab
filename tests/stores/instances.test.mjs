// Three receiver processes sharing one store (real Redis, then real PostgreSQL), fed by a
// sender that delivers each event to all three at once and retries like Zentitle, with
// handlers failing at random: every event is processed exactly once, none is lost. Then one
// instance is SIGKILLed mid-handler: after its lease ends, the event runs once elsewhere.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createPrivateKey, randomBytes, sign } from "node:crypto";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { createClient } from "redis";

import { keyForms, privateKeyPem } from "../js/fixtures.mjs";
import { freePort, startPostgres, startRedis } from "./servers.mjs";

const key = keyForms("rsa2048")["modulus string"];
const privateKey = createPrivateKey(privateKeyPem("rsa2048"));
const EVENTS = Number(process.env.ZW_INSTANCE_EVENTS ?? 200);

function delivery(eventId, attempt, payload = { customerId: "cust_1" }) {
  const body = JSON.stringify({
    eventId,
    eventDate: new Date().toISOString(),
    eventCode: "customer.created",
    resourceId: "cust_1",
    callAttempt: attempt,
    payload,
  });
  return { body, headers: { "content-type": "application/json", "n-signature": sign("sha256", Buffer.from(body), privateKey).toString("base64") } };
}

async function startInstance(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(new URL("instance.mjs", import.meta.url))], {
    env: { ...process.env, ...env, PORT: String(port), ZENTITLE_RSA_MODULUS: key },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  for (let i = 0; i < 200 && !output.includes("ready"); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(output.includes("ready"), output);
  return {
    url: `http://127.0.0.1:${port}/`,
    child,
    output: () => output,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

async function post(url, d) {
  try {
    const response = await fetch(url, { method: "POST", body: d.body, headers: d.headers });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

const setups = {
  redis: async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url });
    await client.connect();
    return {
      env: { STORE: "redis", STORE_URL: server.url },
      count: async (eventId) => Number((await client.get(`processed:${eventId}`)) ?? 0),
      close: async () => {
        await client.disconnect();
        await server.close();
      },
    };
  },
  postgres: async () => {
    const server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url });
    pool.on("error", () => {}); // connections cut when the server stops
    await pool.query("CREATE TABLE IF NOT EXISTS processed (event_id text PRIMARY KEY, n int NOT NULL)");
    return {
      env: { STORE: "postgres", STORE_URL: server.url },
      count: async (eventId) => (await pool.query("SELECT n FROM processed WHERE event_id = $1", [eventId])).rows[0]?.n ?? 0,
      close: async () => {
        await pool.end();
        await server.close();
      },
    };
  },
};

for (const [name, setUp] of Object.entries(setups)) {
  describe(`three receiver processes on ${name}`, () => {
    let setup;
    let instances = [];
    before(async () => {
      setup = await setUp();
    });
    after(async () => {
      for (const instance of instances) await instance.kill();
      await setup?.close();
    });

    test(`${EVENTS} events, each sent to all three at once and retried, 15 % of handler runs failing: each processed once, none lost`, async () => {
      instances = await Promise.all([0, 1, 2].map(() => startInstance({ ...setup.env, FAIL_RATE: "0.15" })));
      const statuses = {};
      const events = Array.from({ length: EVENTS }, () => `event_${randomBytes(16).toString("base64url")}`);
      let next = 0;
      // 20 senders at a time, like a busy Zentitle account.
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (next < events.length) {
            const eventId = events[next++];
            for (let attempt = 1; ; attempt++) {
              assert.ok(attempt <= 50, `${eventId} never got a 2xx`);
              const d = delivery(eventId, attempt);
              const answers = await Promise.all(instances.map((i) => post(i.url, d)));
              for (const s of answers) statuses[s] = (statuses[s] ?? 0) + 1;
              if (answers.some((s) => s >= 200 && s < 300)) break;
              await new Promise((r) => setTimeout(r, 10 * attempt));
            }
          }
        }),
      );
      const counts = await Promise.all(events.map((e) => setup.count(e)));
      const once = counts.filter((n) => n === 1).length;
      const lost = counts.filter((n) => n === 0).length;
      const more = counts.filter((n) => n > 1).length;
      console.log(
        `# ${name}: ${EVENTS} events × 3 processes, answers ${JSON.stringify(statuses)}, processed once ${once}, lost ${lost}, more than once ${more}`,
      );
      assert.equal(once, EVENTS);
      assert.ok((statuses[500] ?? 0) > 0, "failures were injected");
    });

    test("an instance SIGKILLed mid-handler: the event is processed once, after the lease ends", async () => {
      for (const instance of instances) await instance.kill();
      instances = await Promise.all([0, 1, 2].map(() => startInstance({ ...setup.env, LEASE_SECONDS: "2" })));
      const [doomed, ...others] = instances;
      const eventId = `event_${randomBytes(16).toString("base64url")}`;
      // The first delivery reaches only the doomed instance, whose handler then hangs.
      const first = post(doomed.url, delivery(eventId, 1, { slow: true }));
      for (let i = 0; i < 100 && !doomed.output().includes(`started ${eventId}`); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(doomed.output().includes(`started ${eventId}`));
      await doomed.kill();
      assert.equal(await first, 0, "the killed instance never answered");
      instances = others;
      // Retries (without the slow flag: the "fixed" handler) go to the others.
      const statuses = [];
      for (let attempt = 2; attempt < 30; attempt++) {
        const status = await post(others[attempt % 2].url, delivery(eventId, attempt));
        statuses.push(status);
        if (status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      console.log(`# ${name}: after SIGKILL, retries answered ${statuses.join(", ")}`);
      assert.equal(statuses.at(-1), 200);
      assert.ok(
        statuses.slice(0, -1).every((s) => s === 409),
        "busy until the lease ended",
      );
      assert.equal(await setup.count(eventId), 1);
      assert.equal(await post(others[0].url, delivery(eventId, 40)), 200, "a later retry: 200, nothing runs");
      assert.equal(await setup.count(eventId), 1);
    });
  });
}
