// Real Redis and PostgreSQL servers for the store tests, from Debian's packages, each in a
// temporary directory on a free loopback port, stopped by PID when the test is done.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, what) {
  for (let i = 0; i < 200; i++) {
    if (await check().catch(() => false)) return;
    await wait(100);
  }
  throw new Error(`${what} did not start`);
}

/**
 * `redis-server` on a free port: `{ url, port, stop(), start() }` (start again on the same port,
 * with the same data directory). `aof`: persistence with an append-only file fsynced at every
 * write (else none: a restart forgets everything); `args`: more server arguments.
 */
export async function startRedis({ aof = false, args = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "zw-redis-"));
  const port = await freePort();
  let child;
  const persistence = aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir, ...args], { stdio: "ignore" });
    await until(
      async () => execFileSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() === "PONG",
      "redis-server",
    );
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL from `initdb` into a temp dir, run as the `postgres` user when root. */
export async function startPostgres() {
  const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1), "bin");
  const dir = mkdtempSync(join(tmpdir(), "zw-pg-"));
  chmodSync(dir, 0o777);
  const asPostgres = process.getuid?.() === 0 ? (cmd, args) => ["runuser", ["-u", "postgres", "--", cmd, ...args]] : (cmd, args) => [cmd, args];
  const data = join(dir, "data");
  execFileSync(...asPostgres(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres"]), { stdio: "ignore" });
  const port = await freePort();
  // In its own process group, so that the stop reaches postgres through runuser.
  const child = spawn(
    ...asPostgres(join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]),
    { stdio: "ignore", detached: true },
  );
  await until(async () => {
    execFileSync(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    return true;
  }, "postgres");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** The URL for another role (authentication is `trust`: the role must exist and may log in). */
    urlAs: (role) => `postgres://${role}@127.0.0.1:${port}/postgres`,
    port,
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGINT"); // fast shutdown
      const forced = setTimeout(() => process.kill(-child.pid, "SIGKILL"), 10_000);
      await exited;
      clearTimeout(forced);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
