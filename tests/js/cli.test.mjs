// The CLI (`npx zentitle-webhooks ...`), run as a user runs it, against a receiver on loopback.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createPrivateKey, sign } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { WebhookReceiver, WebhookVerifier } from "zentitle-webhooks";

const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "zentitle-cli-"));
const run = (args, input) => spawnSync(process.execPath, [cli, ...args], { input: input ?? "", encoding: "utf8", timeout: 60_000 });
// Asynchronous, for commands that talk to a receiver in this process (spawnSync would block it).
const runAsync = (args) =>
  new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? (error.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe("CLI", () => {
  test("--help for the tool and each command; usage errors exit 2", () => {
    const main = run(["--help"]);
    assert.equal(main.status, 0);
    assert.match(main.stdout, /keygen[\s\S]*sign[\s\S]*verify[\s\S]*trigger/);
    for (const command of ["keygen", "sign", "verify", "trigger"]) {
      const help = run([command, "--help"]);
      assert.equal(help.status, 0, command);
      assert.match(help.stdout, new RegExp(`Usage: zentitle-webhooks ${command}`));
    }
    assert.equal(run(["frobnicate"]).status, 2);
    assert.equal(run([]).status, 2);
    assert.equal(run(["sign"]).status, 2, "sign without --key");
    assert.equal(run(["keygen", "--bits", "abc"]).status, 2);
  });

  test("keygen writes a key pair Node's crypto accepts", () => {
    const out = run(["keygen", "--bits", "1024", "--out", dir, "--json"]);
    assert.equal(out.status, 0, out.stderr);
    const { modulus } = JSON.parse(out.stdout);
    assert.equal(readFileSync(join(dir, "modulus.txt"), "utf8").trim(), modulus);
    const key = createPrivateKey(readFileSync(join(dir, "private.pem"), "utf8"));
    assert.equal(key.asymmetricKeyDetails.modulusLength, 1024);
  });

  test("sign gives Node's signature; verify gives the verdict and the exit status", () => {
    const body =
      '{"eventId":"event_AAAAAAAAAAAAAAAAAAAAAA","eventDate":"2026-11-27T10:15:30Z","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}';
    writeFileSync(join(dir, "body.json"), body);
    const signed = run(["sign", "--key", join(dir, "private.pem"), "--body", join(dir, "body.json")]);
    assert.equal(signed.status, 0, signed.stderr);
    const signature = signed.stdout.trim();
    assert.equal(signature, sign("sha256", Buffer.from(body), createPrivateKey(readFileSync(join(dir, "private.pem")))).toString("base64"));
    assert.equal(run(["sign", "--key", join(dir, "private.pem")], body).stdout.trim(), signature, "body from stdin");

    // A 1024-bit key is weak for the verifier: the CLI says so.
    const weak = run(["verify", "--key", join(dir, "modulus.txt"), "--signature", signature, "--body", join(dir, "body.json")]);
    assert.equal(weak.status, 2);
    assert.match(weak.stderr, /weak_key/);
  });

  test("verify with a 2048-bit key: valid 0, tampered 1, --json", () => {
    const out = run(["keygen", "--out", join(dir, "k2048")]);
    assert.equal(out.status, 0, out.stderr);
    const body = JSON.stringify({
      eventId: "event_BBBBBBBBBBBBBBBBBBBBBB",
      eventDate: "2026-11-27T10:15:30Z",
      eventCode: "webhook.test",
      resourceId: "whl_1",
      callAttempt: 1,
      payload: {},
    });
    const signature = run(["sign", "--key", join(dir, "k2048/private.pem")], body).stdout.trim();
    const valid = run(["verify", "--key", join(dir, "k2048/jwk.json"), "--signature", signature], body);
    assert.equal(valid.status, 0, valid.stderr);
    assert.match(valid.stdout, /^valid: webhook.test \(unknown code\)/);
    const refused = run(["verify", "--key", join(dir, "k2048/modulus.txt"), "--signature", signature, "--json"], body.replace("whl_1", "whl_2"));
    assert.equal(refused.status, 1);
    assert.equal(JSON.parse(refused.stdout).code, "invalid_signature");
  });

  describe("trigger", () => {
    let server;
    let url;
    const received = [];
    before(async () => {
      const verifier = new WebhookVerifier({ key: readFileSync(join(dir, "k2048/modulus.txt"), "utf8") });
      server = createServer((req, res) => {
        const chunks = [];
        req.on("data", (c) => chunks.push(c));
        req.on("end", () => {
          const result = verifier.safeVerify(Buffer.concat(chunks), req.headers);
          received.push(result);
          res.writeHead(result.ok ? 200 : result.status).end(result.ok ? "ok" : result.code);
        });
      });
      await new Promise((r) => server.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${server.address().port}/webhooks/zentitle`;
    });
    after(() => server.close());

    test("posts realistic signed events: --count, --attempt, --override", async () => {
      const out = await runAsync([
        "trigger",
        "entitlement.seat.activated",
        "--url",
        url,
        "--key",
        join(dir, "k2048/private.pem"),
        "--count",
        "3",
        "--attempt",
        "2",
        "--override",
        '{"payload":{"seatsUsed":9}}',
        "--json",
      ]);
      assert.equal(out.status, 0, out.stdout + out.stderr);
      const results = JSON.parse(out.stdout);
      assert.equal(results.length, 3);
      assert.ok(results.every((r) => r.status === 200 && r.ok));
      const accepted = received.splice(0);
      assert.equal(new Set(accepted.map((r) => r.event.eventId)).size, 3, "a fresh id each");
      assert.ok(accepted.every((r) => r.event.callAttempt === 2 && r.event.payload.seatsUsed === 9));
    });

    test("--tamper body|signature: every delivery must be refused", async () => {
      for (const what of ["body", "signature"]) {
        const out = await runAsync(["trigger", "customer.created", "--url", url, "--key", join(dir, "k2048/private.pem"), "--tamper", what, "--count", "2"]);
        assert.equal(out.status, 0, out.stdout + out.stderr);
        assert.match(out.stdout, /^ok +401 customer.created/m);
      }
      assert.ok(received.splice(0).every((r) => r.code === "invalid_signature"));
    });

    test("--retry delivers like Zentitle: one eventId, callAttempt counting up, until a 2xx", async () => {
      const seen = [];
      const receiver = new WebhookReceiver({ key: readFileSync(join(dir, "k2048/modulus.txt"), "utf8") }).onAny((event) => {
        seen.push([event.eventId, event.callAttempt]);
        if (seen.length <= 2) throw new Error("not yet");
      });
      const retrying = createServer(receiver.node());
      await new Promise((r) => retrying.listen(0, "127.0.0.1", r));
      try {
        const target = `http://127.0.0.1:${retrying.address().port}/`;
        const out = await runAsync(["trigger", "customer.created", "--url", target, "--key", join(dir, "k2048/private.pem"), "--retry", "5", "--json"]);
        assert.equal(out.status, 0, out.stdout + out.stderr);
        const [result] = JSON.parse(out.stdout);
        assert.deepEqual(
          result.attempts.map((a) => a.status),
          [500, 500, 200],
        );
        assert.deepEqual(
          seen.map(([, attempt]) => attempt),
          [1, 2, 3],
        );
        assert.equal(new Set(seen.map(([id]) => id)).size, 1, "the same eventId on every attempt");
        assert.equal(seen[0][0], result.eventId);
      } finally {
        retrying.close();
      }
    });

    test("an unreachable receiver fails with exit 1", async () => {
      const out = await runAsync(["trigger", "customer.created", "--url", "http://127.0.0.1:9/none", "--key", join(dir, "k2048/private.pem")]);
      assert.equal(out.status, 1);
      assert.match(out.stdout, /FAIL/);
    });
  });
});
