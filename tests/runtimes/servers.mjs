// Starts a server process on a free loopback port, waits until it answers, and stops it.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Spawns `command`; resolves once `url` answers (any status), or rejects with its output. */
export async function startServer(command, args, { url, env = {}, cwd, timeoutMs = 60_000 } = {}) {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 200))]);
    if (code !== undefined) throw new Error(`${command} exited (${code}) before serving:\n${output}`);
    try {
      await fetch(url, { method: "GET", signal: AbortSignal.timeout(1000) });
      return {
        output: () => output,
        stop: () => {
          try {
            process.kill(-child.pid, "SIGTERM");
          } catch {}
          return exited;
        },
      };
    } catch {}
  }
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
  throw new Error(`${command} did not serve ${url} within ${timeoutMs} ms:\n${output}`);
}
