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

describe("CLI manners", () => {
  test("--version, and an example in every command's --help", () => {
    const { version } = JSON.parse(readFileSync(new URL("../../pkg/package.json", import.meta.url), "utf8"));
    for (const flag of ["--version", "-v"]) {
      const out = run([flag]);
      assert.equal(out.status, 0);
      assert.equal(out.stdout.trim(), `zentitle-webhooks ${version}`);
    }
    for (const command of ["keygen", "sign", "verify", "trigger", "listen", "replay"]) {
      const help = run([command, "--help"]);
      assert.equal(help.status, 0, command);
      assert.match(help.stdout, new RegExp(`Example:\\n  zentitle-webhooks ${command} `), command);
    }
  });

  test("did you mean: commands and flags", () => {
    const command = run(["lsiten"]);
    assert.equal(command.status, 2);
    assert.match(command.stderr, /Unknown command "lsiten"\. Did you mean listen\?/);
    assert.doesNotMatch(run(["frobnicate"]).stderr, /Did you mean/);
    const flag = run(["sign", "--ky", "x"]);
    assert.equal(flag.status, 2);
    assert.match(flag.stderr, /^Unknown option --ky for sign\. Did you mean --key\?/);
    assert.match(run(["keygen", "--froce"]).stderr, /Did you mean --force\?/);
  });

  test("a mistyped event code is refused before anything is sent; an unknown one is sent with a note", async () => {
    let posts = 0;
    const server = createServer((req, res) => {
      posts++;
      req.resume().on("end", () => res.writeHead(200).end());
    });
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${server.address().port}/`;
    try {
      const typo = await runAsync(["trigger", "customer.craeted", "--url", url, "--key", join(dir, "k2048/private.pem")]);
      assert.equal(typo.status, 2);
      assert.match(typo.stderr, /Unknown event code customer\.craeted\. Did you mean customer\.created\? Nothing was sent\./);
      assert.equal(posts, 0);
      const unknown = await runAsync(["trigger", "license.transferred", "--url", url, "--key", join(dir, "k2048/private.pem")]);
      assert.equal(unknown.status, 0, unknown.stderr);
      assert.match(unknown.stderr, /not a documented event code/);
      assert.equal(posts, 1);
    } finally {
      server.close();
    }
  });

  test("keygen does not replace keys without --force", () => {
    const before = readFileSync(join(dir, "k2048/private.pem"), "utf8");
    const refused = run(["keygen", "--bits", "1024", "--out", join(dir, "k2048")]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /already holds private\.pem, public\.pem, modulus\.txt, jwk\.json: keygen does not replace keys unless --force/);
    assert.equal(readFileSync(join(dir, "k2048/private.pem"), "utf8"), before);
    const forced = run(["keygen", "--bits", "1024", "--out", join(dir, "forced")]);
    assert.equal(forced.status, 0, forced.stderr);
    const again = readFileSync(join(dir, "forced/private.pem"), "utf8");
    assert.equal(run(["keygen", "--bits", "1024", "--out", join(dir, "forced"), "--force"]).status, 0);
    assert.notEqual(readFileSync(join(dir, "forced/private.pem"), "utf8"), again);
  });

  test("a --key that looks like a path and names no file is a missing file", () => {
    for (const command of [["verify", "--signature", "AAAA"], ["sign"]]) {
      const out = run([...command, "--key", "nope.txt"], "{}");
      assert.equal(out.status, 2, command[0]);
      assert.equal(out.stderr.trim(), "--key nope.txt: no such file (and too short to be a key itself).");
    }
  });

  test("listen on a busy port: one line, no stack", async () => {
    const busy = createServer();
    await new Promise((r) => busy.listen(0, "127.0.0.1", r));
    try {
      const modulus = join(dir, "k2048/modulus.txt");
      const out = await runAsync(["listen", "--key", modulus, "--port", String(busy.address().port)]);
      assert.equal(out.status, 1);
      assert.equal(out.stderr.trim().split("\n").length, 1, out.stderr);
      assert.match(out.stderr, /^Port \d+ on 127\.0\.0\.1 is already in use \(another listen, or your app\?\): choose another with --port\.$/m);
    } finally {
      busy.close();
    }
  });

  test("replay prints the outcome the app reported: duplicate, not just 200", async () => {
    const privateKey = createPrivateKey(readFileSync(join(dir, "k2048/private.pem")));
    const body = `{"eventId":"event_RRRRRRRRRRRRRRRRRRRRRR","eventDate":"${new Date().toISOString()}","eventCode":"customer.created","resourceId":"cust_1","callAttempt":1,"payload":{"customerId":"cust_1"}}`;
    const headers = { "content-type": "application/json", "n-signature": sign("sha256", Buffer.from(body), privateKey).toString("base64") };
    const line = JSON.stringify({
      id: 1,
      time: new Date().toISOString(),
      method: "POST",
      path: "/",
      headers,
      bodyBase64: Buffer.from(body).toString("base64"),
    });
    writeFileSync(join(dir, "recorded.jsonl"), `${line}\n${line}\n`);
    const receiver = new WebhookReceiver({ key: readFileSync(join(dir, "k2048/modulus.txt"), "utf8") }).on("customer.created", () => {});
    const app = createServer(receiver.node());
    await new Promise((r) => app.listen(0, "127.0.0.1", r));
    try {
      const out = await runAsync(["replay", join(dir, "recorded.jsonl"), "--to", `http://127.0.0.1:${app.address().port}/`]);
      assert.equal(out.status, 0, out.stderr);
      const lines = out.stdout.trim().split("\n");
      assert.match(lines[0], /^ok {3}200 processed customer\.created event_R+$/);
      assert.match(lines[1], /^ok {3}200 duplicate customer\.created event_R+$/);
      const json = await runAsync(["replay", join(dir, "recorded.jsonl"), "--to", `http://127.0.0.1:${app.address().port}/`, "--json"]);
      assert.deepEqual(
        JSON.parse(json.stdout).map((r) => r.outcome),
        ["duplicate", "duplicate"],
      );
    } finally {
      app.close();
    }
  });
});
