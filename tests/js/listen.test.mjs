// `zentitle-webhooks listen` and `replay`, run as a user runs them, on loopback: deliveries
// signed by Node's crypto go through listen to an app that checks the forwarded bytes and
// signature with Node's crypto; the record file replayed reproduces identical bytes.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "zentitle-listen-"));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
const keyFile = join(dir, "public.pem");
writeFileSync(keyFile, publicKey.export({ type: "spki", format: "pem" }));

const event = (n, extra = {}) =>
  JSON.stringify({
    eventId: `event_${String(n).padStart(22, "A")}`,
    eventDate: new Date().toISOString(),
    eventCode: "entitlement.seat.activated",
    resourceId: "act_1",
    callAttempt: 1,
    payload: { entitlementId: "ent_1", activationId: "act_1", seatId: "seat-1", seatName: "Seat", seatsUsed: 1, isOverdraftSeat: false, ...extra },
  });
const signed = (body, key = privateKey) => sign("sha256", Buffer.from(body), key).toString("base64");
/** Runs the CLI without blocking this process (whose servers must keep answering). */
const runCli = (args) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
const post = (url, body, headers) => fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

/** An app on loopback that keeps what it receives and checks the signature with Node's crypto. */
async function startApp() {
  const received = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const signature = req.headers["n-signature"] ?? "";
    const valid = verify("sha256", body, publicKey, Buffer.from(signature, "base64"));
    received.push({ body, headers: req.headers, valid, path: req.url });
    res.writeHead(valid ? 202 : 418, { "content-type": "text/plain" }).end(valid ? "accepted by the app" : "refused by the app");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${server.address().port}/webhooks/zentitle`, received, close: () => server.close() };
}

/** Starts `listen` with `args`; resolves once it prints its URL. */
async function startListen(args) {
  const child = spawn(process.execPath, [cli, "listen", "--key", keyFile, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const deadline = Date.now() + 30_000;
  while (!/Live inbox: (\S+)/.test(stderr)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`listen did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const inbox = /Live inbox: (\S+)/.exec(stderr)[1];
  const url = new URL(inbox).origin;
  return {
    url,
    inbox,
    token: new URL(inbox).searchParams.get("token"),
    child,
    output: () => stdout,
    errors: () => stderr,
    lines: async (n) => {
      while (stdout.split("\n").filter(Boolean).length < n) await new Promise((r) => setTimeout(r, 20));
      return stdout.split("\n").filter(Boolean);
    },
    stop: async () => {
      child.kill("SIGINT");
      const [code] = await once(child, "exit");
      return code;
    },
  };
}

