// The live inbox of `zentitle-webhooks listen` in headless Chromium (Playwright with the system
// Chromium): deliveries appear without a reload, newest first, with their verdict; selecting
// one shows its event, headers and diagnosis; re-send reaches the app. Deliveries are signed
// with Node's crypto. The screenshot (target/artifacts/inbox.png) is the README's.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { launchChromium } from "../runtimes/chromium.mjs";

const cli = fileURLToPath(new URL("../../pkg/cli.mjs", import.meta.url));
const artifacts = fileURLToPath(new URL("../../target/artifacts/", import.meta.url));
mkdirSync(artifacts, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), "zentitle-inbox-"));
const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
writeFileSync(join(dir, "public.pem"), publicKey.export({ type: "spki", format: "pem" }));
const signed = (body, key = privateKey) => sign("sha256", Buffer.from(body), key).toString("base64");
const event = (n, eventCode, payload) =>
  JSON.stringify({
    eventId: `event_${String(n).padStart(22, "Q")}`,
    eventDate: new Date().toISOString(),
    eventCode,
    resourceId: "ent_1",
    callAttempt: n,
    payload,
  });

describe("listen's live inbox", () => {
  let app;
  let listen;
  let browser;
  let page;
  let url;
  const appReceived = [];
  const errors = [];
  before(async () => {
    app = createServer((req, res) => {
      req.resume().on("end", () => {
        appReceived.push(req.url);
        res.writeHead(204).end();
      });
    });
    app.listen(0, "127.0.0.1");
    await once(app, "listening");
    listen = spawn(
      process.execPath,
      [cli, "listen", "--key", join(dir, "public.pem"), "--port", "0", "--forward-to", `http://127.0.0.1:${app.address().port}/hooks`],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    listen.stderr.on("data", (d) => (stderr += d));
    while (!/Live inbox: (\S+)/.test(stderr)) {
      if (listen.exitCode !== null) throw new Error(stderr);
      await new Promise((r) => setTimeout(r, 50));
    }
    const inbox = /Live inbox: (\S+)/.exec(stderr)[1];
    url = new URL(inbox).origin;
    browser = await launchChromium(chromium);
    page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(inbox);
    await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 30_000 });
    assert.equal(await page.getAttribute("body", "data-ready"), "true", errors.join("\n"));
  });
  after(async () => {
    await browser?.close();
    listen?.kill("SIGINT");
    app?.close();
  });
  const deliver = (body, signature) =>
    fetch(`${url}/webhooks/zentitle`, { method: "POST", body, headers: { "content-type": "application/json", "n-signature": signature } });
  const items = () => page.locator("[data-testid=inbox-item]");

  test("Verify right away accepts the sample: the key panel holds the key that signed it", async () => {
    await page.click("[data-testid=verify]");
    assert.match(await page.textContent("[data-testid=verdict]"), /^Valid: entitlement\.seat\.activated/);
  });

  test("the inbox shows each new delivery without a reload, newest first", async () => {
    assert.equal(await page.isVisible("[data-testid=inbox]"), true);
    assert.equal(await items().count(), 0);
    await page.evaluate(() => {
      window.notReloaded = true;
    });
    const first = event(1, "entitlement.seat.activated", {
      entitlementId: "ent_1",
      activationId: "act_1",
      seatId: "build-agent-07",
      seatName: "Build agent",
      seatsUsed: 3,
      isOverdraftSeat: false,
    });
    assert.equal((await deliver(first, signed(first))).status, 204);
    await page.waitForSelector("[data-testid=inbox-item]", { timeout: 10_000 });
    const second = event(2, "customer.created", { customerId: "cust_1", name: "Müller & Søn", disabled: false });
    await deliver(JSON.stringify(JSON.parse(second), null, 2), signed(second));
    const third = event(3, "customer.updated", { customerId: "cust_1", name: "Acme", disabled: false });
    await deliver(third, signed(third, other));
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=inbox-item]").length === 3, null, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true, "the page was not reloaded");
    assert.deepEqual(await items().evaluateAll((lis) => lis.map((li) => li.dataset.verdict)), ["invalid_signature", "invalid_signature", "verified"]);
    assert.match(await items().nth(2).textContent(), /entitlement\.seat\.activated/);
  });

  test("selecting a delivery shows its envelope, typed payload, headers and diagnosis", async () => {
    await items().nth(2).click();
    const detail = () => page.textContent("[data-testid=inbox-detail]");
    assert.match(await detail(), /eventCode\s*entitlement\.seat\.activated/);
    assert.match(await detail(), /seatId\s*build-agent-07/);
    assert.match(await detail(), /n-signature/);
    assert.match(await detail(), /verdict\s*verified/);
    await items().nth(1).click();
    assert.match(await detail(), /refused: invalid_signature/);
    assert.match(await detail(), /mismatch\s*body: this key signed other bytes/);
    assert.match(await detail(), /body change\s*reserialized_json/);
    await page.screenshot({ path: `${artifacts}inbox.png` });
    await items().nth(0).click();
    assert.match(await detail(), /mismatch\s*key: this key did not make the signature/);
  });

  test("re-send posts the delivery to the app again", async () => {
    const before = appReceived.length;
    await items().nth(2).click();
    await page.click("[data-testid=resend]");
    await page.waitForFunction(() => /answered 204/.test(document.querySelector("[data-testid=resend-status]")?.textContent ?? ""), null, { timeout: 10_000 });
    assert.equal(appReceived.length, before + 1);
  });

  test("open in the verifier: the page's own verification agrees", async () => {
    await items().nth(1).click();
    await page.click("[data-testid=open-in-verifier]");
    assert.match(await page.textContent("[data-testid=verdict]"), /Refused: invalid_signature/);
    assert.match(await page.textContent("[data-testid=event]"), /body change\s*reserialized_json/);
    assert.deepEqual(errors, []);
  });
});
