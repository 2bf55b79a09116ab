// The CLI against real stores: `inbox stats | list | show | retry | purge` (table and --json)
// on PostgreSQL and Redis, and `work --handlers FILE` as a separate worker process that stops
// cleanly on SIGTERM.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import pg from "pg";
import { createClient } from "redis";
import { PostgresInbox } from "zentitle-webhooks/inbox/postgres";
import { RedisInbox } from "zentitle-webhooks/inbox/redis";

import { startPostgres, startRedis } from "../stores/servers.mjs";
import { delivery, key, quiet, record, until, verifier, verifyWith, work } from "./support.mjs";

const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));

function run(args, { env = {}, script = cli, cwd } = {}) {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
  return Object.assign(exited, { child, output: () => stdout });
}

let pgServer;
let redisServer;
let pool;
let redis;
const dir = mkdtempSync(join(tmpdir(), "zw-inbox-cli-"));
before(async () => {
  [pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
  pool = new pg.Pool({ connectionString: pgServer.url, max: 4 });
  pool.on("error", () => {});
  redis = createClient({ url: redisServer.url });
  await redis.connect();
});
after(async () => {
  await pool?.end();
  await redis?.quit();
  await Promise.all([pgServer?.close(), redisServer?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Two done deliveries and one dead one (its handler always failed). */
async function seed(inbox) {
  const ok = [delivery(), delivery()];
  const bad = delivery({ payload: { customerId: "cust_1", broken: true } });
  for (const d of [...ok, bad]) await inbox.add(record(d));
  const controller = new AbortController();
  const running = work({
    inbox,
    verify: verifyWith(verifier),
    logger: quiet,
    pollSeconds: 0.05,
    maxAttempts: 2,
    backoff: () => 10,
    signal: controller.signal,
    handle: (event) => {
      if (event.payload.broken) throw new Error("cannot take it");
    },
  });
  await until(async () => {
    const s = await inbox.stats();
    return s.done === 2 && s.dead === 1;
  }, "seeded");
  controller.abort();
  await running;
  return bad.event.eventId;
}

describe("zentitle-webhooks inbox", () => {
  for (const engine of ["postgres", "redis"]) {
    test(`stats, list, show, retry, purge on ${engine}`, async () => {
      let inbox;
      let args;
      if (engine === "postgres") {
        inbox = new PostgresInbox(pool, { table: "cli_inbox" });
        await inbox.ensureSchema();
        args = ["--postgres", pgServer.url, "--table", "cli_inbox"];
      } else {
        inbox = new RedisInbox(redis, { prefix: "cli:" });
        args = ["--redis", redisServer.url, "--prefix", "cli:"];
      }
      const deadId = await seed(inbox);

      const stats = await run(["inbox", "stats", ...args, "--json"]);
      assert.equal(stats.code, 0, stats.stderr);
      assert.deepEqual(
        Object.entries(JSON.parse(stats.stdout)).filter(([k]) => k !== "oldestPendingSeconds"),
        [
          ["pending", 0],
          ["running", 0],
          ["done", 2],
          ["dead", 1],
          ["unfit", 0],
        ],
      );
      const human = await run(["inbox", "stats", ...args]);
      assert.match(human.stdout, /pending 0 {2}running 0 {2}done 2 {2}dead 1 {2}unfit 0\noldest unfinished: none/);

      const list = await run(["inbox", "list", "--state", "dead", ...args]);
      assert.equal(list.code, 0, list.stderr);
      const lines = list.stdout.trim().split("\n");
      assert.match(lines[0], /^id\s+state\s+attempts\s+eventCode\s+eventId\s+resourceId\s+receivedAt\s+lastError$/);
      assert.equal(lines.length, 2);
      assert.match(lines[1], /dead\s+2\s+customer\.created\s+event_/);
      assert.match(lines[1], /cannot take it/);
      const listed = JSON.parse((await run(["inbox", "list", ...args, "--json"])).stdout);
      assert.equal(listed.length, 3);

      const shown = await run(["inbox", "show", deadId, ...args, "--json"]);
      assert.equal(shown.code, 0, shown.stderr);
      const one = JSON.parse(shown.stdout);
      assert.equal(one.eventId, deadId);
      assert.equal(JSON.parse(one.body).payload.broken, true);
      assert.equal((await run(["inbox", "show", "event_nope", ...args])).code, 1);

      const retried = await run(["inbox", "retry", deadId, ...args]);
      assert.equal(retried.code, 0, retried.stderr);
      assert.match(retried.stdout, /^1 delivery back to pending\./);
      assert.equal((await inbox.get(deadId)).state, "pending");
      assert.equal((await run(["inbox", "retry", deadId, ...args])).code, 1, "a pending delivery is not re-queued");

      const kept = await run(["inbox", "purge", "--older-than", "1h", ...args]);
      assert.match(kept.stdout, /^0 deliveries deleted \(done\)\./);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const purged = await run(["inbox", "purge", "--older-than", "0s", ...args, "--json"]);
      assert.deepEqual(JSON.parse(purged.stdout), { purged: 2, states: ["done"] });

      const usage = await run(["inbox", "purge", ...args]);
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /--older-than DURATION/);
      assert.equal((await run(["inbox", "stats"])).code, 2);
    });
  }

  test("work --handlers FILE: a register(receiver) module, run until SIGTERM", async () => {
    const inbox = new PostgresInbox(pool, { table: "cli_work" });
    await inbox.ensureSchema();
    await pool.query("CREATE TABLE cli_effects (event_id text)");
    const handlers = join(dir, "handlers.mjs");
    writeFileSync(
      handlers,
      `export function register(receiver) {
  receiver.on("customer.created", async (event, ctx) => {
    await ctx.sql("INSERT INTO cli_effects VALUES ($1)", [event.eventId]);
  });
}
`,
    );
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const d = delivery();
      ids.push(d.event.eventId);
      await inbox.add(record(d));
    }
    const worker = run(["work", "--handlers", handlers, "--postgres", pgServer.url, "--table", "cli_work", "--concurrency", "2"], {
      env: { ZENTITLE_RSA_MODULUS: key },
    });
    await until(async () => (await inbox.stats()).done === 5, "5 done");
    worker.child.kill("SIGTERM");
    const { code, stdout } = await worker;
    assert.equal(code, 0);
    assert.match(stdout, /working \(concurrency 2\)[\s\S]*stopped/);
    const rows = await pool.query("SELECT event_id FROM cli_effects ORDER BY event_id");
    assert.deepEqual(
      rows.rows.map((r) => r.event_id),
      ids.sort(),
    );
    const missing = await run(["work", "--handlers", handlers, "--postgres", pgServer.url]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--key KEY \(or ZENTITLE_RSA_MODULUS\) is required/);
  });

  test("work --concurrency 12 on PostgreSQL runs 12 deliveries at once (its pool is sized for the lanes)", async () => {
    const inbox = new PostgresInbox(pool, { table: "cli_lanes" });
    await inbox.ensureSchema();
    await pool.query("CREATE TABLE cli_lanes_seen (event_id text, peak int)");
    const handlers = join(dir, "lanes.mjs");
    writeFileSync(
      handlers,
      `let running = 0;
let peak = 0;
export function register(receiver) {
  receiver.on("customer.created", async (event, ctx) => {
    peak = Math.max(peak, ++running);
    const end = Date.now() + 4000;
    while (running < 12 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    peak = Math.max(peak, running);
    await ctx.sql("INSERT INTO cli_lanes_seen VALUES ($1, $2)", [event.eventId, peak]);
    running--;
  });
}
`,
    );
    for (let i = 0; i < 12; i++) await inbox.add(record(delivery()));
    const worker = run(["work", "--handlers", handlers, "--postgres", pgServer.url, "--table", "cli_lanes", "--concurrency", "12"], {
      env: { ZENTITLE_RSA_MODULUS: key },
    });
    await until(async () => (await inbox.stats()).done === 12, "12 done");
    worker.child.kill("SIGTERM");
    assert.equal((await worker).code, 0);
    assert.equal((await pool.query("SELECT max(peak)::int AS peak FROM cli_lanes_seen")).rows[0].peak, 12);
  });

  test("an unreachable Redis is a one-line error within seconds, not a silent hang", async () => {
    const started = Date.now();
    const cli = run(["inbox", "stats", "--redis", "redis://127.0.0.1:1"]);
    let timer;
    const result = await Promise.race([cli, new Promise((resolve) => (timer = setTimeout(() => resolve({ code: "still running after 15 s" }), 15_000)))]);
    clearTimeout(timer);
    if (cli.child.exitCode === null) cli.child.kill("SIGKILL");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*ECONNREFUSED.*\n$/);
    assert.ok(Date.now() - started < 15_000);
  });

  test("without pg or redis in the project: a clear message, exit status 1", async () => {
    // The package alone, away from this repository's node_modules.
    const alone = join(dir, "alone");
    cpSync(fileURLToPath(new URL("../../pkg/", import.meta.url)), join(alone, "pkg"), { recursive: true });
    const script = join(alone, "pkg/cli.mjs");
    const pgMissing = await run(["inbox", "stats", "--postgres", "postgres://127.0.0.1:1/x"], { script, cwd: alone });
    assert.equal(pgMissing.code, 1);
    assert.match(pgMissing.stderr, /--postgres needs the pg package: npm install pg/);
    const redisMissing = await run(["inbox", "stats", "--redis", "redis://127.0.0.1:1"], { script, cwd: alone });
    assert.equal(redisMissing.code, 1);
    assert.match(redisMissing.stderr, /--redis needs the redis \(node-redis\) or ioredis package/);
  });
});