describe("listen --forward-to --record", () => {
  let app;
  let listen;
  const record = join(dir, "deliveries.jsonl");
  const bodies = [event(1), event(2), event(3)];
  before(async () => {
    app = await startApp();
    listen = await startListen(["--forward-to", app.url, "--record", record, "--json"]);
  });
  after(async () => {
    await listen?.stop();
    app?.close();
  });

  test("a delivery is verified, forwarded byte for byte, and the app's answer relayed", async () => {
    const response = await post(`${listen.url}/webhooks/zentitle`, bodies[0], { "N-Signature": signed(bodies[0]), "x-zentitle-extra": "kept" });
    assert.equal(response.status, 202);
    assert.equal(await response.text(), "accepted by the app");
    const [forwarded] = app.received;
    assert.ok(forwarded.body.equals(Buffer.from(bodies[0])), "the same bytes");
    assert.equal(forwarded.valid, true, "Node's crypto verifies the forwarded signature");
    assert.equal(forwarded.headers["content-type"], "application/json");
    assert.equal(forwarded.headers["x-zentitle-extra"], "kept");
    const [line] = (await listen.lines(1)).map((l) => JSON.parse(l));
    assert.equal(line.verified, true);
    assert.equal(line.eventCode, "entitlement.seat.activated");
    assert.equal(line.eventId, JSON.parse(bodies[0]).eventId);
    assert.equal(line.callAttempt, 1);
    assert.equal(line.forwardStatus, 202);
    assert.equal(line.status, 202);
  });

  test("a tampered delivery: invalid_signature with its diagnosis in the output, forwarded as it came", async () => {
    const pretty = JSON.stringify(JSON.parse(bodies[1]), null, 2);
    const response = await post(`${listen.url}/hook`, pretty, { "N-Signature": signed(bodies[1]) });
    assert.equal(response.status, 418, "the app's answer");
    assert.ok(app.received[1].body.equals(Buffer.from(pretty)));
    const line = JSON.parse((await listen.lines(2))[1]);
    assert.deepEqual([line.verified, line.code, line.mismatch, line.bodyChange], [false, "invalid_signature", "body", "reserialized_json"]);
    await post(`${listen.url}/hook`, bodies[2], { "N-Signature": signed(bodies[2], other) });
    const third = JSON.parse((await listen.lines(3))[2]);
    assert.deepEqual([third.code, third.mismatch, third.bodyChange], ["invalid_signature", "key", null]);
  });

  test("the record file holds each delivery; replay re-sends identical bytes and headers", async () => {
    const recorded = readFileSync(record, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(recorded.length, 3);
    assert.deepEqual(
      recorded.map((r) => r.verdict.ok),
      [true, false, false],
    );
    const target = await startApp();
    try {
      const result = await runCli(["replay", record, "--to", target.url]);
      assert.equal(result.status, 1, "two of the three are refused by the app");
      assert.match(result.stdout, /^ok {3}202 entitlement\.seat\.activated event_A+1\nFAIL 418 /);
      assert.equal(target.received.length, 3);
      for (let i = 0; i < 3; i++) {
        assert.ok(target.received[i].body.equals(app.received[i].body), `delivery ${i + 1}: identical bytes`);
        assert.equal(target.received[i].headers["n-signature"], app.received[i].headers["n-signature"]);
        assert.equal(target.received[i].valid, app.received[i].valid);
      }
      const only = await runCli(["replay", record, "--to", target.url, "--event-id", JSON.parse(bodies[0]).eventId, "--json"]);
      assert.equal(only.status, 0);
      assert.deepEqual(
        JSON.parse(only.stdout).map((r) => [r.eventId, r.status]),
        [[JSON.parse(bodies[0]).eventId, 202]],
      );
      assert.equal(target.received.length, 4);
      const none = await runCli(["replay", record, "--to", target.url, "--event-id", "event_none"]);
      assert.equal(none.status, 1);
      assert.match(none.stderr, /No delivery of event_none/);
    } finally {
      target.close();
    }
  });

  test("the inbox's routes need the token; the page is served at /", async () => {
    assert.equal((await fetch(`${listen.url}/_zw/inbox`)).status, 403);
    const inbox = await fetch(`${listen.url}/_zw/inbox?token=${listen.token}`).then((r) => r.json());
    assert.equal(inbox.deliveries.length, 3);
    assert.equal(inbox.forwardTo, app.url);
    const page = await fetch(`${listen.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-testid="inbox"/);
    for (const path of [
      "/app.js",
      "/inbox.js",
      "/pkg/browser.mjs",
      "/pkg/wasm/zentitle_webhooks.wasm",
      "/browser.mjs",
      "/testing-browser.mjs",
      "/lib/test-key.mjs",
      "/wasm/zentitle_webhooks_testing.wasm",
    ]) {
      assert.equal((await fetch(listen.url + path)).status, 200, path);
    }
    assert.equal((await fetch(`${listen.url}/../package.json`)).status, 404);
    assert.equal((await fetch(`${listen.url}/pkg/../cli.mjs`)).status, 404);
  });

  test("a re-send from the inbox goes to the app again", async () => {
    const before = app.received.length;
    const answer = await fetch(`${listen.url}/_zw/resend/1?token=${listen.token}`, { method: "POST" }).then((r) => r.json());
    assert.deepEqual(answer, { id: "1", status: 202 });
    assert.equal(app.received.length, before + 1);
    assert.ok(app.received.at(-1).body.equals(Buffer.from(bodies[0])));
  });
});

describe("listen without --forward-to", () => {
  test("200 for verified, 401 otherwise; a line each; Ctrl-C stops it cleanly", async () => {
    const listen = await startListen([]);
    const body = event(9);
    assert.equal((await post(listen.url, body, { "N-Signature": signed(body) })).status, 200);
    assert.equal((await post(listen.url, `${body}\n`, { "N-Signature": signed(body) })).status, 401);
    assert.equal((await post(listen.url, body, {})).status, 401);
    const lines = await listen.lines(3);
    assert.match(lines[0], /entitlement\.seat\.activated {2}event_A+9 {2}attempt 1 {2}verified {2}200/);
    assert.match(lines[1], /refused invalid_signature \[mismatch: body \(trailing_newline\)\] {2}401/);
    assert.match(lines[2], /refused missing_signature {2}401/);
    assert.equal(await listen.stop(), 0);
    assert.match(listen.errors(), /Stopped after 3 deliveries/);
  });

  test("usage errors exit 2", () => {
    const run = (args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    assert.equal(run(["listen"]).status, 2, "no key");
    assert.equal(run(["listen", "--key", keyFile, "--forward-to", "not a url"]).status, 2);
    assert.equal(run(["listen", "--key", keyFile, "--port", "-1"]).status, 2);
    assert.equal(run(["replay"]).status, 2);
    assert.equal(run(["replay", keyFile, "--to", "http://127.0.0.1:9/"]).status, 2, "not a recording");
    assert.match(run(["listen", "--help"]).stdout, /Usage: zentitle-webhooks listen/);
    assert.match(run(["replay", "--help"]).stdout, /Usage: zentitle-webhooks replay/);
  });
});

test("verify prints the diagnosis", () => {
  const body = event(5);
  const file = join(dir, "changed.json");
  writeFileSync(file, JSON.stringify(JSON.parse(body), null, 2));
  const run = spawnSync(process.execPath, [cli, "verify", "--key", keyFile, "--signature", signed(body), "--body", file], { encoding: "utf8" });
  assert.equal(run.status, 1);
  assert.match(run.stdout, /refused: invalid_signature \(HTTP 401\)\nmismatch: body \(reserialized_json\)/);
  assert.match(run.stdout, /\nHint: The body was parsed and serialised again/);
  const json = spawnSync(process.execPath, [cli, "verify", "--key", keyFile, "--signature", signed(body, other), "--body", file, "--json"], {
    encoding: "utf8",
  });
  assert.deepEqual([JSON.parse(json.stdout).mismatch, JSON.parse(json.stdout).bodyChange], ["key", undefined]);
});
