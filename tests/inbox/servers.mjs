// Real PostgreSQL and Redis for the inbox's fault tests, each restartable on the same port and
// data directory (the tests restart the store mid-run): PostgreSQL from initdb, Redis with AOF
// (`appendfsync always`, so that a SIGKILL loses nothing it acknowledged). Stopped by PID.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { freePort } from "../stores/servers.mjs";

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, what) {
  for (let i = 0; i < 300; i++) {
    if (await check().catch(() => false)) return;
    await wait(100);
  }
  throw new Error(`${what} did not start`);
}

/** `{ url, stop(), start(), close() }`: a PostgreSQL whose stop is a fast shutdown. */
export async function startPostgres({ maxConnections = 100 } = {}) {
  const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1), "bin");
  const dir = mkdtempSync(join(tmpdir(), "zw-inbox-pg-"));
  chmodSync(dir, 0o777);
  const asPostgres = process.getuid?.() === 0 ? (cmd, args) => ["runuser", ["-u", "postgres", "--", cmd, ...args]] : (cmd, args) => [cmd, args];
  const data = join(dir, "data");
  execFileSync(...asPostgres(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"]), { stdio: "ignore" });
  const port = await freePort();
  let child;
  const start = async () => {
    child = spawn(
      ...asPostgres(join(bin, "postgres"), [
        "-D",
        data,
        "-p",
        String(port),
        "-k",
        dir,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `max_connections=${maxConnections}`,
      ]),
      { stdio: "ignore", detached: true },
    );
    await until(async () => {
      execFileSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
      return true;
    }, "postgres");
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGINT"); // fast shutdown: open transactions roll back
    const forced = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 10_000);
    await exited;
    clearTimeout(forced);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `{ url, stop(), start(), close() }`: a Redis with AOF; its stop is a SIGKILL. */
export async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), "zw-inbox-redis-"));
  const port = await freePort();
  let child;
  const start = async () => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--maxmemory-policy",
        "noeviction",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
    await until(
      async () => execFileSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() === "PONG",
      "redis-server",
    );
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
