// `listen` behind a public tunnel: anyone can post to it. What an unverified body claims is
// printed escaped; the record file is private and bounded; the inbox keeps a bounded number of
// deliveries; credential headers are not forwarded unless asked; the inbox routes answer only
// under this machine's names; a chunked body of hundreds of MiB is refused having read little
// more than the 1 MiB limit. Run in-process on loopback, with a real app to forward to.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after, test } from "node:test";

import { escapeForTerminal, jsonForTerminal } from "../../pkg/cli/escape.mjs";
import { isInboxHost, listen } from "../../pkg/cli/listen.mjs";

const dir = mkdtempSync(join(tmpdir(), "zentitle-listen-security-"));
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const key = publicKey.export({ type: "spki", format: "pem" });
const MiB = 1024 * 1024;

/** A writable that keeps what listen prints. */
function capture() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

const started = [];
async function start(options = {}) {
  const out = capture();
  const err = capture();
  const server = await listen({ key, port: 0, out: out.stream, err: err.stream, ...options });
  started.push(server);
  return { server, out, err };
}
after(() => Promise.all(started.map((s) => s.close())));

const post = (url, body, headers = {}) => fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
/** Characters a terminal would interpret: C0 (but the line's own newline), DEL, C1, bidi. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
const INTERPRETED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test("what an unverified body claims is printed escaped, in lines and in --json", async () => {
  const hostile = {
    eventId: "event_\u001b[2K\r12:00:00.000  customer.created  event_X  attempt 1  verified  200\u0007",
    eventCode: "customer.created\u001b]0;owned\u0007\u009b31m\u202etxt.exe",
    callAttempt: 1,
  };
  for (const json of [false, true]) {
    const { server, out } = await start({ json });
    await post(server.url, JSON.stringify(hostile), { "n-signature": "AAAA" });
    const printed = out.text();
    assert.ok(printed.length > 0);
    assert.doesNotMatch(printed.slice(0, -1), INTERPRETED, JSON.stringify(printed));
    if (json) assert.equal(JSON.parse(printed).eventId, hostile.eventId, "--json is still JSON of the same value");
    else assert.match(printed, /event_\\x1b\[2K\\r12:00/);
  }
  assert.equal(escapeForTerminal("a\u001b\u009b\u202e\u2028\tb"), "a\\x1b\\x9b\\u202e\\u2028\\tb");
  assert.equal(JSON.parse(jsonForTerminal({ s: "\u009b\u202e" }, 2)).s, "\u009b\u202e");
});

test("the record file is created 0600 and rotated at its bound, with a message", async () => {
  const file = join(dir, "deliveries.jsonl");
  const { server, err } = await start({ record: file, recordMaxBytes: 300 * 1024 });
  const body = JSON.stringify({ eventId: "event_x", padding: "x".repeat(100 * 1024) });
  for (let i = 0; i < 6; i++) await post(server.url, body, { "n-signature": "AAAA" });
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.ok(existsSync(`${file}.1`), "rotated");
  assert.equal(statSync(`${file}.1`).mode & 0o777, 0o600);
  for (const f of [file, `${file}.1`]) assert.ok(statSync(f).size <= 300 * 1024, `${f}: ${statSync(f).size}`);
  assert.match(err.text(), /reached its bound of 307200 bytes: moved to .*deliveries\.jsonl\.1/);
  // Every line is a delivery replay can read.
  for (const line of readFileSync(file, "utf8").trim().split("\n")) assert.equal(typeof JSON.parse(line).bodyBase64, "string");
});

test("the inbox keeps at most 100 deliveries and 16 MiB of bodies", async () => {
  const { server } = await start();
  const inbox = async () => (await fetch(`${server.url}/_zw/inbox?token=${server.token}`)).json();
  for (let i = 0; i < 110; i++) await post(server.url, `{"eventId":"event_${i}"}`, { "n-signature": "AAAA" });
  let { deliveries } = await inbox();
  assert.equal(deliveries.length, 100);
  assert.equal(deliveries.at(-1).id, "110");
  const big = Buffer.alloc(MiB - 16, 0x20);
  for (let i = 0; i < 20; i++) await post(server.url, big, { "n-signature": "AAAA" });
  ({ deliveries } = await inbox());
  const bytes = deliveries.reduce((sum, d) => sum + d.bodyBase64.length, 0);
  assert.ok(bytes <= 16 * MiB, `${bytes} bytes of bodies`);
  assert.ok(deliveries.length >= 10 && deliveries.length < 20, `${deliveries.length} deliveries`);
});

test("Cookie, Authorization and other credentials are not forwarded or recorded unless asked", async () => {
  const received = [];
  const app = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on("end", () => res.writeHead(202).end());
  });
  app.listen(0, "127.0.0.1");
  await once(app, "listening");
  const forwardTo = `http://127.0.0.1:${app.address().port}/hook`;
  const secrets = { cookie: "session=s3cret", authorization: "Bearer t0ken", "x-api-key": "k3y", "n-signature": "AAAA", "x-request-id": "r1" };
  try {
    const file = join(dir, "secrets.jsonl");
    const kept = await start({ forwardTo, record: file });
    await post(kept.server.url, "{}", secrets);
    assert.equal(received[0].cookie, undefined);
    assert.equal(received[0].authorization, undefined);
    assert.equal(received[0]["x-api-key"], undefined);
    assert.equal(received[0]["n-signature"], "AAAA");
    assert.equal(received[0]["x-request-id"], "r1");
    assert.doesNotMatch(readFileSync(file, "utf8"), /s3cret|t0ken|k3y/);
    const asked = await start({ forwardTo, forwardSecrets: true });
    await post(asked.server.url, "{}", secrets);
    assert.equal(received[1].cookie, "session=s3cret");
    assert.equal(received[1].authorization, "Bearer t0ken");
  } finally {
    app.close();
  }
});

test("the inbox routes answer only under this machine's names (DNS rebinding)", async () => {
  const { server } = await start();
  const port = new URL(server.url).port;
  const get = (host) =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: `/_zw/inbox?token=${server.token}`, headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
      req.end();
    });
  assert.equal(await get(`127.0.0.1:${port}`), 200);
  assert.equal(await get(`localhost:${port}`), 200);
  assert.equal(await get(`[::1]:${port}`), 200);
  assert.equal(await get(`attacker.example:${port}`), 403);
  assert.equal(await get(`localhost.attacker.example:${port}`), 403);
  assert.equal(isInboxHost("", "127.0.0.1"), false);
  assert.equal(isInboxHost(undefined, "127.0.0.1"), false);
  // Deliveries are answered under any name: the tunnel's.
  assert.equal(isInboxHost("abc.trycloudflare.com", "127.0.0.1"), false);
  assert.equal(isInboxHost("dev-box", "dev-box"), true, "the --host given");
  const delivery = await new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/hook", method: "POST", headers: { host: "abc.trycloudflare.com" } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", reject);
    req.end("{}");
  });
  assert.equal(delivery, 401);
});

test("a 300 MiB chunked delivery over HTTP is refused at 1 MiB; memory stays near the limit", async () => {
  const { server, out } = await start();
  const { port } = new URL(server.url);
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const status = await new Promise((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/big", method: "POST", headers: { "transfer-encoding": "chunked", "n-signature": "AAAA" } });
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on("response", (res) => {
      res.resume();
      finish(res.statusCode);
    });
    req.on("error", () => finish("reset"));
    const pump = () => {
      while (!done && sent < 300 * MiB) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!done) req.end();
    };
    pump();
  });
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`# answered ${status} after ${(sent / MiB).toFixed(1)} MiB sent; rss peak +${((peak - before) / MiB).toFixed(1)} MiB`);
  assert.ok(status === 413 || status === "reset", String(status));
  assert.ok(sent < 64 * MiB, `the client could send ${sent} bytes`);
  assert.ok(peak - before < 96 * MiB, `rss grew by ${peak - before} bytes`);
  assert.match(out.text(), /body_too_large/);
});

test("the CLI's verify reads standard input no further than the limit", async () => {
  const { spawn } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));
  const keyFile = join(dir, "public.pem");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(keyFile, key);
  const child = spawn(process.execPath, [cli, "verify", "--key", keyFile, "--signature", "AAAA", "--json"], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  let written = 0;
  let open = true;
  child.stdin.on("error", () => (open = false));
  child.on("exit", () => (open = false));
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  // An input without end: 300 MiB unless the CLI stops reading first.
  while (open && written < 300 * MiB) {
    written += chunk.length;
    if (!child.stdin.write(chunk)) await Promise.race([once(child.stdin, "drain"), once(child, "exit")]).catch(() => {}); // EPIPE: it stopped reading
  }
  const [status] = child.exitCode === null ? await once(child, "exit") : [child.exitCode];
  console.log(`# verify exited ${status} after ${(written / MiB).toFixed(1)} MiB written to its stdin`);
  assert.equal(status, 1);
  assert.equal(JSON.parse(stdout).code, "body_too_large");
  assert.ok(written < 16 * MiB, `${written} bytes written before it stopped reading`);
});
